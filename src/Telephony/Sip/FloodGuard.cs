using System.Collections.Concurrent;
using System.Net;

namespace CallCenter.Telephony.Sip;

/// <summary>
/// Per-source-address token buckets checked before a datagram is parsed (Kamailio pike model): one flooding
/// address exhausts only its own bucket, so other sources keep being served. Trusted addresses are exempt.
/// </summary>
public sealed class FloodGuard(double ratePerSecond, double burst, IReadOnlySet<IPAddress> trusted, TimeProvider time)
{
    private const int MaxTracked = 100_000;
    private readonly ConcurrentDictionary<IPAddress, Bucket> _buckets = new();
    private long _lastSweepTicks;

    public int TrackedSources => _buckets.Count;

    /// <summary>True when a request from <paramref name="source"/> may be processed now.</summary>
    public bool Allow(IPAddress source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (ratePerSecond <= 0 || trusted.Contains(source))
        {
            return true;
        }

        var now = time.GetTimestamp();
        Sweep(now);
        var bucket = _buckets.GetOrAdd(source, _ => new Bucket(burst, now));
        lock (bucket)
        {
            var elapsed = time.GetElapsedTime(bucket.Stamp, now).TotalSeconds;
            bucket.Tokens = Math.Min(burst, bucket.Tokens + (elapsed * ratePerSecond));
            bucket.Stamp = now;
            if (bucket.Tokens < 1)
            {
                return false;
            }

            bucket.Tokens -= 1;
            return true;
        }
    }

    // Forget idle sources so a spoofed-address sweep cannot grow the table without bound.
    private void Sweep(long now)
    {
        var last = Interlocked.Read(ref _lastSweepTicks);
        if (time.GetElapsedTime(last, now) < TimeSpan.FromSeconds(30) && _buckets.Count < MaxTracked)
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _lastSweepTicks, now, last) != last)
        {
            return;
        }

        foreach (var (ip, b) in _buckets)
        {
            if (time.GetElapsedTime(b.Stamp, now) > TimeSpan.FromSeconds(60) || _buckets.Count >= MaxTracked)
            {
                _buckets.TryRemove(ip, out _);
            }
        }
    }

    private sealed class Bucket(double tokens, long stamp)
    {
        public double Tokens { get; set; } = tokens;

        public long Stamp { get; set; } = stamp;
    }
}
