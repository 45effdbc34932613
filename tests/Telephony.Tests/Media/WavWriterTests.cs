using System.Buffers.Binary;
using CallCenter.Telephony.Media;

namespace CallCenter.Telephony.Tests.Media;

public sealed class WavWriterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("wav-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void SamplesLandAtTheirPositionWithSilenceInGapsAndLateOnesFillingThem()
    {
        var path = Path.Combine(_dir, "a.wav");
        using (var w = new WavWriter(path))
        {
            w.Write(0, [1, 2, 3]);
            w.Write(6, [7, 8]);     // gap of 3 samples
            w.Write(3, [4, 5]);     // a late packet fills part of the gap
        }

        WavReader.ReadMono8k(path).ShouldBe([1, 2, 3, 4, 5, 0, 7, 8]);
    }

    [Fact]
    public void TheHeaderIsRewrittenWhileRecordingSoAnUnclosedFileIsPlayable()
    {
        var path = Path.Combine(_dir, "live.wav");
        var w = new WavWriter(path);
        w.Append(new short[8000 * 2 + 10]); // a bit over two seconds

        // Read while the writer is still open (as after a kill): the header already covers the first 2 s.
        using (var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            var header = new byte[44];
            f.ReadExactly(header);
            BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(40)).ShouldBeGreaterThanOrEqualTo(8000u * 2 * 2);
        }

        w.Dispose();
        WavReader.ReadMono8k(path).Length.ShouldBe(8000 * 2 + 10);
    }

    [Fact]
    public void RepairSetsTheSizesFromTheFileLength()
    {
        var path = Path.Combine(_dir, "crashed.wav");
        using (var w = new WavWriter(path))
        {
            w.Append([10, 20, 30, 40]);
        }

        // Simulate a crash after more audio was written but before the header caught up.
        using (var f = new FileStream(path, FileMode.Append))
        {
            f.Write([50, 0, 60, 0, 7]); // two samples and a stray odd byte
        }

        var duration = WavWriter.Repair(path);

        WavReader.ReadMono8k(path).ShouldBe([10, 20, 30, 40, 50, 60]);
        duration.ShouldBe(TimeSpan.FromSeconds(6 / 8000.0));
    }

    [Fact]
    public void RepairOfAFileShorterThanAHeaderLeavesAnEmptyValidWav()
    {
        var path = Path.Combine(_dir, "stub.wav");
        File.WriteAllBytes(path, [1, 2, 3]);

        WavWriter.Repair(path).ShouldBe(TimeSpan.Zero);
        WavReader.ReadMono8k(path).ShouldBeEmpty();
    }
}
