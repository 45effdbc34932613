using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;

namespace CallCenter.Agent.Web.Tests;

/// <summary>The real host on a fresh test database with the demo data; SIP off so tests never fight over ports.</summary>
public sealed class CallCenterFactory(string connectionString) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("ConnectionStrings:CallCenter", connectionString);
        builder.UseSetting("Database:SeedDemoData", "true");
        builder.UseSetting("Logs:Directory", "");
        builder.UseSetting("Telephony:Sip:Enabled", "false");
        builder.UseSetting("Callbacks:Enabled", "false");
        builder.UseSetting("Urls", "http://127.0.0.1:0"); // never appsettings' 5000: parallel test classes and other services use it
    }

    /// <summary>A client logged in as a demo account (password demo-1234), sending the antiforgery header.</summary>
    public async Task<HttpClient> LoginAsync(string username = "supervisor")
    {
        var client = CreateDefaultClient(new CookieContainerHandler(new CookieContainer()));
        await SetTokenAsync(client);
        var login = await client.PostAsJsonAsync(new Uri("/api/auth/login", UriKind.Relative), new { username, password = "demo-1234" });
        login.EnsureSuccessStatusCode();
        await SetTokenAsync(client); // the token is bound to the logged-in user
        return client;
    }

    private static async Task SetTokenAsync(HttpClient client)
    {
        var token = await client.GetFromJsonAsync<Token>(new Uri("/api/auth/antiforgery", UriKind.Relative));
        client.DefaultRequestHeaders.Remove("X-XSRF-TOKEN");
        client.DefaultRequestHeaders.Add("X-XSRF-TOKEN", token!.Value);
    }

    private sealed record Token([property: System.Text.Json.Serialization.JsonPropertyName("token")] string Value);
}
