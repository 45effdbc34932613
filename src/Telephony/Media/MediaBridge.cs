using CallCenter.Telephony.Calls;
using CallCenter.Telephony.Sdp;

namespace CallCenter.Telephony.Media;

/// <summary>
/// Connects two call legs' media (B2BUA): every frame one leg receives (already decoded by its RtpSession) is
/// encoded in the other leg's codec (PCMU↔PCMA transcoding when they differ) and sent with the other session's
/// own SSRC, sequence and timestamps; both legs go into one stereo recording (left = customer, right = agent)
/// placed on the call's timeline. Taps already set on the sessions (live transcription) keep receiving; DTMF stays
/// with each leg. Everything runs on the receive paths, without blocking or allocating per frame.
/// </summary>
public sealed class MediaBridge : IDisposable
{
    // A received frame is sent on as one packet (same ptime as the sender, 20 or 30 ms); only longer ones are split
    // to fit RtpSession.SendFrame's 320-byte payload.
    private const int MaxFrameSamples = 320;
    private readonly Direction _fromCustomer;
    private readonly Direction _fromAgent;
    private int _state; // 0 new, 1 running, 2 disposed

    /// <param name="stereo">Optional call recording; its timeline (created with the call) outlives a bridge, e.g. across transfers.</param>
    public MediaBridge(RtpSession customer, RtpSession agent, StereoWavWriter? stereo)
    {
        ArgumentNullException.ThrowIfNull(customer);
        ArgumentNullException.ThrowIfNull(agent);
        _fromCustomer = new Direction(customer, agent, stereo, 0);
        _fromAgent = new Direction(agent, customer, stereo, 1);
    }

    /// <summary>Starts relaying both ways (chaining in front of any taps already set).</summary>
    public void Start()
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("a bridge starts once");
        }

        _fromCustomer.Attach();
        _fromAgent.Attach();
    }

    /// <summary>Stops (or resumes) sending toward <paramref name="leg"/>: that side put the call on hold.</summary>
    public void SetHeld(CallLeg leg, bool held) => (leg == CallLeg.Customer ? _fromAgent : _fromCustomer).Held = held;

    public bool IsHeld(CallLeg leg) => (leg == CallLeg.Customer ? _fromAgent : _fromCustomer).Held;

    /// <summary>Frames sent toward <paramref name="leg"/> so far.</summary>
    public long FramesSentTo(CallLeg leg) => Interlocked.Read(ref (leg == CallLeg.Customer ? _fromAgent : _fromCustomer).Frames);

    /// <summary>Stops relaying and restores the sessions' previous taps; the sessions and the recording stay open.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _state, 2) == 1)
        {
            _fromCustomer.Detach();
            _fromAgent.Detach();
        }
    }

    private sealed class Direction(RtpSession source, RtpSession target, StereoWavWriter? stereo, int channel)
    {
        private readonly Lock _anchorGate = new();
        private AudioTap? _previous;
        private AudioTap? _mine;
        private long _anchorLeg = -1;
        private long _anchorCall;
        private bool _marker = true;
        public long Frames;

        public volatile bool Held;

        public void Attach()
        {
            _previous = source.Tap;
            _mine = OnAudio;
            source.Tap = _mine;
        }

        public void Detach()
        {
            if (source.Tap == _mine)
            {
                source.Tap = _previous;
            }
        }

        private void OnAudio(long offset, ReadOnlySpan<short> pcm)
        {
            _previous?.Invoke(offset, pcm);
            if (stereo is not null)
            {
                long position;
                lock (_anchorGate)
                {
                    if (_anchorLeg < 0)
                    {
                        // The leg's first bridged frame lands at "now" on the call timeline; later ones follow its RTP clock.
                        _anchorLeg = offset;
                        _anchorCall = stereo.Now;
                    }

                    position = _anchorCall + (offset - _anchorLeg);
                }

                stereo.Write(channel, position, pcm);
            }

            if (Held)
            {
                _marker = true; // a talkspurt starts again on resume
                return;
            }

            Span<byte> encoded = stackalloc byte[MaxFrameSamples];
            var codec = target.Codec;
            for (var start = 0; start < pcm.Length; start += MaxFrameSamples)
            {
                var chunk = pcm.Slice(start, Math.Min(MaxFrameSamples, pcm.Length - start));
                var bytes = encoded[..chunk.Length];
                Encode(codec, chunk, bytes);
                target.SendFrame(bytes, _marker);
                _marker = false;
                Interlocked.Increment(ref Frames);
            }
        }
    }

    /// <summary>G.711 encoding of one frame in <paramref name="codec"/>.</summary>
    public static void Encode(AudioCodec codec, ReadOnlySpan<short> pcm, Span<byte> output)
    {
        if (codec == AudioCodec.Pcmu)
        {
            for (var i = 0; i < pcm.Length; i++)
            {
                output[i] = G711.EncodeUlaw(pcm[i]);
            }
        }
        else
        {
            for (var i = 0; i < pcm.Length; i++)
            {
                output[i] = G711.EncodeAlaw(pcm[i]);
            }
        }
    }
}
