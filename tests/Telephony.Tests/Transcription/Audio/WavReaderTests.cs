using System.Buffers.Binary;
using CallCenter.Telephony.Transcription.Audio;

namespace CallCenter.Telephony.Tests.Transcription.Audio;

public sealed class WavReaderTests
{
    private static byte[] Wav(int format, int channels, int rate, int bits, int dataBytes, int? declared = null)
    {
        var b = new byte[44 + dataBytes];
        "RIFF"u8.CopyTo(b);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(4), 36 + dataBytes);
        "WAVEfmt "u8.CopyTo(b.AsSpan(8));
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(16), 16);
        BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(20), (short)format);
        BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(22), (short)channels);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(24), rate);
        BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(34), (short)bits);
        "data"u8.CopyTo(b.AsSpan(36));
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(40), declared ?? dataBytes);
        return b;
    }

    [Fact]
    public void TheReferenceClipReadsAsSampleOver32768()
    {
        var audio = WavReader.Read(Reference.Path("zh_duty_16k.wav"));
        audio.SampleRate.ShouldBe(16000);
        audio.Samples.Length.ShouldBe(72303);
        var raw = File.ReadAllBytes(Reference.Path("zh_duty_16k.wav"));
        audio.Samples[1000].ShouldBe(BinaryPrimitives.ReadInt16LittleEndian(raw.AsSpan(44 + 2000)) / 32768f);
    }

    [Fact]
    public void StereoIsRefusedWithTheReason() =>
        Should.Throw<WavFormatException>(() => WavReader.Parse(Wav(1, 2, 16000, 16, 8))).Message.ShouldContain("2 channels");

    [Fact]
    public void AnUnsupportedRateIsRefused() =>
        Should.Throw<WavFormatException>(() => WavReader.Parse(Wav(1, 1, 44100, 16, 8))).Message.ShouldContain("44100");

    [Fact]
    public void MuLawIsRefusedWithAHint() =>
        Should.Throw<WavFormatException>(() => WavReader.Parse(Wav(7, 1, 8000, 8, 8))).Message.ShouldContain("format code 7");

    [Fact]
    public void EightBitPcmIsRefused() =>
        Should.Throw<WavFormatException>(() => WavReader.Parse(Wav(1, 1, 16000, 8, 8))).Message.ShouldContain("8-bit");

    [Fact]
    public void ATruncatedDataChunkIsRefused() =>
        Should.Throw<WavFormatException>(() => WavReader.Parse(Wav(1, 1, 16000, 16, 8, declared: 8000))).Message.ShouldContain("truncated");

    [Fact]
    public void NonRiffBytesAreRefused() =>
        Should.Throw<WavFormatException>(() => WavReader.Parse("ID3 not a wav at all"u8)).Message.ShouldContain("RIFF");

    [Fact]
    public void AMissingFileNamesThePath() =>
        Should.Throw<WavFormatException>(() => WavReader.Read("/nonexistent/x.wav")).Message.ShouldContain("/nonexistent/x.wav");

    [Fact]
    public void EightKilohertzAudioIsAcceptedForResampling()
    {
        var audio = WavReader.Parse(Wav(1, 1, 8000, 16, 16));
        audio.SampleRate.ShouldBe(8000);
        Resampler.To16k(audio).Length.ShouldBe(16);
    }

    [Fact]
    public void WrittenPcmReadsBack()
    {
        var samples = new[] { 0f, 0.5f, -0.5f, 0.25f };
        WavReader.Parse(WavWriter.ToPcm16(samples, 16000)).Samples.ShouldBe(samples);
    }
}
