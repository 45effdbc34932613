using CallCenter.Telephony.Transcription.Ggml;
using CallCenter.Telephony.Transcription.Model;

namespace CallCenter.Telephony.Tests.Transcription.Ggml;

/// <summary>The loader against reference.json: hyper-parameters, filters, vocabulary and every tensor's statistics.</summary>
[Collection(WhisperModels.Name)]
public sealed class GgmlModelFileTests(ModelCache models)
{
    [Theory]
    [InlineData(Reference.Micro)]
    [InlineData(Reference.Tiny)]
    public void EveryTensorMatchesTheReferenceChecksums(string name)
    {
        var file = models.Get(name).File;
        var expected = Reference.Model(name);
        var hp = expected.GetProperty("hparams");
        file.HParams.NVocab.ShouldBe(hp.GetProperty("n_vocab").GetInt32());
        file.HParams.NAudioState.ShouldBe(hp.GetProperty("n_audio_state").GetInt32());
        file.HParams.NAudioLayer.ShouldBe(hp.GetProperty("n_audio_layer").GetInt32());
        file.HParams.NTextLayer.ShouldBe(hp.GetProperty("n_text_layer").GetInt32());
        file.HParams.NTextHead.ShouldBe(hp.GetProperty("n_text_head").GetInt32());
        file.HParams.FType.ShouldBe(hp.GetProperty("ftype").GetInt32());
        file.Vocabulary.Count.ShouldBe(expected.GetProperty("vocab_tokens_in_file").GetInt32());
        file.Vocabulary[50256].Length.ShouldBe(0);
        file.MelFilters.Length.ShouldBe(80 * 201);

        var tensors = expected.GetProperty("tensors").EnumerateArray().ToArray();
        file.Tensors.Count.ShouldBe(tensors.Length);
        foreach (var t in tensors)
        {
            var label = t.GetProperty("name").GetString()!;
            var ours = file.Tensor(label);
            var data = ours.ToFloat();
            ours.Ne.ToArray().ShouldBe(t.GetProperty("ne").EnumerateArray().Select(e => e.GetInt32()).ToArray(), label);
            ours.Type.ToString().ToLowerInvariant().ShouldBe(t.GetProperty("type").GetString(), label);
            var first4 = t.GetProperty("first4").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            for (var i = 0; i < 4; i++)
            {
                ((double)data[i]).ShouldBe(first4[i], label);
            }

            double sum = 0, min = double.MaxValue, max = double.MinValue;
            foreach (var v in data)
            {
                sum += v;
                min = Math.Min(min, v);
                max = Math.Max(max, v);
            }

            var mean = sum / data.Length;
            double sq = 0;
            foreach (var v in data)
            {
                sq += (v - mean) * (v - mean);
            }

            Close(mean, t.GetProperty("mean").GetDouble(), label + " mean");
            Close(Math.Sqrt(sq / data.Length), t.GetProperty("std").GetDouble(), label + " std");
            min.ShouldBe(t.GetProperty("min").GetDouble(), label);
            max.ShouldBe(t.GetProperty("max").GetDouble(), label);
        }
    }

    private static void Close(double actual, double expected, string label) =>
        Math.Abs(actual - expected).ShouldBeLessThanOrEqualTo(1e-6 * Math.Max(Math.Abs(expected), 1e-3), label);

    [Fact]
    public void AMissingFileIsReportedWithItsPath()
    {
        var path = Path.Combine(Path.GetTempPath(), "no-such-model.bin");
        var ex = Should.Throw<WhisperModelException>(() => GgmlModelFile.Load(path));
        ex.Message.ShouldContain(path);
        ex.Message.ShouldContain("not found");
    }

    [Fact]
    public void ATruncatedFileIsReportedWithItsPathAndTheTensorItStoppedIn()
    {
        using var temp = new TempFile();
        var bytes = File.ReadAllBytes(Reference.Path(Reference.Micro));
        File.WriteAllBytes(temp.Path, bytes[..(bytes.Length / 2)]);
        var ex = Should.Throw<WhisperModelException>(() => GgmlModelFile.Load(temp.Path));
        ex.Message.ShouldContain(temp.Path);
        ex.Message.ShouldContain("truncated");
    }

    [Fact]
    public void AFileCutInsideTheVocabularyIsReportedAsTruncated()
    {
        using var temp = new TempFile();
        var bytes = File.ReadAllBytes(Reference.Path(Reference.Micro));
        File.WriteAllBytes(temp.Path, bytes[..100_000]);
        Should.Throw<WhisperModelException>(() => GgmlModelFile.Load(temp.Path)).Message.ShouldContain("truncated");
    }

    [Fact]
    public void AFileWithTheWrongMagicIsNotAModel()
    {
        using var temp = new TempFile();
        File.WriteAllBytes(temp.Path, "RIFF0000WAVEfmt nonsense nonsense nonsense"u8.ToArray());
        var ex = Should.Throw<WhisperModelException>(() => GgmlModelFile.Load(temp.Path));
        ex.Message.ShouldContain(temp.Path);
        ex.Message.ShouldContain("magic");
    }

    [Fact]
    public void CorruptHyperParametersAreRejected()
    {
        using var temp = new TempFile();
        var bytes = File.ReadAllBytes(Reference.Path(Reference.Micro))[..4096];
        BitConverter.GetBytes(-5).CopyTo(bytes, 4 + 4 * 2); // n_audio_state
        File.WriteAllBytes(temp.Path, bytes);
        Should.Throw<WhisperModelException>(() => GgmlModelFile.Load(temp.Path)).Message.ShouldContain("hyper-parameters");
    }

    [Fact]
    public void ACorruptTensorHeaderIsRejected()
    {
        using var temp = new TempFile();
        var bytes = File.ReadAllBytes(Reference.Path(Reference.Micro));
        var firstTensor = FirstTensorOffset(bytes);
        BitConverter.GetBytes(99).CopyTo(bytes, firstTensor + 8); // ttype
        File.WriteAllBytes(temp.Path, bytes);
        Should.Throw<WhisperModelException>(() => GgmlModelFile.Load(temp.Path)).Message.ShouldContain("corrupt");
    }

    [Fact]
    public void AModelWithoutARequiredTensorNamesIt()
    {
        using var temp = new TempFile();
        var bytes = File.ReadAllBytes(Reference.Path(Reference.Micro));
        var at = FirstTensorOffset(bytes);

        // rename the first tensor (encoder.positional_embedding) so it is missing by name
        var nameAt = at + 12 + 4 * BitConverter.ToInt32(bytes, at);
        bytes[nameAt] = (byte)'X';
        File.WriteAllBytes(temp.Path, bytes);
        var ex = Should.Throw<WhisperModelException>(() => WhisperModel.Load(temp.Path));
        ex.Message.ShouldContain("encoder.positional_embedding");
        ex.Message.ShouldContain(temp.Path);
    }

    private static int FirstTensorOffset(byte[] bytes)
    {
        var at = 4 + 11 * 4;
        var nMel = BitConverter.ToInt32(bytes, at);
        var nFft = BitConverter.ToInt32(bytes, at + 4);
        at += 8 + nMel * nFft * 4;
        var count = BitConverter.ToInt32(bytes, at);
        at += 4;
        for (var i = 0; i < count; i++)
        {
            at += 4 + BitConverter.ToInt32(bytes, at);
        }

        return at;
    }

    private sealed class TempFile : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"whisper-test-{Guid.NewGuid():N}.bin");

        public void Dispose() => File.Delete(Path);
    }
}
