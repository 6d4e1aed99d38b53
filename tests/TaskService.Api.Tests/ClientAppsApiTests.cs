using System.Net;
using TaskService.Gateway.Auth;

namespace TaskService.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class ClientAppsApiTests(TaskServiceApiFactory factory)
{
    [Theory]
    [InlineData("/client-apps")]
    [InlineData("/client-app")]
    public async Task CreatingAClientAppAnswers201WithItsCredentials(string route)
    {
        var name = TaskSeeding.NewKey("crm");

        var response = await factory.CreateClient(Permissions.CreateApiKey).PostJsonAsync(route, new { clientName = name });

        var created = await response.ReadJsonAsync(HttpStatusCode.Created);
        var id = created.GetProperty("id").GetString();
        Assert.False(string.IsNullOrWhiteSpace(id));
        Assert.Equal(name, created.GetProperty("name").GetString());
        Assert.Matches("^[0-9a-f]{32}$", created.GetProperty("apiKey").GetString());
        Assert.Matches("^[0-9a-f]{64}$", created.GetProperty("apiSecret").GetString());
        Assert.Equal($"/client-apps/{id}", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task EveryClientAppGetsItsOwnKeyAndSecret()
    {
        var first = await ClientApp.CreateAsync(factory, "same name");
        var second = await ClientApp.CreateAsync(factory, "same name");

        Assert.NotEqual(first.Id, second.Id);
        Assert.NotEqual(first.ApiKey, second.ApiKey);
        Assert.NotEqual(first.ApiSecret, second.ApiSecret);
    }

    [Fact]
    public async Task TheCredentialsAuthenticateWebhookCallsAndAnotherAppsSecretDoesNot()
    {
        var app = await ClientApp.CreateAsync(factory);
        var other = await ClientApp.CreateAsync(factory);

        var own = await app.CreateWebhooksClient(factory).GetAsync("/webhooks");
        var mixed = await (app with { ApiSecret = other.ApiSecret }).CreateWebhooksClient(factory).GetAsync("/webhooks");

        await own.AssertStatusAsync(HttpStatusCode.OK);
        await mixed.AssertStatusAsync(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("/client-apps", "{}", "clientName")]
    [InlineData("/client-apps", """{"clientName": "   "}""", "clientName")]
    [InlineData("/client-apps", """{"clientName": null}""", "clientName")]
    [InlineData("/client-app", "{}", "clientName")]
    [InlineData("/client-apps", """{"clientName": "a", "secret": "mine"}""", "secret")]
    [InlineData("/client-apps", """{"clientName": 7}""", "clientName")]
    [InlineData("/client-apps", "not json", "body")]
    [InlineData("/client-apps", "", "body")]
    [InlineData("/client-app", """{"name": "a"}""", "name")]
    public async Task CreatingAClientAppWithABadBodyIs400NamingTheField(string route, string body, string field)
    {
        var response = await factory.CreateClient(Permissions.CreateApiKey).SendAsync("POST", route, body);

        await response.AssertBadRequestNamingAsync(field);
    }

    [Fact]
    public async Task CreatingAClientAppWithANameLongerThan500CharactersIs400NamingClientName()
    {
        var response = await factory.CreateClient(Permissions.CreateApiKey).PostJsonAsync("/client-apps", new { clientName = new string('n', 501) });

        await response.AssertBadRequestNamingAsync("clientName");
    }

    [Theory]
    [InlineData("/client-apps")]
    [InlineData("/client-app")]
    public async Task CreatingAClientAppNeedsPermission16001(string route) =>
        await PermissionChecks.AssertRequiresAsync(factory, Permissions.CreateApiKey, PermissionChecks.Row("POST", route, """{"clientName": "{key}"}"""));
}
