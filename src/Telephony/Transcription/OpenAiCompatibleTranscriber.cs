using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using CallCenter.Telephony.Transcription.Audio;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CallCenter.Telephony.Transcription;

/// <summary>
/// <see cref="ITranscriber"/> over an OpenAI-compatible POST /v1/audio/transcriptions (whisper.cpp's server,
/// faster-whisper servers) for GPU hosts. Every request has a deadline; time-outs, HTTP errors and
/// unreadable answers come back as failed results, never as exceptions or hangs.
/// </summary>
public sealed class OpenAiCompatibleTranscriber(HttpClient http, IOptions<TranscriptionOptions> options, ILogger<OpenAiCompatibleTranscriber> logger) : ITranscriber
{
    private readonly TranscriptionServerOptions server = options.Value.Server;
    private readonly string? defaultPrompt = options.Value.InitialPrompt;

    public async Task<TranscriptionResult> TranscribeAsync(ReadOnlyMemory<float> pcm16k, TranscribeRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrEmpty(server.BaseUrl))
        {
            return TranscriptionResult.Failed("Transcription:Server:BaseUrl is not configured");
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(server.TimeoutSeconds));
        var url = new Uri(new Uri(server.BaseUrl.TrimEnd('/') + "/"), "v1/audio/transcriptions");
        try
        {
            using var form = new MultipartFormDataContent();
            var file = new ByteArrayContent(WavWriter.ToPcm16(pcm16k.Span, 16000));
            file.Headers.ContentType = new MediaTypeHeaderValue("audio/wav");
            form.Add(file, "file", "audio.wav");
            form.Add(new StringContent(server.Model), "model");
            form.Add(new StringContent("verbose_json"), "response_format");
            form.Add(new StringContent("0"), "temperature");
            if (request.Language != "auto")
            {
                form.Add(new StringContent(request.Language), "language");
            }

            if ((request.InitialPrompt ?? defaultPrompt) is { Length: > 0 } prompt)
            {
                form.Add(new StringContent(prompt), "prompt");
            }

            using var message = new HttpRequestMessage(HttpMethod.Post, url) { Content = form };
            if (!string.IsNullOrEmpty(server.ApiKey))
            {
                message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", server.ApiKey);
            }

            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseContentRead, deadline.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(deadline.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                logger.LogWarning("Transcription server {Url} answered {Status}", url, (int)response.StatusCode);
                return TranscriptionResult.Failed($"transcription server answered {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            return Parse(body, pcm16k.Length / 16000.0, request.Language);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Transcription server {Url} did not answer within {Seconds} s", url, server.TimeoutSeconds);
            return TranscriptionResult.Failed($"transcription server timed out after {server.TimeoutSeconds} s");
        }
        catch (OperationCanceledException)
        {
            return TranscriptionResult.Failed("cancelled");
        }
        catch (HttpRequestException ex)
        {
            logger.LogWarning("Transcription server {Url} unreachable: {Reason}", url, ex.Message);
            return TranscriptionResult.Failed("transcription server unreachable: " + ex.Message);
        }
    }

    private TranscriptionResult Parse(string body, double seconds, string language)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            var lang = root.TryGetProperty("language", out var l) && l.ValueKind == JsonValueKind.String ? l.GetString() : language;
            var segments = new List<TranscriptionSegment>();
            if (root.TryGetProperty("segments", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var s in list.EnumerateArray())
                {
                    segments.Add(new TranscriptionSegment(
                        TimeSpan.FromSeconds(Number(s, "start")), TimeSpan.FromSeconds(Number(s, "end")),
                        s.GetProperty("text").GetString() ?? "", Number(s, "avg_logprob"), Number(s, "no_speech_prob")));
                }
            }
            else if (root.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
            {
                segments.Add(new TranscriptionSegment(TimeSpan.Zero, TimeSpan.FromSeconds(seconds), text.GetString()!, 0, 0));
            }
            else
            {
                return TranscriptionResult.Failed("transcription server answer has neither segments nor text");
            }

            return new TranscriptionResult(true, segments, lang, null);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            logger.LogWarning("Transcription server answer could not be read: {Reason}", ex.Message);
            return TranscriptionResult.Failed("transcription server answer could not be read: " + ex.Message);
        }
    }

    private static double Number(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.ValueKind switch
    {
        JsonValueKind.Number => v.GetDouble(),
        JsonValueKind.String => double.Parse(v.GetString()!, CultureInfo.InvariantCulture),
        _ => 0,
    } : 0;
}

/// <summary>Used when transcription is off: every request fails with the reason, so callers need no special case.</summary>
public sealed class DisabledTranscriber : ITranscriber
{
    public Task<TranscriptionResult> TranscribeAsync(ReadOnlyMemory<float> pcm16k, TranscribeRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(TranscriptionResult.Failed("transcription is off: set Transcription:ModelPath or Transcription:Server:BaseUrl"));
}
