namespace CallCenter.Telephony.Transcription;

/// <summary>What to transcribe for: language (forced "zh" by default, "auto" detects), an optional domain prompt.</summary>
public sealed record TranscribeRequest
{
    public string Language { get; init; } = "zh";

    /// <summary>Domain vocabulary such as product names, given to the model as previous text.</summary>
    public string? InitialPrompt { get; init; }

    public bool NoTimestamps { get; init; }
}

/// <summary>A piece of transcript; times are from the start of the audio given.</summary>
public sealed record TranscriptionSegment(TimeSpan Start, TimeSpan End, string Text, double AvgLogProb, double NoSpeechProb);

/// <summary>The outcome of one transcription. A failure (time-out, server error, no model) is a result, never a hang or a crash.</summary>
public sealed record TranscriptionResult(bool Succeeded, IReadOnlyList<TranscriptionSegment> Segments, string? Language, string? Error)
{
    public string Text => string.Concat(Segments.Select(s => s.Text));

    public static TranscriptionResult Failed(string error) => new(false, [], null, error);
}

/// <summary>The seam the call pipeline uses: 16 kHz mono samples in [-1, 1) to segments.</summary>
public interface ITranscriber
{
    Task<TranscriptionResult> TranscribeAsync(ReadOnlyMemory<float> pcm16k, TranscribeRequest request, CancellationToken cancellationToken);
}
