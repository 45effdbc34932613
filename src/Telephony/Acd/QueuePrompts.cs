using System.Collections.Concurrent;
using CallCenter.Telephony.Media;

namespace CallCenter.Telephony.Acd;

/// <summary>
/// The queue's prompts from the prompt library: "您前面还有" + number (1-20) + "位客户在等待" built from pieces,
/// a sentence for more than 20, "您是下一位" for nobody ahead, the offer, the confirmation and hold audio.
/// </summary>
internal sealed class QueuePrompts(PromptLibrary library, string holdPrompt)
{
    public const int MaxSpokenNumber = 20;
    private readonly ConcurrentDictionary<int, short[]?> _positions = new();

    public short[]? Hold => library.Get(holdPrompt);

    public short[]? Offer => library.Get("queue_offer.wav");

    public short[]? Confirm => library.Get("queue_callback_confirm.wav");

    public short[]? KeepWaiting => library.Get("queue_keep_waiting.wav");

    /// <summary>The announcement for <paramref name="ahead"/> callers ahead; null when its pieces are missing.</summary>
    public short[]? Position(int ahead) => _positions.GetOrAdd(Math.Clamp(ahead, 0, MaxSpokenNumber + 1), n => n switch
    {
        0 => library.Get("queue_next.wav"),
        > MaxSpokenNumber => library.Get("queue_ahead_more.wav"),
        _ => Concat(library.Get("queue_ahead_prefix.wav"), library.Get(NumberPrompt(n)), library.Get("queue_ahead_suffix.wav")),
    });

    public static string NumberPrompt(int n) => "queue_n_" + n.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".wav";

    private static short[]? Concat(params short[]?[] pieces)
    {
        if (pieces.Any(p => p is null))
        {
            return null;
        }

        var all = new short[pieces.Sum(p => p!.Length)];
        var at = 0;
        foreach (var p in pieces)
        {
            p!.CopyTo(all, at);
            at += p!.Length;
        }

        return all;
    }
}
