using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace TaskService.EndToEnd.Tests;

/// <summary>
/// The gateway process started before any silo of its cluster, as an orchestrator may start them: it answers HTTP at once and
/// serves the API once a silo comes up, without a restart. Its own ports, so it needs no other service running.
/// </summary>
public sealed class GatewayBeforeItsSilosTests
{
    [Fact]
    public async Task TheGatewayStartedBeforeItsSilosIsLiveAtOnceAndServesTheApiOnceASiloAnswers()
    {
        var ports = FreePorts.Take(4).Select(port => port.ToString(CultureInfo.InvariantCulture)).ToArray();
        await using var gateway = ChildProcess.Start("dotnet", [HostingTests.Built("Gateway")], new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Urls"] = $"http://127.0.0.1:{ports[0]}",
            ["Orleans__Endpoints__GatewayPort"] = ports[1],
        });

        // Live while no silo listens on the gateway port: HTTP does not wait for the cluster.
        await gateway.WaitUntilReadyAsync($"http://127.0.0.1:{ports[0]}/health/live", TimeSpan.FromMinutes(1));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ports[0]}"), Timeout = TimeSpan.FromSeconds(10) };
        var notReady = await http.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        var check = HostingTests.ClusterCheck(await notReady.Content.ReadFromJsonAsync<JsonElement>());
        Assert.Equal("Unhealthy", check.GetProperty("status").GetString());
        Assert.Contains("Cluster 'default' does not answer", check.GetProperty("description").GetString());

        // The API answers too: 503 with a problem document that says to retry, rather than no answer or a 500.
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await http.GetStringAsync("/dev/token"));
        var unavailable = await http.GetAsync("/tasks/count");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unavailable.StatusCode);
        Assert.Equal("application/problem+json", unavailable.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(unavailable.Headers.RetryAfter);
        var problem = await unavailable.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
        Assert.Contains("The cluster 'default' is not reachable yet", problem.GetProperty("detail").GetString());

        // A silo of the cluster comes up: the same gateway process connects and serves the API.
        await using var silo = ChildProcess.Start("dotnet", [HostingTests.Built("Silo")], new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Urls"] = $"http://127.0.0.1:{ports[2]}",
            ["Orleans__Endpoints__SiloPort"] = ports[3],
            ["Orleans__Endpoints__GatewayPort"] = ports[1],
        });
        try
        {
            await gateway.WaitUntilReadyAsync($"http://127.0.0.1:{ports[0]}/health/ready", TimeSpan.FromMinutes(2));
        }
        catch (TimeoutException exception)
        {
            throw new TimeoutException($"{exception.Message}\nSilo:\n{silo.Output}", exception);
        }

        var counted = await http.GetAsync("/tasks/count");
        Assert.True(counted.StatusCode == HttpStatusCode.OK, $"{counted.StatusCode}: {await counted.Content.ReadAsStringAsync()}\nGateway:\n{gateway.Output}");
        Assert.True((await counted.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("count", out _));
        Assert.False(gateway.Process.HasExited);

        // While it waited, the gateway said once what it waits for, not once per attempt.
        var output = gateway.Output;
        Assert.Single(Lines(output, "Cluster 'default' cannot be reached yet"));
        Assert.Empty(Lines(output, "Connection attempt to endpoint"));
        Assert.Contains("Connected to cluster 'default'", output);
    }

    private static string[] Lines(string output, string text) =>
        output.Split('\n').Where(line => line.Contains(text, StringComparison.Ordinal)).ToArray();
}
