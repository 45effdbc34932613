using System.Globalization;

namespace CallCenter.Whisper.Bench;

/// <summary>Median wall and process CPU milliseconds of repeated runs.</summary>
internal sealed record Timing(double Wall, double Cpu)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Wall:F0} ms (CPU {Cpu:F0} ms)");
}
