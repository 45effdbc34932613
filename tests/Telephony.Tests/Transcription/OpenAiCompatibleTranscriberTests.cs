using System.Net;
using CallCenter.Telephony.Transcription;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CallCenter.Telephony.Tests.Transcription;

/// <summary>
/// The HTTP backend against a fake OpenAI-compatible server (in-process Kestrel on 127.0.0.1; a fake because
/// the server is the seam). Slow, failing and malformed answers must come back as failed results.
/// </summary>
public sealed class OpenAiCompatibleTranscriberTests : IAsyncLifetime
{
    private WebApplication server = null!;
    private string baseUrl = "";
    private string? lastLanguage;
    private string? lastModel;
    private long lastFileBytes;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        server = builder.Build();
        server.MapPost("/{mode}/v1/audio/transcriptions", async (string mode, HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            lastLanguage = form["language"];
            lastModel = form["model"];
            lastFileBytes = form.Files["file"]?.Length ?? 0;
            return mode switch
            {
                "verbose" => Results.Text("""{"text":" 你好","language":"chinese","segments":[{"start":0.0,"end":1.5,"text":" 你好","avg_logprob":-0.3,"no_speech_prob":0.01},{"start":1.5,"end":2.0,"text":"。","avg_logprob":-0.5,"no_speech_prob":0.02}]}""", "application/json"),
                "plain" => Results.Text("""{"text":"您好"}""", "application/json"),
                "error" => Results.StatusCode(500),
                "garbage" => Results.Text("<html>proxy error</html>", "text/html"),
                "slow" => await Slow(),
                _ => Results.NotFound(),
            };
        });
        await server.StartAsync();
        baseUrl = server.Urls.First();
    }

    private static async Task<IResult> Slow()
    {
        await Task.Delay(TimeSpan.FromSeconds(20));
        return Results.Text("{}", "application/json");
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    private OpenAiCompatibleTranscriber Client(string mode, int timeoutSeconds = 10, HttpClient? http = null) => new(
        http ?? new HttpClient { Timeout = Timeout.InfiniteTimeSpan },
        Options.Create(new TranscriptionOptions { Server = new() { BaseUrl = $"{baseUrl}/{mode}", TimeoutSeconds = timeoutSeconds, Model = "ggml-base" } }),
        NullLogger<OpenAiCompatibleTranscriber>.Instance);

    [Fact]
    public async Task VerboseJsonBecomesTimedSegmentsAndTheRequestCarriesAudioLanguageAndModel()
    {
        var result = await Client("verbose").TranscribeAsync(new float[16000], new TranscribeRequest(), CancellationToken.None);
        result.Succeeded.ShouldBeTrue(result.Error);
        result.Segments.Count.ShouldBe(2);
        result.Segments[0].End.ShouldBe(TimeSpan.FromSeconds(1.5));
        result.Segments[1].NoSpeechProb.ShouldBe(0.02);
        result.Text.ShouldBe(" 你好。");
        lastLanguage.ShouldBe("zh");
        lastModel.ShouldBe("ggml-base");
        lastFileBytes.ShouldBe(44 + 32000);
    }

    [Fact]
    public async Task PlainJsonBecomesOneSegmentSpanningTheAudio()
    {
        var result = await Client("plain").TranscribeAsync(new float[8000], new TranscribeRequest(), CancellationToken.None);
        result.Succeeded.ShouldBeTrue();
        result.Segments.Single().End.ShouldBe(TimeSpan.FromSeconds(0.5));
        result.Text.ShouldBe("您好");
    }

    [Fact]
    public async Task AServerErrorIsAFailedResult()
    {
        var result = await Client("error").TranscribeAsync(new float[100], new TranscribeRequest(), CancellationToken.None);
        result.Succeeded.ShouldBeFalse();
        result.Error!.ShouldContain("500");
    }

    [Fact]
    public async Task AnUnreadableAnswerIsAFailedResult()
    {
        var result = await Client("garbage").TranscribeAsync(new float[100], new TranscribeRequest(), CancellationToken.None);
        result.Succeeded.ShouldBeFalse();
        result.Error!.ShouldContain("could not be read");
    }

    [Fact]
    public async Task ASlowServerTimesOutAsAFailedResultInsteadOfHanging()
    {
        var result = await Client("slow", timeoutSeconds: 1).TranscribeAsync(new float[100], new TranscribeRequest(), CancellationToken.None);
        result.Succeeded.ShouldBeFalse();
        result.Error!.ShouldContain("timed out");
    }

    [Fact]
    public async Task AnUnreachableServerIsAFailedResult()
    {
        // a port nobody listens on: bind and release one
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var client = new OpenAiCompatibleTranscriber(new HttpClient(),
            Options.Create(new TranscriptionOptions { Server = new() { BaseUrl = $"http://127.0.0.1:{port}", TimeoutSeconds = 5 } }),
            NullLogger<OpenAiCompatibleTranscriber>.Instance);
        var result = await client.TranscribeAsync(new float[100], new TranscribeRequest(), CancellationToken.None);
        result.Succeeded.ShouldBeFalse();
        result.Error!.ShouldContain("unreachable");
    }
}
