using CallCenter.Telephony.Media;

namespace CallCenter.Telephony.Tests.Media;

public sealed class StereoWavWriterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("stereo-").FullName;

    [Fact]
    public void EachChannelLandsAtItsPositionWithSilenceAroundIt()
    {
        var path = Path.Combine(_dir, "a.wav");
        using (var w = new StereoWavWriter(path, TimeProvider.System))
        {
            w.Write(1, 100, [7, 8, 9]);
            w.Write(0, 0, [1, 2, 3]);
            w.Write(0, 101, [-5]);
        }

        var (left, right) = StereoWavWriter.ReadChannels(path);
        left.Length.ShouldBe(103);
        left[..3].ShouldBe(new short[] { 1, 2, 3 });
        left[101].ShouldBe((short)-5);
        right[100..].ShouldBe(new short[] { 7, 8, 9 });
        right[..100].ShouldAllBe(s => s == 0);
        File.ReadAllBytes(path)[22].ShouldBe((byte)2); // channels in the fmt chunk
    }

    [Fact]
    public void AudioFarBeyondTheMergeWindowIsWrittenAndTooLateAudioIsDroppedAndCounted()
    {
        var path = Path.Combine(_dir, "b.wav");
        using var w = new StereoWavWriter(path, TimeProvider.System);
        var second = Enumerable.Repeat((short)300, 8000).ToArray();
        for (var s = 0; s < 5; s++)
        {
            w.Write(0, s * 8000L, second);
        }

        w.Write(1, 10, [42]); // three seconds too late: the merge window moved on
        w.LateSamples.ShouldBe(1);
        w.Write(1, 4 * 8000L, [42]);
        w.Dispose();
        var (left, right) = StereoWavWriter.ReadChannels(path);
        left.Length.ShouldBe(40_000);
        left.ShouldAllBe(s => s == 300);
        right[10].ShouldBe((short)0);
        right[32_000].ShouldBe((short)42);
        new FileInfo(path).Length.ShouldBe(StereoWavWriter.HeaderSize + (40_000 * 4));
    }

    [Fact]
    public void ATimestampJumpFarAheadOfTheClockIsNotTurnedIntoHoursOfSilence()
    {
        var path = Path.Combine(_dir, "c.wav");
        using var w = new StereoWavWriter(path, TimeProvider.System);
        w.Write(0, int.MaxValue, [1, 2]);
        w.LateSamples.ShouldBe(2);
        w.FrameCount.ShouldBe(0);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
