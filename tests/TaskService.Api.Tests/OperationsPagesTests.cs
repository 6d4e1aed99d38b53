using System.Net;
using TaskService.Gateway.Auth;

namespace TaskService.Api.Tests;

/// <summary>
/// The API reference (/scalar) and the Orleans dashboard (/dashboard): off outside Development unless switched on, and the
/// dashboard then only for tokens with the ViewDashboard permission. The factory runs the service outside Development.
/// </summary>
public sealed class OperationsPagesTests
{
    [Fact]
    public async Task OutsideDevelopmentNeitherPageExistsUnlessSwitchedOn()
    {
        await using var factory = new TaskServiceApiFactory();
        using var client = factory.CreateClient(Permissions.ViewDashboard);

        await (await client.GetAsync("/scalar")).AssertStatusAsync(HttpStatusCode.NotFound);
        await (await client.GetAsync("/scalar/")).AssertStatusAsync(HttpStatusCode.NotFound);
        await (await client.GetAsync("/dashboard/")).AssertStatusAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task TheApiReferenceSwitchedOnServesAPageOverOurOpenApiDocument()
    {
        await using var factory = new TaskServiceApiFactory { Overrides = { ["TaskService:Operations:ApiReference"] = "true" } };

        // /scalar redirects to /scalar/, the page itself.
        var response = await factory.CreateAnonymousClient().GetAsync("/scalar/");

        await response.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("TaskService API", page);
        Assert.Contains("openapi", page, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task TheDashboardSwitchedOnAnswersOnlyTokensWithTheViewDashboardPermission()
    {
        await using var factory = new TaskServiceApiFactory { Overrides = { ["TaskService:Operations:Dashboard"] = "true" } };

        await (await factory.CreateAnonymousClient().GetAsync("/dashboard/")).AssertStatusAsync(HttpStatusCode.Unauthorized);
        await (await factory.CreateClient(Permissions.ViewTask).GetAsync("/dashboard/")).AssertStatusAsync(HttpStatusCode.Forbidden);
        var allowed = await factory.CreateClient(Permissions.ViewDashboard).GetAsync("/dashboard/");
        await allowed.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Contains("Orleans", await allowed.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }
}
