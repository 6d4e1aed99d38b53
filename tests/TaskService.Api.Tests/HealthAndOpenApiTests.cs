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
        var report = await response.ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("Healthy", report.GetProperty("status").GetString());
        var checks = report.GetProperty("checks").EnumerateArray().ToList();
        if (path == "/health/ready")
        {
            // Readiness names each check with its reason; the silo's own membership is always among them.
            var silo = Assert.Single(checks, c => c.GetProperty("name").GetString() == "orleans-silo");
            Assert.Equal("Healthy", silo.GetProperty("status").GetString());
            Assert.Contains("active", silo.GetProperty("description").GetString());
        }
        else
        {
            Assert.Empty(checks);
        }
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
