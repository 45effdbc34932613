using System.ComponentModel.DataAnnotations;

namespace CallCenter.Telephony.Transcription;

/// <summary>
/// Settings bound from "Transcription". With neither a model path nor a server URL, transcription is off
/// and the service still runs (the health check says so).
/// </summary>
public sealed class TranscriptionOptions
{
    public const string Section = "Transcription";

    /// <summary>A whisper.cpp ggml model file (ggml-base.bin …) for the in-process engine.</summary>
    public string? ModelPath { get; set; }

    [Required]
    [RegularExpression("^(auto|[a-z]{2,3})$")]
    public string Language { get; set; } = "zh";

    /// <summary>Threads for one stream's matrix work.</summary>
    [Range(1, 64)]
    public int Threads { get; set; } = 2;

    /// <summary>Streams decoded at once, each with its own state over the shared weights.</summary>
    [Range(1, 64)]
    public int MaxConcurrentStreams { get; set; } = 2;

    /// <summary>Encoder positions (0 = all 1500); ~50 per second of audio is much faster for short utterances.</summary>
    [Range(0, 1500)]
    public int AudioContext { get; set; }

    /// <summary>Domain vocabulary given as previous text to every transcription.</summary>
    [MaxLength(1000)]
    public string? InitialPrompt { get; set; }

    [Required]
    public TranscriptionServerOptions Server { get; set; } = new();
}

/// <summary>An OpenAI-compatible /v1/audio/transcriptions server (whisper.cpp server, faster-whisper) for GPU hosts.</summary>
public sealed class TranscriptionServerOptions
{
    /// <summary>e.g. http://gpu-host:8080; when set it is used instead of the in-process engine.</summary>
    [Url]
    public string? BaseUrl { get; set; }

    public string? ApiKey { get; set; }

    [Required]
    public string Model { get; set; } = "whisper-1";

    [Range(1, 600)]
    public int TimeoutSeconds { get; set; } = 30;
}
