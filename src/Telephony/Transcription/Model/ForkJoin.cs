using System.Runtime.ExceptionServices;

namespace CallCenter.Telephony.Transcription.Model;

/// <summary>One fork-join job: part <c>part</c> of <c>parts</c>, each part independent of the others.</summary>
internal interface IPartJob
{
    /// <param name="worker">0 for the caller, 1…Threads-1 for the helpers: no two parts run at once on one
    /// worker index, so a job may keep scratch memory per worker rather than per part.</param>
    void Run(int part, int parts, int worker);
}

/// <summary>
/// A light fork-join for the decoder's ~13 parallel regions per token and the encoder's tiles, owned by one
/// <see cref="WhisperState"/>: the caller queues one reusable pool work item per helper and claims parts itself,
/// so nothing is allocated per region, and when a helper is slow to start (a loaded machine) the caller simply
/// runs every part. Parts are claimed with one compare-exchange on (parts, next index): a helper that starts
/// late only ever claims parts of the region in progress, or none. No dedicated thread, so nothing to dispose.
/// </summary>
internal sealed class ForkJoin
{
    private readonly int threads;
    private readonly Action<IThreadPoolWorkItem> enqueue;
    private readonly Helper[] helpers;
    private readonly int[] busy; // per worker index: 1 while a thread works under it
    private IPartJob? job;
    private long claim; // parts << 32 | next unclaimed part
    private int done;
    private ExceptionDispatchInfo? failure;

    /// <param name="enqueue">Where helpers are queued: the thread pool, or a test that starts them when it likes.</param>
    public ForkJoin(int threads, Action<IThreadPoolWorkItem>? enqueue = null)
    {
        this.threads = threads;
        this.enqueue = enqueue ?? (item => ThreadPool.UnsafeQueueUserWorkItem(item, preferLocal: false));
        helpers = [.. Enumerable.Range(1, Math.Max(0, threads - 1)).Select(w => new Helper(this, w))];
        busy = new int[Math.Max(1, threads)];
    }

    public int Threads => threads;

    /// <summary>Runs parts 0…parts-1 of <paramref name="work"/> on the caller and up to Threads-1 pool threads, and returns when all are done.</summary>
    public void Run(IPartJob work, int parts)
    {
        if (threads <= 1 || parts <= 1)
        {
            for (var p = 0; p < parts; p++)
            {
                work.Run(p, parts, 0);
            }

            return;
        }

        job = work;
        failure = null;
        Volatile.Write(ref done, 0);
        Volatile.Write(ref claim, (long)parts << 32);
        for (var h = 0; h < Math.Min(threads, parts) - 1; h++)
        {
            enqueue(helpers[h]);
        }

        Work(0);
        var spinner = default(SpinWait);
        while (Volatile.Read(ref done) < parts)
        {
            spinner.SpinOnce(sleep1Threshold: -1);
        }

        job = null;
        failure?.Throw();
    }

    private void Work(int worker)
    {
        // A helper queued for an earlier region may start only now, beside the one queued for this region:
        // the second to arrive under the same index leaves, so a worker's scratch is never shared.
        if (Interlocked.CompareExchange(ref busy[worker], 1, 0) != 0)
        {
            return;
        }

        try
        {
            while (true)
            {
                var c = Volatile.Read(ref claim);
                var parts = (int)(c >> 32);
                var part = (int)c;
                if (part >= parts)
                {
                    return;
                }

                if (Interlocked.CompareExchange(ref claim, c + 1, c) != c)
                {
                    continue;
                }

                try
                {
                    job!.Run(part, parts, worker);
                }
                catch (Exception e)
                {
                    failure = ExceptionDispatchInfo.Capture(e);
                }
                finally
                {
                    Interlocked.Increment(ref done);
                }
            }
        }
        finally
        {
            Volatile.Write(ref busy[worker], 0);
        }
    }

    private sealed class Helper(ForkJoin owner, int worker) : IThreadPoolWorkItem
    {
        public void Execute() => owner.Work(worker);
    }
}
