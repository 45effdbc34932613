using CallCenter.Telephony.Transcription;

namespace CallCenter.Telephony.Tests.Transcription;

public sealed class TranscribeCommandTests
{
    [Fact]
    public async Task TranscribingAFilePrintsTimedSegments()
    {
        using var output = new StringWriter();
        var code = await TranscribeCommand.RunAsync(["transcribe", Reference.Path("zh_duty_16k.wav"), "--model", Reference.Path(Reference.Micro), "--language", "zh", "--threads", "2"], output);
        code.ShouldBe(0, output.ToString());
        var expected = Reference.Results(Reference.Micro, "zh_duty_16k.wav").GetProperty("greedy")[1].GetProperty("segments")[0].GetProperty("text").GetString();
        output.ToString().ShouldContain("[00:00.820 --> 00:04.518] " + expected);
        output.ToString().ShouldContain("# language zh");
    }

    [Fact]
    public async Task WithoutAFileTheUsageIsPrinted()
    {
        using var output = new StringWriter();
        (await TranscribeCommand.RunAsync(["transcribe"], output)).ShouldBe(2);
        output.ToString().ShouldContain("usage: transcribe FILE.wav");
    }

    [Fact]
    public async Task AMissingModelIsAClearError()
    {
        using var output = new StringWriter();
        (await TranscribeCommand.RunAsync([Reference.Path("zh_duty_16k.wav"), "--model", "/nonexistent/ggml-tiny.bin"], output)).ShouldBe(1);
        output.ToString().ShouldContain("/nonexistent/ggml-tiny.bin");
    }

    [Fact]
    public async Task AFileThatIsNotAWavIsAClearError()
    {
        using var output = new StringWriter();
        (await TranscribeCommand.RunAsync([Reference.Path("reference.json"), "--model", Reference.Path(Reference.Micro)], output)).ShouldBe(1);
        output.ToString().ShouldContain("not a RIFF/WAVE file");
    }
}
