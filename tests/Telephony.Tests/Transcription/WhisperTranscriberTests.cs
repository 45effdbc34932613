using CallCenter.Telephony.Transcription;
using CallCenter.Telephony.Transcription.Audio;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace CallCenter.Telephony.Tests.Transcription;

/// <summary>The seam as the host composes it (AddTranscription on a real host builder), with the micro model.</summary>
public sealed class WhisperTranscriberTests
{
    private static readonly string[] ClipNames = ["zh_duty_16k.wav", "zh_greet_16k.wav", "en_greet_16k.wav"];

    private static IHost Build(params (string Key, string? Value)[] settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)));
        builder.AddTranscription();
        return builder.Build();
    }

    private static async Task<HealthReport> Health(IHost host) =>
        await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

    [Fact]
    public async Task WithoutAModelTheServiceRunsAndHealthSaysTranscriptionIsOff()
    {
        using var host = Build();
        var report = await Health(host);
        report.Entries["transcription"].Status.ShouldBe(HealthStatus.Healthy);
        report.Entries["transcription"].Description.ShouldBe("off");
        var result = await host.Services.GetRequiredService<ITranscriber>().TranscribeAsync(new float[16000], new TranscribeRequest(), CancellationToken.None);
        result.Succeeded.ShouldBeFalse();
        result.Error!.ShouldContain("Transcription:ModelPath");
    }

    [Fact]
    public async Task AMissingModelFileGivesFailedResultsAndADegradedHealthNamingThePath()
    {
        using var host = Build(("Transcription:ModelPath", "/nonexistent/ggml-base.bin"));
        var transcriber = host.Services.GetRequiredService<ITranscriber>();
        var result = await transcriber.TranscribeAsync(new float[16000], new TranscribeRequest(), CancellationToken.None);
        result.Succeeded.ShouldBeFalse();
        result.Error!.ShouldContain("/nonexistent/ggml-base.bin");
        var report = await Health(host);
        report.Entries["transcription"].Status.ShouldBe(HealthStatus.Degraded);
        report.Entries["transcription"].Description!.ShouldContain("/nonexistent/ggml-base.bin");
    }

    [Fact]
    public async Task TheMicroModelTranscribesAClipWithTimedSegmentsAsWhisperCppDoes()
    {
        using var host = Build(("Transcription:ModelPath", Reference.Path(Reference.Micro)));
        var transcriber = host.Services.GetRequiredService<ITranscriber>();
        var pcm = WavReader.Read(Reference.Path("zh_duty_16k.wav")).Samples;
        var result = await transcriber.TranscribeAsync(pcm, new TranscribeRequest(), CancellationToken.None);
        result.Succeeded.ShouldBeTrue(result.Error);
        result.Language.ShouldBe("zh");

        // whisper.cpp: one segment from 0.82 s; its end (8.94 s) lies past the 4.52 s clip, so it is clipped to the audio
        var expected = Reference.Results(Reference.Micro, "zh_duty_16k.wav").GetProperty("greedy")[1].GetProperty("segments")[0];
        result.Segments.Count.ShouldBe(1);
        result.Segments[0].Start.ShouldBe(TimeSpan.FromMilliseconds(820));
        result.Segments[0].End.ShouldBe(TimeSpan.FromSeconds(72303 / 16000.0));
        result.Segments[0].Text.ShouldBe(expected.GetProperty("text").GetString());
        result.Segments[0].AvgLogProb.ShouldBeLessThan(0);
        (await Health(host)).Entries["transcription"].Description.ShouldBe("ready");
    }

    [Fact]
    public async Task ConcurrentStreamsOverOneModelGiveTheSameTextsAsOneAtATime()
    {
        using var host = Build(("Transcription:ModelPath", Reference.Path(Reference.Micro)), ("Transcription:MaxConcurrentStreams", "3"), ("Transcription:Threads", "1"));
        var transcriber = host.Services.GetRequiredService<ITranscriber>();
        var clips = ClipNames.Select(c => WavReader.Read(Reference.Path(c)).Samples).ToArray();
        var alone = new List<string>();
        foreach (var clip in clips)
        {
            alone.Add((await transcriber.TranscribeAsync(clip, new TranscribeRequest(), CancellationToken.None)).Text);
        }

        var together = await Task.WhenAll(clips.Select(c => transcriber.TranscribeAsync(c, new TranscribeRequest(), CancellationToken.None)));
        together.Select(r => r.Text).ShouldBe(alone);
        alone.Distinct().Count().ShouldBe(3);
    }

    [Fact]
    public async Task ACancelledRequestReturnsAFailedResult()
    {
        using var host = Build(("Transcription:ModelPath", Reference.Path(Reference.Micro)));
        var transcriber = host.Services.GetRequiredService<WhisperTranscriber>();
        await transcriber.EnsureLoadedAsync();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var result = await transcriber.TranscribeAsync(new float[16000 * 5], new TranscribeRequest(), cts.Token);
        result.Succeeded.ShouldBeFalse();
        result.Error.ShouldBe("cancelled");
    }

    [Fact]
    public void AnInvalidServerTimeoutStopsTheHostAtStart()
    {
        using var host = Build(("Transcription:Server:BaseUrl", "http://127.0.0.1:9"), ("Transcription:Server:TimeoutSeconds", "0"));
        var ex = Should.Throw<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<TranscriptionOptions>>().Value);
        ex.Message.ShouldContain("Transcription:Server");
    }

    [Fact]
    public async Task AConfiguredServerIsReportedReadyAndUsedAsTheTranscriber()
    {
        using var host = Build(("Transcription:Server:BaseUrl", "http://127.0.0.1:9"), ("Transcription:Server:TimeoutSeconds", "2"));
        host.Services.GetRequiredService<ITranscriber>().ShouldBeOfType<OpenAiCompatibleTranscriber>();
        (await Health(host)).Entries["transcription"].Data["mode"].ShouldBe("server");
    }
}
