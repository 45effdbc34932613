using System.Text;
using CallCenter.Telephony.Transcription.Decoding;

namespace CallCenter.Telephony.Tests.Transcription.Decoding;

[Collection(WhisperModels.Name)]
public sealed class VocabularyTests(ModelCache models)
{
    private Vocabulary Vocab() => new(models.Get(Reference.Micro).File.Vocabulary, 51865);

    [Fact]
    public void SpecialTokensOfAMultilingualModelMatchWhisperCpp()
    {
        var v = Vocab();
        var expected = Reference.Model(Reference.Micro).GetProperty("special_tokens");
        v.Eot.ShouldBe(expected.GetProperty("eot").GetInt32());
        v.Sot.ShouldBe(expected.GetProperty("sot").GetInt32());
        v.Translate.ShouldBe(expected.GetProperty("translate").GetInt32());
        v.Transcribe.ShouldBe(expected.GetProperty("transcribe").GetInt32());
        v.Solm.ShouldBe(expected.GetProperty("solm").GetInt32());
        v.Prev.ShouldBe(expected.GetProperty("prev").GetInt32());
        v.NoSpeech.ShouldBe(expected.GetProperty("nosp").GetInt32());
        v.NoTimestamps.ShouldBe(expected.GetProperty("not").GetInt32());
        v.TimestampBegin.ShouldBe(expected.GetProperty("beg").GetInt32());
        v.LanguageToken("zh").ShouldBe(expected.GetProperty("lang_zh").GetInt32());
        v.LanguageToken("en").ShouldBe(expected.GetProperty("lang_en").GetInt32());
        v.LanguageCount.ShouldBe(99);
    }

    [Fact]
    public void EnglishOnlyAndLargeV3VocabulariesShiftTheSpecialTokens()
    {
        var stored = models.Get(Reference.Micro).File.Vocabulary;
        var english = new Vocabulary(stored, 51864);
        english.Eot.ShouldBe(50256);
        english.TimestampBegin.ShouldBe(50363);
        english.LanguageToken("zh").ShouldBe(-1);
        var v3 = new Vocabulary(stored, 51866);
        v3.LanguageCount.ShouldBe(100);
        v3.Transcribe.ShouldBe(50360);
        v3.TimestampBegin.ShouldBe(50365);
        v3.LanguageToken("yue").ShouldBe(50358);
    }

    [Fact]
    public void TokenTextsFollowWhisperCppNames()
    {
        var v = Vocab();
        v.TokenText(50257).ShouldBe("[_EOT_]");
        v.TokenText(50260).ShouldBe("[_LANG_zh]");
        v.TokenText(50359).ShouldBe("[_TRANSCRIBE_]");
        v.TokenText(50811).ShouldBe("[_TT_447]");
        v.TokenText(39921).ShouldBe(" hare");
    }

    [Fact]
    public void TextBytesConcatenateTextTokensAndSkipSpecialOnes()
    {
        var v = Vocab();
        var bytes = v.TextBytes([39921, 50364, 41385, 50257]);
        Convert.ToHexStringLower(bytes).ShouldBe("2068617265" + "207465726365");
    }

    [Fact]
    public void EncodingMandarinAndEnglishRoundTripsThroughTheBytes()
    {
        var v = Vocab();
        // The reference vocabulary (copied from whisper.cpp's test model) lacks raw single bytes above 0x7F, so only
        // characters that have whole tokens round-trip; real ggml vocabularies hold all 256 bytes.
        foreach (var text in new[] { " 您好请问有什么可以", "Hello, thank you for calling.", " KFR-35GW 2024" })
        {
            var ids = v.Encode(text);
            ids.Count.ShouldBeGreaterThan(0);
            Encoding.UTF8.GetString(v.TextBytes(ids)).ShouldBe(text);
        }
    }
}
