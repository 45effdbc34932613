using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace CallCenter.Telephony.Media;

/// <summary>Announcement WAVs by file name from one folder, decoded once and cached.</summary>
public sealed partial class PromptLibrary(string folder, ILogger<PromptLibrary> logger)
{
    private readonly ConcurrentDictionary<string, short[]?> _cache = new(StringComparer.Ordinal);

    public string Folder { get; } = folder;

    /// <summary>The prompt's samples, or null (logged once) when the name is unsafe, missing or unreadable.</summary>
    public short[]? Get(string? name)
    {
        if (string.IsNullOrEmpty(name) || name != Path.GetFileName(name))
        {
            return null; // names come from the database: never let one point outside the folder
        }

        return _cache.GetOrAdd(name, n =>
        {
            try
            {
                return WavReader.ReadMono8k(Path.Combine(Folder, n));
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                LogUnreadable(n, ex.Message);
                return null;
            }
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Prompt {Prompt} cannot be played: {Error}")]
    private partial void LogUnreadable(string prompt, string error);
}
