using System.Net;
using CallCenter.Telephony.Sip;

namespace CallCenter.Telephony.Tests.Sip;

public sealed class FloodGuardTests
{
    /// <summary>Fake clock (a seam: TimeProvider), advanced by hand.</summary>
    private sealed class ManualTime : TimeProvider
    {
        private long _ticks = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }

    private static readonly IPAddress A = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress B = IPAddress.Parse("192.0.2.2");

    [Fact]
    public void ASourceGetsItsBurstThenItsRateAndOtherSourcesAreUnaffected()
    {
        var time = new ManualTime();
        var guard = new FloodGuard(ratePerSecond: 10, burst: 20, new HashSet<IPAddress>(), time);

        Enumerable.Range(0, 100).Count(_ => guard.Allow(A)).ShouldBe(20);
        guard.Allow(B).ShouldBeTrue();
        time.Advance(TimeSpan.FromSeconds(1));
        Enumerable.Range(0, 100).Count(_ => guard.Allow(A)).ShouldBe(10);
    }

    [Fact]
    public void ATrustedAddressIsNeverLimited()
    {
        var guard = new FloodGuard(1, 1, new HashSet<IPAddress> { A }, new ManualTime());

        Enumerable.Range(0, 1000).All(_ => guard.Allow(A)).ShouldBeTrue();
    }
}
