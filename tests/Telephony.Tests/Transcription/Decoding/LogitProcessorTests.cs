using CallCenter.Telephony.Transcription.Decoding;

namespace CallCenter.Telephony.Tests.Transcription.Decoding;

/// <summary>Each whisper.cpp decoding rule on hand-made logits.</summary>
[Collection(WhisperModels.Name)]
public sealed class LogitProcessorTests(ModelCache models)
{
    private Vocabulary Vocab() => new(models.Get(Reference.Micro).File.Vocabulary, 51865);

    private static DecodedToken T(int id) => new(id, 1, 0, 0, 0, 0);

    [Fact]
    public void TheFirstStepSuppressesEndOfTextAndBlankAndAllControlTokens()
    {
        var v = Vocab();
        var logits = new float[v.NVocab];
        LogitProcessor.ApplySuppression(logits, v, new DecodingOptions(), 0);
        logits[v.Eot].ShouldBe(float.NegativeInfinity);
        logits[v.Space].ShouldBe(float.NegativeInfinity);
        foreach (var id in new[] { v.Sot, v.NoSpeech, v.Solm, v.Translate, v.Transcribe, v.Prev, v.NoTimestamps, v.LanguageToken("zh"), v.LanguageToken("en") })
        {
            logits[id].ShouldBe(float.NegativeInfinity);
        }

        logits[v.TimestampBegin].ShouldBe(0f);
        logits[100].ShouldBe(0f);

        var later = new float[v.NVocab];
        LogitProcessor.ApplySuppression(later, v, new DecodingOptions(), 1);
        later[v.Eot].ShouldBe(0f);
    }

    [Fact]
    public void NoTimestampsModeMasksEveryTimestamp()
    {
        var v = Vocab();
        var logits = new float[v.NVocab];
        LogitProcessor.ApplySuppression(logits, v, new DecodingOptions { NoTimestamps = true }, 3);
        logits[v.TimestampBegin..].ShouldAllBe(x => x == float.NegativeInfinity);
    }

    [Fact]
    public void AFullSegmentAllowsOnlyATimestamp()
    {
        var v = Vocab();
        var logits = new float[v.NVocab];
        LogitProcessor.ApplySuppression(logits, v, new DecodingOptions { MaxTokens = 64 }, 64);
        logits[..v.TimestampBegin].ShouldAllBe(x => x == float.NegativeInfinity);
        logits[v.TimestampBegin + 5].ShouldBe(0f);
    }

    [Fact]
    public void TheFirstTimestampIsAtMostOneSecond()
    {
        var v = Vocab();
        var p = new LogitProcessor(v, new DecodingOptions(), 1500);
        var logits = new float[v.NVocab];
        logits[v.TimestampBegin + 80] = 50; // 1.6 s: not allowed first
        logits[v.TimestampBegin + 40] = 10;
        p.Process(logits, [], false, 3000, 0, null);
        var token = p.Sample(null);
        token.Id.ShouldBe(v.TimestampBegin + 40);
        p.Probs[v.TimestampBegin + 51].ShouldBe(0f);
    }

    [Fact]
    public void TimestampsComeInPairsAndNeverGoBack()
    {
        var v = Vocab();
        var beg = v.TimestampBegin;
        var p = new LogitProcessor(v, new DecodingOptions(), 1500);
        var logits = new float[v.NVocab];
        logits[v.Eot] = 20; // keeps the text side above the 1501 timestamps together

        // text then one timestamp: the next may be a timestamp (closing the pair) but no text
        p.Process(logits, [T(beg + 10), T(300), T(beg + 20)], true, 40, 0, null);
        p.Probs[..v.Eot].ToArray().ShouldAllBe(x => x == 0f);
        p.Probs[v.Eot].ShouldBeGreaterThan(0f);

        // two timestamps in a row: the next must be text
        p.Process(logits, [T(300), T(beg + 20), T(beg + 20)], true, 40, 0, null);
        p.Probs[beg..].ToArray().ShouldAllBe(x => x == 0f);

        // after a timestamp at 0.40 s, earlier timestamps are masked
        p.Process(logits, [T(beg + 10), T(300), T(beg + 20), T(beg + 20), T(301)], true, 40, 0, null);
        p.Probs[beg + 19].ShouldBe(0f);
        p.Probs[beg + 20].ShouldBeGreaterThan(0f);
    }

    [Fact]
    public void TimestampsWinWhenTogetherTheyBeatTheBestTextToken()
    {
        var v = Vocab();
        var p = new LogitProcessor(v, new DecodingOptions(), 1500);
        var logits = Enumerable.Repeat(-100f, v.NVocab).ToArray();
        logits[500] = 5;
        for (var i = 0; i < 40; i++)
        {
            logits[v.TimestampBegin + 60 + i] = 2; // each weaker than the text token, together stronger
        }

        p.Process(logits, [new(300, 1, 0, 0, 0, 0)], false, 3000, 0, null);
        var token = p.Sample(null);
        token.Id.ShouldBeGreaterThanOrEqualTo(v.TimestampBegin);
        token.Tid.ShouldBe(token.Id);
    }

    [Fact]
    public void TemperatureSamplingDrawsFromTheDistribution()
    {
        var v = Vocab();
        var p = new LogitProcessor(v, new DecodingOptions(), 1500);
        var logits = Enumerable.Repeat(-100f, v.NVocab).ToArray();
        logits[500] = 1;
        logits[501] = 1;
        var seen = new HashSet<int>();
        var random = new Random(1);
        for (var i = 0; i < 50; i++)
        {
            p.Process(logits, [T(300)], false, 3000, 1.0f, null);
            seen.Add(p.Sample(random).Id);
        }

        seen.ShouldBe([500, 501], ignoreOrder: true);
    }
}
