using System.Buffers.Binary;
using System.Text;
using CallCenter.Telephony.Transcription.Audio;
using CallCenter.Telephony.Transcription.Ggml;
using CallCenter.Telephony.Transcription.Model;

namespace CallCenter.Telephony.Tests.Transcription.Ggml;

/// <summary>
/// A q8_0 file end to end: the micro model's linear weights are re-encoded as q8_0 blocks (as whisper.cpp's
/// quantize tool does to users' models), loaded through the same path, and must still give whisper.cpp's
/// prompt logits within what 8-bit weights allow.
/// </summary>
public sealed class QuantizedModelTests
{
    [Fact]
    public void AQ8ModelLoadsAndStaysCloseToTheF16Reference()
    {
        var path = Path.Combine(Path.GetTempPath(), $"whisper-q8-{Guid.NewGuid():N}.bin");
        try
        {
            var quantized = WriteQ8Copy(Reference.Path(Reference.Micro), path);
            quantized.ShouldBeGreaterThan(20);
            var model = WhisperModel.Load(path);
            model.File.Tensor("decoder.blocks.0.mlp.0.weight").Type.ShouldBe(GgmlType.Q8x0);
            model.File.Tensor("decoder.token_embedding.weight").Type.ShouldBe(GgmlType.Q8x0);

            var state = new WhisperState(model, 2);
            var mel = new LogMel(model.File.MelFilters, 80).Compute(WavReader.Read(Reference.Path("zh_duty_16k.wav")).Samples);
            state.Encode(mel.Data, mel.Length);
            var expected = Reference.Results(Reference.Micro, "zh_duty_16k.wav").GetProperty("prompt_logits")[0];
            state.Decode(expected.GetProperty("prompt").EnumerateArray().Select(e => e.GetInt32()).ToArray(), 0);
            var logits = state.Logits.ToArray();
            var top = expected.GetProperty("top20").EnumerateArray().Take(5).ToArray();
            foreach (var t in top)
            {
                // 8-bit weights move logits of std 20 by a few tenths; a decoding error would move them by tens
                logits[t.GetProperty("id").GetInt32()].ShouldBe(t.GetProperty("logit").GetSingle(), 2.0f);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static int WriteQ8Copy(string source, string target)
    {
        var bytes = File.ReadAllBytes(source);
        using var output = new BinaryWriter(File.Create(target));
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

        var header = bytes[..at];
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4 + 10 * 4), 2007); // ftype: mostly q8_0, quantisation version 2
        output.Write(header);
        var converted = 0;
        while (at < bytes.Length)
        {
            var nDims = BitConverter.ToInt32(bytes, at);
            var nameLen = BitConverter.ToInt32(bytes, at + 4);
            var type = BitConverter.ToInt32(bytes, at + 8);
            var ne = Enumerable.Range(0, nDims).Select(d => BitConverter.ToInt32(bytes, at + 12 + 4 * d)).ToArray();
            var nameAt = at + 12 + 4 * nDims;
            var name = Encoding.UTF8.GetString(bytes, nameAt, nameLen);
            var elements = ne.Aggregate(1, (a, b) => a * b);
            var dataAt = nameAt + nameLen;
            var size = elements * (type == 0 ? 4 : 2);
            var quantize = type == 1 && nDims == 2 && ne[0] % 32 == 0 && name.EndsWith(".weight", StringComparison.Ordinal);
            output.Write(nDims);
            output.Write(nameLen);
            output.Write(quantize ? 8 : type);
            foreach (var n in ne)
            {
                output.Write(n);
            }

            output.Write(bytes, nameAt, nameLen);
            if (quantize)
            {
                converted++;
                for (var b = 0; b < elements / 32; b++)
                {
                    var values = Enumerable.Range(0, 32).Select(j => (float)BinaryPrimitives.ReadHalfLittleEndian(bytes.AsSpan(dataAt + 2 * (b * 32 + j)))).ToArray();
                    var d = values.Max(Math.Abs) / 127f;
                    output.Write((Half)d);
                    foreach (var v in values)
                    {
                        output.Write((sbyte)(d == 0 ? 0 : Math.Round(v / d)));
                    }
                }
            }
            else
            {
                output.Write(bytes, dataAt, size);
            }

            at = dataAt + size;
        }

        return converted;
    }
}
