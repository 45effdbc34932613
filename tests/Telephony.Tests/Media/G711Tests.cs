using System.Diagnostics;
using CallCenter.Telephony.Media;

namespace CallCenter.Telephony.Tests.Media;

public sealed class G711Tests
{
    [Theory]
    [InlineData("u-law")]
    [InlineData("a-law")]
    public async Task EveryCodeDecodesLikeSox(string encoding)
    {
        // sox is the reference: all 256 code words as raw G.711, converted to signed 16-bit.
        var dir = Directory.CreateTempSubdirectory("g711-");
        try
        {
            var input = Path.Combine(dir.FullName, "in.raw");
            var output = Path.Combine(dir.FullName, "out.raw");
            await File.WriteAllBytesAsync(input, Enumerable.Range(0, 256).Select(i => (byte)i).ToArray());
            var psi = new ProcessStartInfo("sox", ["-t", "raw", "-r", "8000", "-c", "1", "-e", encoding, "-b", "8", input,
                "-t", "raw", "-e", "signed-integer", "-b", "16", "-L", output]) { RedirectStandardError = true };
            using (var sox = Process.Start(psi)!)
            {
                await sox.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);
                sox.ExitCode.ShouldBe(0, await sox.StandardError.ReadToEndAsync());
            }

            var reference = await File.ReadAllBytesAsync(output);
            for (var i = 0; i < 256; i++)
            {
                var expected = BitConverter.ToInt16(reference, i * 2);
                var actual = encoding == "u-law" ? G711.DecodeUlaw((byte)i) : G711.DecodeAlaw((byte)i);
                actual.ShouldBe(expected, $"code 0x{i:X2}");
            }
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public void EncodingADecodedCodeGivesTheSameCodeBack()
    {
        for (var i = 0; i < 256; i++)
        {
            var b = (byte)i;
            G711.EncodeAlaw(G711.DecodeAlaw(b)).ShouldBe(b);
            if (b != 0x7F) // µ-law has two zeros (0x7F and 0xFF); zero encodes as 0xFF
            {
                G711.EncodeUlaw(G711.DecodeUlaw(b)).ShouldBe(b);
            }
        }
    }

    [Fact]
    public void KnownVectorsMatchG711()
    {
        G711.DecodeUlaw(0xFF).ShouldBe((short)0);
        G711.DecodeUlaw(0x00).ShouldBe((short)-32124);
        G711.DecodeUlaw(0x80).ShouldBe((short)32124);
        G711.DecodeAlaw(0xD5).ShouldBe((short)8);
        G711.DecodeAlaw(0x55).ShouldBe((short)-8);
        G711.EncodeUlaw(short.MaxValue).ShouldBe((byte)0x80);
        G711.EncodeAlaw(short.MinValue).ShouldBe((byte)0x2A);
    }
}
