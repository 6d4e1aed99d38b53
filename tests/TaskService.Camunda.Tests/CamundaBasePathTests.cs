using Microsoft.Extensions.Options;
using TaskService.Camunda.Tests.EngineRest;
using TaskService.Workflows.Camunda;

namespace TaskService.Camunda.Tests;

/// <summary>
/// Where engine-rest is reached: the engine's address plus a base path, <c>/engine-rest</c> by default as Camunda 7, Operaton
/// and CIB seven serve it, configurable for applications that mount the REST API elsewhere.
/// </summary>
public sealed class CamundaBasePathTests
{
    [Theory]
    [InlineData("http://camunda:8080", null, "http://camunda:8080/engine-rest/")]
    [InlineData("http://camunda:8080/", null, "http://camunda:8080/engine-rest/")]
    [InlineData("http://camunda:8080/engine-rest", null, "http://camunda:8080/engine-rest/")]
    [InlineData("http://camunda:8080/engine-rest/", null, "http://camunda:8080/engine-rest/")]
    [InlineData("http://operaton:8080", "/engine-rest", "http://operaton:8080/engine-rest/")]
    [InlineData("http://cibseven:8080/apps", "/rest", "http://cibseven:8080/apps/rest/")]
    [InlineData("http://camunda:8080", "engine-rest/", "http://camunda:8080/engine-rest/")]
    [InlineData("https://bpm.example.com/camunda/engine-rest", "", "https://bpm.example.com/camunda/engine-rest/")]
    public void TheEngineRestRootIsTheAddressWithTheBasePath(string baseUrl, string? basePath, string expected)
    {
        var options = new CamundaOptions { BaseUrl = new Uri(baseUrl) };
        if (basePath is not null)
        {
            options.BasePath = basePath;
        }

        Assert.Equal(new Uri(expected), options.EngineRestRoot);
    }

    [Theory]
    [InlineData("/engine-rest", true)]
    [InlineData("/camunda/rest/", true)]
    [InlineData("engine-rest", true)]
    [InlineData("", true)]
    [InlineData("engine-rest?x=1", false)]
    [InlineData("/engine rest", false)]
    [InlineData("/engine-rest#top", false)]
    public void TheBasePathMustBeAPath(string basePath, bool valid)
    {
        var options = new CamundaOptions { BaseUrl = new Uri("http://camunda:8080"), BasePath = basePath };

        var result = new DataAnnotationValidateOptions<CamundaOptions>(null).Validate(null, options);

        Assert.Equal(valid, result.Succeeded);
        if (!valid)
        {
            Assert.Contains("BasePath", result.FailureMessage);
        }
    }

    [Fact]
    public async Task AnEngineServingEngineRestUnderAnotherPathIsReachedThroughTheBasePath()
    {
        await using var server = new EngineRestServer(new FakeCamunda(), root: "/camunda/api");
        await server.StartAsync();
        server.Engine.Deploy("base-path", FakeCamunda.ServiceTaskProcess("base-path", "nobody"));
        var client = new CamundaClient(new HttpClient(), Options.Create(new CamundaOptions
        {
            BaseUrl = new Uri(server.Address),
            BasePath = "/camunda/api",
            RequestTimeout = TimeSpan.FromSeconds(5),
        }));

        var definition = await client.GetProcessDefinitionByKeyAsync("base-path");

        Assert.Equal("base-path", definition?.Key);
        Assert.Equal(["getProcessDefinitionByKey"], server.Operations);
        Assert.Empty(server.Violations);
    }
}
