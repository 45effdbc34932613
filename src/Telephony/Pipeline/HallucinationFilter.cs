using CallCenter.Telephony.Transcription;

namespace CallCenter.Telephony.Pipeline;

/// <summary>
/// Flags text Whisper likely invented: its own no-speech rule (no-speech probability high and log-probability low),
/// very low log-probability, stock phrases it produces on noise, and runaway repetition. Suspect text is stored
/// (marked) but never screened.
/// </summary>
public sealed class HallucinationFilter(PipelineOptions options)
{
    public bool IsSuspect(TranscriptionSegment segment)
    {
        ArgumentNullException.ThrowIfNull(segment);
        if (segment.NoSpeechProb > options.NoSpeechThreshold && segment.AvgLogProb < options.LogProbThreshold)
        {
            return true;
        }

        return segment.AvgLogProb < options.LogProbThreshold * 2 || IsSuspectText(segment.Text);
    }

    public bool IsSuspectText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (options.StockPhrases.Any(p => text.Contains(p, StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }

        return Repetitive(text.AsSpan().Trim());
    }

    /// <summary>True when a short unit (1-4 characters) repeats to fill most of the text (Whisper's decoding loops).</summary>
    private static bool Repetitive(ReadOnlySpan<char> t)
    {
        if (t.Length < 12)
        {
            return false;
        }

        for (var unit = 1; unit <= 4; unit++)
        {
            var run = 0;
            var best = 0;
            for (var i = unit; i < t.Length; i++)
            {
                run = t[i] == t[i - unit] ? run + 1 : 0;
                best = Math.Max(best, run);
            }

            if (best + unit >= t.Length * 3 / 4)
            {
                return true;
            }
        }

        return false;
    }
}
