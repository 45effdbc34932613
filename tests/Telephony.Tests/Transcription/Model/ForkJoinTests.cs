using CallCenter.Telephony.Transcription.Model;

namespace CallCenter.Telephony.Tests.Transcription.Model;

/// <summary>The state's fork-join: every part of every region runs exactly once, one worker index is never in two
/// places at once, and failures reach the caller.</summary>
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
    public async Task AHelperThatStartsLateNeverSharesItsWorkerIndexWithTheCurrentOne()
    {
        // The encoder's tiles keep scratch per worker index. A helper queued for one region can start only
        // during a later one, beside that region's own helper with the same index: one of them must step aside.
        var queued = new List<IThreadPoolWorkItem>();
        var fork = new ForkJoin(2, item => { lock (queued) { queued.Add(item); } });

        fork.Run(new CountingJob(2), 2); // its helper stays queued: the caller runs both parts

        var job = new WorkerJob(2);
        var starter = Task.Run(() =>
        {
            SpinWait.SpinUntil(() => { lock (queued) { return queued.Count == 2; } }, TimeSpan.FromSeconds(10));
            IThreadPoolWorkItem[] late;
            lock (queued)
            {
                late = [.. queued];
            }

            // the stale helper and the current one, started together on two threads of their own
            var threads = late.Select(item => new Thread(item.Execute)).ToArray();
            Array.ForEach(threads, t => t.Start());
            Array.ForEach(threads, t => t.Join());
        });
        fork.Run(job, 3);
        await starter.WaitAsync(TimeSpan.FromSeconds(10));

        job.Overlaps.ShouldBe(0);
        job.Runs.ShouldBe(3);
        job.Workers.ShouldBe([0, 1], ignoreOrder: true);
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

        public void Run(int part, int parts, int worker) => Interlocked.Increment(ref Counts[part]);
    }

    // Each part waits until a second part runs (the caller's part thus waits for a helper to join), then
    // lingers a little, so a second thread under one worker index, started beside the first, is seen.
    private sealed class WorkerJob(int threads) : IPartJob
    {
        private readonly int[] active = new int[threads];
        private readonly HashSet<int> workers = [];
        private int overlaps;
        private int running;
        private int runs;

        public int Overlaps => overlaps;

        public int Runs => runs;

        public IReadOnlyCollection<int> Workers => workers;

        public void Run(int part, int parts, int worker)
        {
            lock (workers)
            {
                workers.Add(worker);
            }

            if (Interlocked.Increment(ref active[worker]) != 1)
            {
                Interlocked.Increment(ref overlaps);
            }

            Interlocked.Increment(ref running);
            SpinWait.SpinUntil(() => Volatile.Read(ref running) >= 2, TimeSpan.FromSeconds(10));
            Thread.Sleep(200);
            Interlocked.Decrement(ref active[worker]);
            Interlocked.Increment(ref runs);
        }
    }

    private sealed class FailingJob : IPartJob
    {
        private int finished;

        public int Finished => finished;

        public void Run(int part, int parts, int worker)
        {
            if (part == 2)
            {
                throw new InvalidOperationException("part 2");
            }

            Interlocked.Increment(ref finished);
        }
    }
}
