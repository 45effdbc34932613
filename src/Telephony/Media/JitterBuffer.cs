namespace CallCenter.Telephony.Media;

/// <summary>
/// A small reorder buffer keyed by RTP sequence number (wrap-aware): holds up to <c>depth</c> packets and
/// releases them in order; duplicates and packets older than the last released one are dropped.
/// </summary>
public sealed class JitterBuffer<T>(int depth)
{
    private readonly SortedList<long, T> _held = [];
    private long _highestExtended = -1;
    private long _lastReleased = -1;

    public int Count => _held.Count;

    public long Late { get; private set; }

    public long Duplicates { get; private set; }

    /// <summary>Adds a packet; released packets (in sequence order) are appended to <paramref name="released"/>.</summary>
    public void Add(ushort sequence, T item, List<T> released)
    {
        ArgumentNullException.ThrowIfNull(released);
        var ext = Extend(sequence);
        if (ext <= _lastReleased)
        {
            Late++;
            return;
        }

        if (!_held.TryAdd(ext, item))
        {
            Duplicates++;
            return;
        }

        while (_held.Count > depth)
        {
            Release(released);
        }
    }

    /// <summary>Releases everything held (end of call).</summary>
    public void Flush(List<T> released)
    {
        ArgumentNullException.ThrowIfNull(released);
        while (_held.Count > 0)
        {
            Release(released);
        }
    }

    private void Release(List<T> released)
    {
        _lastReleased = _held.Keys[0];
        released.Add(_held.Values[0]);
        _held.RemoveAt(0);
    }

    // Extends the 16-bit sequence number to 64 bits around the highest seen (RFC 3550 Appendix A.1 idea).
    private long Extend(ushort sequence)
    {
        if (_highestExtended < 0)
        {
            _highestExtended = sequence;
            return sequence;
        }

        var cycles = _highestExtended & ~0xFFFFL;
        var candidate = cycles | sequence;
        if (candidate - _highestExtended > 0x8000)
        {
            candidate -= 0x10000;
        }
        else if (_highestExtended - candidate > 0x8000)
        {
            candidate += 0x10000;
        }

        if (candidate > _highestExtended)
        {
            _highestExtended = candidate;
        }

        return candidate;
    }
}
