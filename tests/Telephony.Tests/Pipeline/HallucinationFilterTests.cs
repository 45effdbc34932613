using CallCenter.Telephony.Pipeline;
using CallCenter.Telephony.Transcription;

namespace CallCenter.Telephony.Tests.Pipeline;

public sealed class HallucinationFilterTests
{
    private readonly HallucinationFilter _filter = new(new PipelineOptions());

    private static TranscriptionSegment Seg(string text, double logProb = -0.3, double noSpeech = 0.05) =>
        new(TimeSpan.Zero, TimeSpan.FromSeconds(1), text, logProb, noSpeech);

    [Fact]
    public void OrdinaryConfidentSpeechIsKept() => _filter.IsSuspect(Seg("您好，请问有什么可以帮您？")).ShouldBeFalse();

    [Theory]
    [InlineData("谢谢观看")]
    [InlineData("字幕由Amara.org社区提供")]
    [InlineData("请不吝点赞 订阅 转发 打赏支持明镜与点点栏目")]
    public void StockPhrasesWhisperInventsOnNoiseAreSuspect(string text) => _filter.IsSuspect(Seg(text)).ShouldBeTrue();

    [Fact]
    public void HighNoSpeechWithLowLogProbIsSuspect() => _filter.IsSuspect(Seg("好的", logProb: -1.2, noSpeech: 0.8)).ShouldBeTrue();

    [Fact]
    public void HighNoSpeechAloneWithConfidentTextIsKept() => _filter.IsSuspect(Seg("好的", logProb: -0.2, noSpeech: 0.8)).ShouldBeFalse();

    [Fact]
    public void ADecodingLoopIsSuspect() => _filter.IsSuspect(Seg("我我我我我我我我我我我我我我我我")).ShouldBeTrue();

    [Fact]
    public void TheOverlapRepeatedAfterACutIsRemovedOnce()
    {
        CallWorker.DropRepeatedPrefix("这个问题我们会尽快处理", "尽快处理并且给您回电").ShouldBe("并且给您回电");
        CallWorker.DropRepeatedPrefix("您好", "请问有什么事").ShouldBe("请问有什么事");
    }
}
