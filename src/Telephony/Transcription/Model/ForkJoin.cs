using System.Runtime.ExceptionServices;

namespace CallCenter.Telephony.Transcription.Model;

/// <summary>One fork-join job: part <c>part</c> of <c>parts</c>, each part independent of the others.</summary>
internal interface IPartJob
{
    void Run(int part, int parts);
}

/// <summary>
/// A light fork-join for the decoder's ~13 parallel regions per token, owned by one <see cref="WhisperState"/>:
/// the caller queues one reusable pool work item per helper and claims parts itself, so nothing is allocated per
/// region, and when a helper is slow to start (a loaded machine) the caller simply runs every part. Parts are
/// claimed with one compare-exchange on (parts, next index): a helper that starts late only ever claims parts
/// of the region in progress, or none. No dedicated thread, so nothing to dispose.
/// </summary>
internal sealed class ForkJoin(int threads) : IThreadPoolWorkItem
{
    private IPartJob? job;
    private long claim; // parts << 32 | next unclaimed part
    private int done;
    private ExceptionDispatchInfo? failure;

    public int Threads => threads;

    /// <summary>Runs parts 0…parts-1 of <paramref name="work"/> on the caller and up to Threads-1 pool threads, and returns when all are done.</summary>
    public void Run(IPartJob work, int parts)
    {
        if (threads <= 1 || parts <= 1)
        {
            for (var p = 0; p < parts; p++)
            {
                work.Run(p, parts);
            }

            return;
        }

        job = work;
        failure = null;
        Volatile.Write(ref done, 0);
        Volatile.Write(ref claim, (long)parts << 32);
        for (var h = 1; h < Math.Min(threads, parts); h++)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }

        Work();
        var spinner = default(SpinWait);
        while (Volatile.Read(ref done) < parts)
        {
            spinner.SpinOnce(sleep1Threshold: -1);
        }

        job = null;
        failure?.Throw();
    }

    void IThreadPoolWorkItem.Execute() => Work();

    private void Work()
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
                job!.Run(part, parts);
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
}
