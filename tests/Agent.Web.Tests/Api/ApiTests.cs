using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CallCenter.TestSupport;

namespace CallCenter.Agent.Web.Tests.Api;

public sealed class ApiTests
{
    [PostgresFact]
    public async Task HealthzIsHealthyWhenTheDatabaseAnswers()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var factory = new CallCenterFactory(db.ConnectionString);
        using var client = factory.CreateClient();

        var response = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        body.GetProperty("status").GetString().ShouldBe("Healthy");
        body.GetProperty("checks").GetProperty("database").GetProperty("status").GetString().ShouldBe("Healthy");
    }

    [PostgresFact]
    public async Task TheDemoDataIsVisibleThroughTheApi()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var factory = new CallCenterFactory(db.ConnectionString);
        using var client = await factory.LoginAsync(); // the API needs a login (issue 7)

        var linesResponse = await client.GetAsync(new Uri("/api/lines", UriKind.Relative));
        linesResponse.StatusCode.ShouldBe(HttpStatusCode.OK, await linesResponse.Content.ReadAsStringAsync());
        var lines = await linesResponse.Content.ReadFromJsonAsync<JsonElement>();
        lines.GetArrayLength().ShouldBe(3);
        lines.EnumerateArray().SelectMany(l => l.GetProperty("numbers").EnumerateArray())
            .Select(n => n.GetProperty("number").GetString()).ShouldContain("8008101000");

        var found = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/customers?phone=137-0013-7003", UriKind.Relative));
        found.GetArrayLength().ShouldBe(1);
        var id = found[0].GetProperty("id").GetInt64();
        found[0].GetProperty("name").GetString().ShouldBe("陈晓明");

        var detail = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/customers/{id}", UriKind.Relative));
        var purchase = detail.GetProperty("purchases")[0];
        purchase.GetProperty("warranty").GetProperty("phase").GetString().ShouldBe("repair");
        purchase.GetProperty("warranty").GetProperty("activationMismatch").GetBoolean().ShouldBeTrue();
        var repair = detail.GetProperty("openRepairs")[0];
        repair.GetProperty("readyForPickup").GetBoolean().ShouldBeTrue();
    }

    [PostgresFact]
    public async Task MalformedJsonGetsA400WithProblemDetails()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var factory = new CallCenterFactory(db.ConnectionString);
        using var client = await factory.LoginAsync(); // the API needs a login (issue 7)

        using var content = new StringContent("{\"name\": \"王\", \"phones\": [", Encoding.UTF8, "application/json");
        var response = await client.PostAsync(new Uri("/api/customers", UriKind.Relative), content);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("status").GetInt32().ShouldBe(400);
    }

    [PostgresFact]
    public async Task AnInvalidCustomerGetsAValidationProblemNamingTheField()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var factory = new CallCenterFactory(db.ConnectionString);
        using var client = await factory.LoginAsync(); // the API needs a login (issue 7)

        var response = await client.PostAsJsonAsync(new Uri("/api/customers", UriKind.Relative),
            new { name = "", phones = new[] { new { number = "12ab" } } });

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var errors = problem.GetProperty("errors");
        errors.TryGetProperty("name", out _).ShouldBeTrue();
        errors.TryGetProperty("phones[0].number", out _).ShouldBeTrue();
    }

    [PostgresFact]
    public async Task ACustomerCreatedThroughTheApiCanBeFoundByPhone()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var factory = new CallCenterFactory(db.ConnectionString);
        using var client = await factory.LoginAsync(); // the API needs a login (issue 7)

        var response = await client.PostAsJsonAsync(new Uri("/api/customers", UriKind.Relative),
            new { name = "周芳", surname = "周", honorific = "女士", phones = new[] { new { number = "+86 135 0013 5005" } } });
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());

        var found = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/customers?phone=13500135005", UriKind.Relative));
        found.GetArrayLength().ShouldBe(1);
        found[0].GetProperty("name").GetString().ShouldBe("周芳");
    }

    [PostgresFact]
    public async Task UnknownIdsGet404WithProblemDetails()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var factory = new CallCenterFactory(db.ConnectionString);
        using var client = await factory.LoginAsync(); // the API needs a login (issue 7)

        var response = await client.GetAsync(new Uri("/api/customers/999999", UriKind.Relative));
        var missingRoute = await client.GetAsync(new Uri("/api/no-such-thing", UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        missingRoute.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        missingRoute.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [PostgresFact]
    public async Task APhoneLookupWithoutDigitsIsRefused()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var factory = new CallCenterFactory(db.ConnectionString);
        using var client = await factory.LoginAsync(); // the API needs a login (issue 7)

        var response = await client.GetAsync(new Uri("/api/customers?phone=%27%3B%20DROP%20TABLE%20customers", UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [PostgresFact]
    public async Task TheOpenApiDocumentDescribesTheApi()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var factory = new CallCenterFactory(db.ConnectionString);
        using var client = factory.CreateClient();

        var doc = await client.GetFromJsonAsync<JsonElement>(new Uri("/openapi/v1.json", UriKind.Relative));

        doc.GetProperty("paths").TryGetProperty("/api/customers/{id}", out _).ShouldBeTrue();
    }
}
