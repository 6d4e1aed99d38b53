using System.Net;

namespace TaskService.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class HealthAndOpenApiTests(TaskServiceApiFactory factory)
{
    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task HealthEndpointsAnswer200WithoutAToken(string path)
    {
        var response = await factory.CreateAnonymousClient().GetAsync(path);

        await response.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TheOpenApiDocumentIsServedWithoutATokenAndListsTheApi()
    {
        var response = await factory.CreateAnonymousClient().GetAsync("/openapi/v1.json");

        var document = await response.ReadJsonAsync(HttpStatusCode.OK);
        Assert.StartsWith("3.", document.GetProperty("openapi").GetString());
        var paths = document.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/events/trigger", out var trigger), "the document lists /events/trigger");
        Assert.True(trigger.TryGetProperty("post", out _), "/events/trigger is a POST");
        foreach (var path in new[] { "/events", "/events/mapping", "/tasks", "/tasks/{id}", "/tasks/{taskId}/user-tasks/{userTaskId}/complete", "/client-apps", "/webhooks/subscribe" })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"the document lists {path}");
        }
    }

    [Fact]
    public async Task TheDevelopmentTokenEndpointIsNotMappedOutsideDevelopment()
    {
        // The factory runs the service in the "Testing" environment; /dev/token would hand anyone every permission.
        var response = await factory.CreateAnonymousClient().GetAsync("/dev/token");

        await response.AssertStatusAsync(HttpStatusCode.NotFound);
    }
}
