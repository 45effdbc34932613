using CallCenter.Callbacks.Execution;
using CallCenter.Callbacks.Policies;
using CallCenter.Callbacks.Requests;
using CallCenter.Callbacks.Tests.Fakes;
using CallCenter.TestSupport;
using Dapper;
using static CallCenter.Callbacks.Tests.Policies.WorkingCalendarTests;

namespace CallCenter.Callbacks.Tests.Execution;

/// <summary>A dialer that cannot place some modes leaves their attempts scheduled instead of failing them (FAKE dialer).</summary>
public sealed class DialModeTests
{
    private static readonly DateTimeOffset Noon = Cst(2026, 3, 4, 11);

    private sealed class AutomatedOnlyDialer(FakeCallbackDialer inner) : ICallbackDialer
    {
        public Task<DialResult> DialAsync(DialRequest request, CancellationToken cancellationToken) => inner.DialAsync(request, cancellationToken);

        public bool Dials(DialMode mode) => mode == DialMode.Automated;
    }

    private sealed class NothingDialer : ICallbackDialer
    {
        public Task<DialResult> DialAsync(DialRequest request, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("must not be called");

        public bool Dials(DialMode mode) => false;
    }

    [PostgresFact]
    public async Task OnlyAttemptsOfModesTheDialerPlacesAreClaimed()
    {
        await using var db = await CallbackTestBed.MigratedDatabaseAsync();
        var fake = new FakeCallbackDialer(_ => new DialResult(DialOutcome.Answered, "1", "200 OK"));
        await using var bed = CallbackTestBed.Create(db.DataSource, new AutomatedOnlyDialer(fake), new FakeTimeProvider(Noon));
        var automated = await bed.Requests.CreateAsync(new NewCallback("pickup_reminder", "manual", "m-1", null, "13800003333", Noon, "test"), CancellationToken.None);
        var agentFirst = await bed.Requests.CreateAsync(new NewCallback("manual", "manual", "m-2", null, "13800004444", Noon, "test"), CancellationToken.None);

        (await bed.SweepAllAsync()).ShouldBe(1);

        fake.Requests.Single().CallbackId.ShouldBe(automated.CallbackId!.Value);
        await using var conn = await db.DataSource.OpenConnectionAsync();
        (await conn.QuerySingleAsync<string>("SELECT state FROM callback_attempts WHERE callback_id = @id", new { id = agentFirst.CallbackId }))
            .ShouldBe("scheduled");
        (await conn.QuerySingleAsync<string>("SELECT notes FROM callback_attempts WHERE callback_id = @id", new { id = automated.CallbackId }))
            .ShouldBe("200 OK"); // the dialer's reason is kept with the attempt
    }

    [PostgresFact]
    public async Task ADialerThatPlacesNothingClaimsNothing()
    {
        await using var db = await CallbackTestBed.MigratedDatabaseAsync();
        await using var bed = CallbackTestBed.Create(db.DataSource, new NothingDialer(), new FakeTimeProvider(Noon));
        await bed.Requests.CreateAsync(new NewCallback("pickup_reminder", "manual", "m-3", null, "13800005555", Noon, "test"), CancellationToken.None);

        (await bed.SweepAllAsync()).ShouldBe(0);
    }
}
