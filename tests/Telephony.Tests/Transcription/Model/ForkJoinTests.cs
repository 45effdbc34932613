using CallCenter.Telephony.Transcription.Model;

namespace CallCenter.Telephony.Tests.Transcription.Model;

/// <summary>The decoder's fork-join: every part of every region runs exactly once, and failures reach the caller.</summary>
public sealed class ForkJoinTests
{
    [Fact]
    public void EveryPartOfEveryRegionRunsExactlyOnce()
    {
        var fork = new ForkJoin(2);
        var job = new CountingJob(8);
        for (var region = 0; region < 2000; region++)
        {
            fork.Run(job, job.Counts.Length);
        }

        job.Counts.ShouldAllBe(c => c == 2000);
    }

    [Fact]
    public void AFailingPartIsRethrownOnTheCallerAfterTheOtherPartsFinish()
    {
        var fork = new ForkJoin(2);
        var job = new FailingJob();
        Should.Throw<InvalidOperationException>(() => fork.Run(job, 4)).Message.ShouldBe("part 2");
        job.Finished.ShouldBe(3);

        // the fork-join is usable again afterwards
        var counting = new CountingJob(4);
        fork.Run(counting, 4);
        counting.Counts.ShouldAllBe(c => c == 1);
    }

    private sealed class CountingJob(int parts) : IPartJob
    {
        public int[] Counts { get; } = new int[parts];

        public void Run(int part, int parts) => Interlocked.Increment(ref Counts[part]);
    }

    private sealed class FailingJob : IPartJob
    {
        private int finished;

        public int Finished => finished;

        public void Run(int part, int parts)
        {
            if (part == 2)
            {
                throw new InvalidOperationException("part 2");
            }

            Interlocked.Increment(ref finished);
        }
    }
}
