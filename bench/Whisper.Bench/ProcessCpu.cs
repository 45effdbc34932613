using System.Runtime.InteropServices;

namespace CallCenter.Whisper.Bench;

/// <summary>Process CPU time (all threads) from clock_gettime: cheap enough to read around each decoder stage.</summary>
internal static partial class ProcessCpu
{
    private const int ClockProcessCpuTimeId = 2;

    public static long Nanoseconds()
    {
        if (ClockGetTime(ClockProcessCpuTimeId, out var ts) != 0)
        {
            throw new InvalidOperationException("clock_gettime(CLOCK_PROCESS_CPUTIME_ID) failed");
        }

        return ts.Seconds * 1_000_000_000 + ts.Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec ts);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
