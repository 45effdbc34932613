using CallCenter.Telephony.Transcription.Audio;
using CallCenter.Telephony.Transcription.Decoding;
using CallCenter.Telephony.Transcription.Model;

namespace CallCenter.Telephony.Tests.Transcription.Decoding;

/// <summary>
/// The rules the reference does not exercise (it runs without fallback): thresholds are set so that
/// every attempt counts as failed or silent, and the decoder must react as whisper.cpp does.
/// </summary>
[Collection(WhisperModels.Name)]
public sealed class FallbackAndNoSpeechTests(ModelCache models)
{
    private WhisperDecoder Decoder()
    {
        var model = models.Get(Reference.Micro);
        return new WhisperDecoder(new WhisperState(model, 2), new Vocabulary(model.File.Vocabulary, model.HParams.NVocab), new LogMel(model.File.MelFilters, 80));
    }

    private static float[] Clip() => WavReader.Read(Reference.Path("zh_duty_16k.wav")).Samples;

    [Fact]
    public void ALowAverageLogProbabilityFallsBackThroughTheTemperaturesToTheLast()
    {
        // every sequence's average log-probability is below +1, and no-speech stays under 2: always a fallback
        var options = new DecodingOptions { LogProbThreshold = 1f, NoSpeechThreshold = 2f, MaxTokens = 16, BestOf = 2, Seed = 3 };
        var result = Decoder().Run(Clip(), options);
        result.Segments.ShouldNotBeEmpty();
        result.Segments.ShouldAllBe(s => Math.Abs(s.Temperature - 1.0f) < 1e-3f);
    }

    [Fact]
    public void FallbackSamplingIsRepeatableForAGivenSeed()
    {
        var options = new DecodingOptions { LogProbThreshold = 1f, NoSpeechThreshold = 2f, MaxTokens = 16, BestOf = 2, Seed = 11 };
        var first = Decoder().Run(Clip(), options);
        var second = Decoder().Run(Clip(), options);
        first.Segments.Select(s => s.Text).ShouldBe(second.Segments.Select(s => s.Text));
    }

    [Fact]
    public void AGoodFirstAttemptNeedsNoFallback()
    {
        var result = Decoder().Run(Clip(), new DecodingOptions { MaxTokens = 16 });
        result.Segments.ShouldNotBeEmpty();
        result.Segments.ShouldAllBe(s => s.Temperature == 0f);
    }

    [Fact]
    public void AWindowJudgedSilentProducesNoSegments()
    {
        // no-speech above -1 (always) and average log-probability below +1 (always): whisper.cpp drops the window
        var options = new DecodingOptions { NoSpeechThreshold = -1f, LogProbThreshold = 1f, TemperatureIncrement = 0, MaxTokens = 16 };
        Decoder().Run(Clip(), options).Segments.ShouldBeEmpty();
    }

    [Fact]
    public void AudioShorterThanOneSecondIsSkippedAsWhisperCppDoes()
    {
        Decoder().Run(new float[12000], new DecodingOptions()).Segments.ShouldBeEmpty();
    }

    [Fact]
    public void AnInitialPromptConditionsTheDecoding()
    {
        var plain = Decoder().Run(Clip(), new DecodingOptions { MaxTokens = 16, TemperatureIncrement = 0 });
        var prompted = Decoder().Run(Clip(), new DecodingOptions { MaxTokens = 16, TemperatureIncrement = 0, InitialPrompt = "Hello customer service" });
        prompted.Segments.Select(s => s.Text).ShouldNotBe(plain.Segments.Select(s => s.Text));
    }

    [Fact]
    public void AudioLongerThanOneWindowIsDecodedWindowByWindowWithTimesMovingForward()
    {
        // 45 s: three clips, each followed by silence, so a second 30 s window is needed
        var clip = Clip();
        var audio = new float[16000 * 45];
        for (var i = 0; i < 3; i++)
        {
            clip.CopyTo(audio.AsSpan(i * 16000 * 15));
        }

        var result = Decoder().Run(audio, new DecodingOptions { MaxTokens = 24, TemperatureIncrement = 0 });
        result.Segments.Count.ShouldBeGreaterThanOrEqualTo(2);
        result.Segments.ShouldContain(s => s.T0 >= 3000, "no segment from the second window");
        result.Segments.Select(s => s.T0).ShouldBeInOrder(SortDirection.Ascending);
        result.Segments.ShouldAllBe(s => s.T1 >= s.T0);
    }
}
