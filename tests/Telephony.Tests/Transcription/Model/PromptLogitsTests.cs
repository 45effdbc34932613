using System.Text.Json;
using CallCenter.Telephony.Transcription.Audio;
using CallCenter.Telephony.Transcription.Model;

namespace CallCenter.Telephony.Tests.Transcription.Model;

/// <summary>Raw next-token logits after the prompt, against whisper.cpp's values (README: within 0.25; stats within 0.01).</summary>
[Collection(WhisperModels.Name)]
public sealed class PromptLogitsTests(ModelCache models)
{
    public static TheoryData<string, string> Cases() => new()
    {
        { Reference.Micro, "zh_greet_16k.wav" },
        { Reference.Micro, "zh_duty_16k.wav" },
        { Reference.Micro, "zh_duty_tel16k.wav" },
        { Reference.Micro, "en_greet_16k.wav" },
        { Reference.Micro, "silence_noise_3s.wav" },
        { Reference.Tiny, "zh_greet_16k.wav" },
        { Reference.Tiny, "zh_duty_16k.wav" },
        { Reference.Tiny, "zh_duty_tel16k.wav" },
        { Reference.Tiny, "en_greet_16k.wav" },
        { Reference.Tiny, "silence_noise_3s.wav" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryRecordedPromptLogitIsWithinToleranceOfWhisperCpp(string modelName, string clip)
    {
        var model = models.Get(modelName);
        var state = new WhisperState(model, threads: 2);
        var mel = new LogMel(model.File.MelFilters, model.HParams.NMels).Compute(WavReader.Read(Reference.Path(clip)).Samples);
        state.Encode(mel.Data, mel.Length);
        foreach (var expected in Reference.Results(modelName, clip).GetProperty("prompt_logits").EnumerateArray())
        {
            var prompt = expected.GetProperty("prompt").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            state.Decode(prompt, 0);
            var logits = state.Logits.ToArray();
            CheckLogits(logits, expected, $"{modelName}/{clip}/[{string.Join(',', prompt)}]");
        }
    }

    internal static void CheckLogits(float[] logits, JsonElement expected, string label)
    {
        var stats = expected.GetProperty("stats");
        var mean = logits.Average(v => (double)v);
        var std = Math.Sqrt(logits.Average(v => (v - mean) * (v - mean)));
        mean.ShouldBe(stats.GetProperty("mean").GetDouble(), 0.01, label + " mean");
        std.ShouldBe(stats.GetProperty("std").GetDouble(), 0.01, label + " std");
        foreach (var probe in expected.GetProperty("probe").EnumerateObject())
        {
            logits[int.Parse(probe.Name, System.Globalization.CultureInfo.InvariantCulture)].ShouldBe(probe.Value.GetSingle(), 0.25f, $"{label} probe {probe.Name}");
        }

        var top = expected.GetProperty("top20").EnumerateArray().ToArray();
        for (var i = 0; i < top.Length; i++)
        {
            var id = top[i].GetProperty("id").GetInt32();
            var value = top[i].GetProperty("logit").GetSingle();
            logits[id].ShouldBe(value, 0.25f, $"{label} top20[{i}] id {id}");

            // The order may differ only through near-ties (< 0.25): whatever we rank above this id that the
            // reference ranks below it (listed later or not in its top 20) must be within 0.25 of it, and vice versa.
            var aboveInReference = top.Take(i).Select(t => t.GetProperty("id").GetInt32()).ToHashSet();
            for (var j = 0; j < logits.Length; j++)
            {
                if (j != id && logits[j] > logits[id] && !aboveInReference.Contains(j))
                {
                    (logits[j] - logits[id]).ShouldBeLessThan(0.25f, $"{label}: id {j} ranks above id {id} here but not in whisper.cpp");
                }
            }

            foreach (var above in aboveInReference.Where(a => logits[a] < logits[id]))
            {
                (logits[id] - logits[above]).ShouldBeLessThan(0.25f, $"{label}: id {above} ranks below id {id} here but above in whisper.cpp");
            }
        }
    }
}
