namespace CallCenter.Telephony.Transcription.Model;

/// <summary>
/// Where a decoder step spends its time (bench/profiling only; null on the state in production). The clock is
/// the profiler's: process CPU time on a shared machine, where wall time mostly measures the other jobs.
/// </summary>
internal sealed class DecoderStageTimes(Func<long> clock)
{
    private readonly long[] ticks = new long[Enum.GetValues<DecoderStage>().Length];

    public IReadOnlyList<long> Ticks => ticks;

    public long Now() => clock();

    /// <summary>Adds the time since <paramref name="start"/> to <paramref name="stage"/> and restarts the clock.</summary>
    public void Mark(DecoderStage stage, ref long start)
    {
        var now = clock();
        ticks[(int)stage] += now - start;
        start = now;
    }

    public void Reset() => Array.Clear(ticks);
}

internal enum DecoderStage
{
    Embed,
    LayerNorm,
    SelfProjections,
    SelfAttention,
    CrossProjections,
    CrossAttention,
    Mlp,
    Elementwise,
    Vocabulary,
}
