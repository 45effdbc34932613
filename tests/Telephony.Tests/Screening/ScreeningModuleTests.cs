using CallCenter.Telephony.Screening;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace CallCenter.Telephony.Tests.Screening;

/// <summary>AddScreening on a plain host: options validated at start, file rules without a database.</summary>
public sealed class ScreeningModuleTests
{
    [Fact]
    public async Task WithoutADatabaseTheHostScreensOnTheFileRules()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.AddScreening();
        using var host = builder.Build();
        await host.StartAsync();
        var screening = host.Services.GetRequiredService<ScreeningService>();
        screening.RuleSource.ShouldBe("files");
        screening.Screen("这是厂家的事", Speaker.Agent).Select(h => h.Code).ShouldContain("TB01");
        screening.Redactor.Redact("手机13987654321").Text.ShouldBe("手机[PHONE…4321]");
        await host.StopAsync();
    }

    [Fact]
    public async Task InvalidScreeningOptionsStopTheHostAtStart()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["Telephony:Screening:MaxTextLength"] = "0";
        builder.Configuration["Telephony:Screening:FuzzyOneEditFrom"] = "9";
        builder.AddScreening();
        using var host = builder.Build();
        var error = await Should.ThrowAsync<OptionsValidationException>(() => host.StartAsync());
        error.Message.ShouldContain("MaxTextLength");
        error.Message.ShouldContain("FuzzyOneEditFrom");
    }
}
