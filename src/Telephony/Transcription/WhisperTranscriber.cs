using System.Diagnostics;
using System.Diagnostics.Metrics;
using CallCenter.Telephony.Transcription.Decoding;
using CallCenter.Telephony.Transcription.Ggml;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CallCenter.Telephony.Transcription;

/// <summary>
/// The in-process engine behind <see cref="ITranscriber"/>. The model (Transcription:ModelPath) loads in the
/// background at start; until then, or when loading failed, requests get a failed result saying why.
/// At most MaxConcurrentStreams transcriptions run at once; the rest wait their turn.
/// </summary>
public sealed class WhisperTranscriber : ITranscriber, IDisposable
{
    private readonly TranscriptionOptions options;
    private readonly TranscriptionStatus status;
    private readonly ILogger<WhisperTranscriber> logger;
    private readonly SemaphoreSlim streams;
    private readonly Lazy<Task<WhisperEngine?>> engine;
    private readonly Counter<long> requests;
    private readonly Histogram<double> realTimeFactor;

    public WhisperTranscriber(IOptions<TranscriptionOptions> options, TranscriptionStatus status, IMeterFactory meters, ILogger<WhisperTranscriber> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(meters);
        this.options = options.Value;
        this.status = status;
        this.logger = logger;
        streams = new SemaphoreSlim(this.options.MaxConcurrentStreams);
        engine = new Lazy<Task<WhisperEngine?>>(() => Task.Run(Load));
        var meter = meters.Create(TranscriptionMetrics.MeterName);
        requests = meter.CreateCounter<long>("callcenter.transcription.requests", description: "Transcriptions by backend and outcome");
        realTimeFactor = meter.CreateHistogram<double>("callcenter.transcription.real_time_factor", description: "Processing time / audio time");
    }

    /// <summary>Starts (or joins) loading the model; the host calls this at start so the first call is not slowed.</summary>
    public Task<WhisperEngine?> EnsureLoadedAsync() => engine.Value;

    public async Task<TranscriptionResult> TranscribeAsync(ReadOnlyMemory<float> pcm16k, TranscribeRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var loaded = await engine.Value.ConfigureAwait(false);
        if (loaded is null)
        {
            requests.Add(1, new("backend", "whisper"), new("outcome", "unavailable"));
            return TranscriptionResult.Failed("the Whisper model is not available: " + status.Detail);
        }

        try
        {
            await streams.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            requests.Add(1, new("backend", "whisper"), new("outcome", "cancelled"));
            return TranscriptionResult.Failed("cancelled");
        }

        try
        {
            var decoding = new DecodingOptions
            {
                Language = request.Language,
                NoTimestamps = request.NoTimestamps,
                InitialPrompt = request.InitialPrompt ?? options.InitialPrompt,
                AudioContext = options.AudioContext,
            };
            var clock = Stopwatch.StartNew();
            var result = await Task.Run(() => loaded.Transcribe(pcm16k.Span, decoding, cancellationToken), cancellationToken).ConfigureAwait(false);
            var seconds = pcm16k.Length / 16000.0;
            if (seconds > 0)
            {
                realTimeFactor.Record(clock.Elapsed.TotalSeconds / seconds);
            }

            requests.Add(1, new("backend", "whisper"), new("outcome", "ok"));
            return new TranscriptionResult(true, ToSegments(result, seconds, request.NoTimestamps), result.Language, null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            requests.Add(1, new("backend", "whisper"), new("outcome", "cancelled"));
            return TranscriptionResult.Failed("cancelled");
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            logger.LogWarning(ex, "Whisper transcription of {Seconds:F1} s failed", pcm16k.Length / 16000.0);
            requests.Add(1, new("backend", "whisper"), new("outcome", "error"));
            return TranscriptionResult.Failed(ex.Message);
        }
        finally
        {
            streams.Release();
        }
    }

    public void Dispose() => streams.Dispose();

    internal static IReadOnlyList<TranscriptionSegment> ToSegments(WhisperResult result, double audioSeconds, bool noTimestamps)
    {
        // whisper.cpp's no-timestamps segments carry t0 = -100728 and t1 = window end; report the audio span instead.
        var end = TimeSpan.FromSeconds(audioSeconds);
        return result.Segments.Select(s =>
        {
            var start = noTimestamps ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Max(0, s.T0) * 10);
            var stop = noTimestamps ? end : TimeSpan.FromMilliseconds(Math.Max(0, s.T1) * 10);
            return new TranscriptionSegment(start, stop > end ? end : stop, s.Text, s.AvgLogProb, s.NoSpeechProb);
        }).ToList();
    }

    private WhisperEngine? Load()
    {
        var path = options.ModelPath!;
        try
        {
            var clock = Stopwatch.StartNew();
            var loaded = WhisperEngine.Load(path, options.Threads);

            // warm-up: the first pass is slower (JIT, page faults); do it before the first call
            loaded.Transcribe(new float[16000 * 2], new DecodingOptions { MaxTokens = 2, TemperatureIncrement = 0 });
            status.Set(TranscriptionState.Ready, null);
            logger.LogInformation("Whisper model {ModelPath} loaded ({Layers} encoder layers, state {State}) in {Ms} ms",
                path, loaded.Model.HParams.NAudioLayer, loaded.Model.HParams.NAudioState, clock.ElapsedMilliseconds);
            return loaded;
        }
        catch (WhisperModelException ex)
        {
            status.Set(TranscriptionState.Failed, ex.Message);
            logger.LogError("Transcription is unavailable: {Reason}", ex.Message);
            return null;
        }
        catch (OutOfMemoryException ex)
        {
            status.Set(TranscriptionState.Failed, "not enough memory for the model");
            logger.LogError(ex, "Transcription is unavailable: not enough memory for {ModelPath}", path);
            return null;
        }
    }
}

public static class TranscriptionMetrics
{
    public const string MeterName = "CallCenter.Transcription";
}
