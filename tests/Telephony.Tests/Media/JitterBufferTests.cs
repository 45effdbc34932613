using CallCenter.Telephony.Media;

namespace CallCenter.Telephony.Tests.Media;

public sealed class JitterBufferTests
{
    [Fact]
    public void PacketsComeOutInSequenceOrderAcrossTheWrap()
    {
        var jb = new JitterBuffer<int>(3);
        var outList = new List<int>();
        ushort[] arrival = [65533, 65535, 65534, 1, 0, 2, 4, 3, 5];
        foreach (var s in arrival)
        {
            jb.Add(s, s, outList);
        }

        jb.Flush(outList);

        outList.ShouldBe([65533, 65534, 65535, 0, 1, 2, 3, 4, 5]);
    }

    [Fact]
    public void DuplicatesAndPacketsOlderThanTheLastReleasedAreDropped()
    {
        var jb = new JitterBuffer<int>(1);
        var outList = new List<int>();
        jb.Add(10, 10, outList);
        jb.Add(10, 10, outList);
        jb.Add(11, 11, outList);
        jb.Add(12, 12, outList); // releases 10 then 11
        jb.Add(9, 9, outList);   // older than released: late
        jb.Flush(outList);

        outList.ShouldBe([10, 11, 12]);
        jb.Duplicates.ShouldBe(1);
        jb.Late.ShouldBe(1);
    }
}
