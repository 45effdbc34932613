namespace CallCenter.Telephony.Transcription.Decoding;

/// <summary>
/// Decoding settings; the defaults are whisper_full_default_params(GREEDY) except the language, which is
/// forced to Mandarin for our hotlines ("auto" detects it at the cost of a decoder pass).
/// </summary>
public sealed record DecodingOptions
{
    public string Language { get; init; } = "zh";

    public bool Translate { get; init; }

    public bool NoTimestamps { get; init; }

    public bool SingleSegment { get; init; }

    public float Temperature { get; init; }

    /// <summary>Step of the temperature fallback; 0 disables it.</summary>
    public float TemperatureIncrement { get; init; } = 0.2f;

    /// <summary>Candidates sampled per fallback temperature.</summary>
    public int BestOf { get; init; } = 5;

    /// <summary>Tokens per segment; 0 means no limit beyond the text context.</summary>
    public int MaxTokens { get; init; }

    public bool SuppressBlank { get; init; } = true;

    public float MaxInitialTimestamp { get; init; } = 1.0f;

    /// <summary>Entropy of the last 32 tokens below this marks a repetition loop (whisper.cpp's stand-in for compression ratio).</summary>
    public float EntropyThreshold { get; init; } = 2.4f;

    /// <summary>gzip-style compression ratio of the text above this marks a loop (OpenAI Whisper's rule); null disables it.</summary>
    public float? CompressionRatioThreshold { get; init; } = 2.4f;

    public float LogProbThreshold { get; init; } = -1.0f;

    public float NoSpeechThreshold { get; init; } = 0.6f;

    /// <summary>Domain vocabulary (product names) fed as previous text.</summary>
    public string? InitialPrompt { get; init; }

    /// <summary>Encoder positions to use; 0 = the full 1500 (whisper.cpp's audio_ctx; smaller is faster, less exact).</summary>
    public int AudioContext { get; init; }

    /// <summary>Seed of the sampler used by the temperature fallback.</summary>
    public int Seed { get; init; }
}
