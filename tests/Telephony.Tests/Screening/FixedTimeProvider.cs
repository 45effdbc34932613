namespace CallCenter.Telephony.Tests.Screening;

/// <summary>Fake at the TimeProvider seam: a clock that stands still at the given instant.</summary>
internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now.ToUniversalTime();
}
