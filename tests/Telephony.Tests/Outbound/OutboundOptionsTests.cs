using CallCenter.Telephony.Outbound;
using CallCenter.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CallCenter.Telephony.Tests.Outbound;

/// <summary>Telephony:Outbound is checked at start; without a trunk outbound is off and says why.</summary>
public sealed class OutboundOptionsTests
{
    [Theory]
    [InlineData("127.0.0.1:5060", true)]
    [InlineData("[::1]:5080", true)]
    [InlineData("10.0.0.5", false)]
    [InlineData("trunk.example:5060", false)]
    [InlineData("127.0.0.1:0", false)]
    [InlineData("127.0.0.1:99999", false)]
    public void TheTrunkMustBeAnIpAndPort(string trunk, bool valid)
    {
        var result = new OutboundOptionsValidation().Validate(null, new OutboundOptions { Trunk = trunk, CallerId = "4008101000" });
        result.Succeeded.ShouldBe(valid);
    }

    [Fact]
    public void ATrunkWithoutCallerIdAndABadPatternAreRefused()
    {
        var result = new OutboundOptionsValidation().Validate(null, new OutboundOptions { Trunk = "127.0.0.1:5060", AllowedDestinationPattern = "([" });
        result.Failed.ShouldBeTrue();
        result.FailureMessage.ShouldContain("CallerId");
        result.FailureMessage.ShouldContain("AllowedDestinationPattern");
    }

    [PostgresFact]
    public async Task TheHostRefusesToStartWithAnInvalidTrunk()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var host = OutboundFixture.BuildHost(db.DataSource, new Dictionary<string, string?> { ["Telephony:Outbound:Trunk"] = "not-an-address" }, Path.GetTempPath());

        var ex = await Should.ThrowAsync<OptionsValidationException>(() => host.StartAsync());

        ex.Message.ShouldContain("Telephony:Outbound:Trunk");
    }

    [PostgresFact]
    public async Task WithoutATrunkEveryCallFailsWithAClearReason()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var host = OutboundFixture.BuildHost(db.DataSource, new Dictionary<string, string?>(), Path.GetTempPath());
        var dialer = host.Services.GetRequiredService<OutboundDialer>();

        var result = await dialer.PlaceAsync(new OutboundRequest("13800138000", "x@test", new Dictionary<string, string>(), null), CancellationToken.None);

        dialer.Enabled.ShouldBeFalse();
        result.Outcome.ShouldBe(OutboundOutcome.Failed);
        result.Reason.ShouldContain("Telephony:Outbound:Trunk is not set");
    }
}
