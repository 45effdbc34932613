namespace CallCenter.Telephony.Transcription.Ggml;

/// <summary>A model file that is missing, corrupt, truncated or not a Whisper ggml model. The message names the path.</summary>
public sealed class WhisperModelException : Exception
{
    public WhisperModelException()
    {
    }

    public WhisperModelException(string message)
        : base(message)
    {
    }

    public WhisperModelException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public WhisperModelException(string path, string problem, Exception? inner = null)
        : base($"Whisper model '{path}': {problem}", inner)
    {
        ModelPath = path;
    }

    public string? ModelPath { get; }
}
