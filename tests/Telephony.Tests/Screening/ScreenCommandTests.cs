using CallCenter.Telephony.Screening;

namespace CallCenter.Telephony.Tests.Screening;

/// <summary>The <c>screen</c> command line on the rule files, without a database.</summary>
public sealed class ScreenCommandTests
{
    [Fact]
    public async Task ScreeningOneTextPrintsTheHitWithItsReplacementAndExitsWithOne()
    {
        using var output = new StringWriter();
        (await ScreenCommand.RunAsync(["screen", "你要知道，一分錢一分貨"], output)).ShouldBe(1);
        var text = output.ToString();
        text.ShouldContain("TB03 v1 taboo H Belittling exact");
        text.ShouldContain("\"一分錢一分貨\"");
        text.ShouldContain("instead: 无论什么样的客户,我们都提供同样优质的服务。");
    }

    [Fact]
    public async Task ScreeningAFileReportsEveryLineAndCustomerTextRaisesOnlyCues()
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllLinesAsync(path, ["不行，我要投诉到12315", "", "好的谢谢"]);
            using var output = new StringWriter();
            (await ScreenCommand.RunAsync(["--speaker", "customer", "--file", path], output)).ShouldBe(1);
            var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            lines[0].ShouldStartWith("1: ");
            output.ToString().ShouldContain("CC02 v1 customer_cue S1 Regulator");
            output.ToString().ShouldNotContain("TB17");
            output.ToString().ShouldContain("3: no alerts");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task CleanTextExitsWithZero()
    {
        using var output = new StringWriter();
        (await ScreenCommand.RunAsync(["您好,很高兴为您服务!"], output)).ShouldBe(0);
        output.ToString().ShouldContain("1: no alerts");
        output.ToString().ShouldContain("RQ03 v1 required - greeting exact");
    }

    [Theory]
    [InlineData(new string[0], 2)]
    [InlineData(new[] { "--speaker", "robot", "text" }, 2)]
    [InlineData(new[] { "--file" }, 2)]
    [InlineData(new[] { "--file", "/nonexistent/lines.txt" }, 3)]
    public async Task BadArgumentsGetAClearMessageAndAnErrorCode(string[] args, int code)
    {
        using var output = new StringWriter();
        (await ScreenCommand.RunAsync(args, output)).ShouldBe(code);
        output.ToString().ShouldNotBeEmpty();
    }
}
