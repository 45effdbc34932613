using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CallCenter.TestSupport;

namespace CallCenter.Agent.Web.Tests.Api;

/// <summary>POST /api/screening/check on the real host: rules synced into the database, engine run from the rows.</summary>
public sealed class ScreeningApiTests
{
    [PostgresFact]
    public async Task AnAgentTabooIsAnsweredWithItsRuleAndTheDatabaseRulesAreInUse()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var factory = new CallCenterFactory(db.ConnectionString);
        using var client = await factory.LoginAsync(); // the API needs a login (issue 7)

        var response = await client.PostAsJsonAsync(new Uri("/api/screening/check", UriKind.Relative),
            new { text = "这是场家的事，我管不了。10分钟后我再给您打个电话", speaker = "agent" });
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        body.GetProperty("ruleSource").GetString().ShouldBe("database");
        var hits = body.GetProperty("hits").EnumerateArray().ToList();
        var fuzzy = hits.First(h => h.GetProperty("matchMode").GetString() == "pinyin");
        fuzzy.GetProperty("code").GetString().ShouldBe("TB01");
        fuzzy.GetProperty("matchedText").GetString().ShouldBe("场家的事");
        fuzzy.GetProperty("ruleId").GetInt32().ShouldBeGreaterThan(0);
        fuzzy.GetProperty("severity").GetString().ShouldBe("H");
        body.GetProperty("promises").GetArrayLength().ShouldBe(1);
    }

    [PostgresFact]
    public async Task CustomerTextRaisesCuesButNoAgentTaboos()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var factory = new CallCenterFactory(db.ConnectionString);
        using var client = await factory.LoginAsync(); // the API needs a login (issue 7)

        var body = await (await client.PostAsJsonAsync(new Uri("/api/screening/check", UriKind.Relative),
            new { text = "不行，你骂我干什么，我要找律师", speaker = "customer" })).Content.ReadFromJsonAsync<JsonElement>();
        var kinds = body.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("kind").GetString()).ToList();
        kinds.ShouldNotBeEmpty();
        kinds.ShouldAllBe(k => k == "customer_cue");
    }

    [PostgresFact]
    public async Task BadRequestsGet400ProblemDetails()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var factory = new CallCenterFactory(db.ConnectionString);
        using var client = await factory.LoginAsync(); // the API needs a login (issue 7)
        var uri = new Uri("/api/screening/check", UriKind.Relative);

        using var malformed = new StringContent("{\"text\": \"不行", Encoding.UTF8, "application/json");
        string[] bodies =
        [
            "{\"text\": \"\"}",
            "{\"speaker\": \"agent\"}",
            "null",
            "{\"text\": \"不行\", \"speaker\": \"robot\"}",
            JsonSerializer.Serialize(new { text = new string('好', 2001) }),
        ];
        var responses = new List<HttpResponseMessage> { await client.PostAsync(uri, malformed) };
        foreach (var b in bodies)
        {
            using var content = new StringContent(b, Encoding.UTF8, "application/json");
            responses.Add(await client.PostAsync(uri, content));
        }

        foreach (var response in responses)
        {
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
            response.Dispose();
        }
    }
}
