using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace TaskService.EndToEnd.Tests;

/// <summary>
/// The gateway process alone as an Orleans client of the running silo, the guard on the development secret, and HEAD as
/// Kestrel answers it.
/// </summary>
[Collection(ServiceCollection.Name)]
public sealed class HostingTests(ServiceProcess service)
{
    internal static string Built(string project) =>
        Path.Combine(RepositoryRoot.Path, "src", project, "bin", "Debug", "net10.0", $"TaskService.{project}.dll");

    [Fact]
    public async Task TheGatewayRunningAloneServesTheSameApiAsAClientOfTheCluster()
    {
        const int port = 5091;
        await using var gateway = ChildProcess.Start("dotnet", [Built("Gateway")], new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Urls"] = $"http://127.0.0.1:{port}",
            ["Orleans__Endpoints__GatewayPort"] = ServiceProcess.OrleansGatewayPort.ToString(),
        });
        await gateway.WaitUntilReadyAsync($"http://127.0.0.1:{port}/health/ready", TimeSpan.FromMinutes(1));

        using var viaGateway = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var token = await viaGateway.GetStringAsync("/dev/token");
        viaGateway.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var id = $"gateway-{Guid.NewGuid():N}";
        using var trigger = new HttpRequestMessage(HttpMethod.Post, "/events/trigger")
        {
            Content = JsonContent.Create(new { key = "via.gateway", payload = new { n = 1 }, source = "gateway-test" }),
        };
        trigger.Headers.Add("Idempotency-Key", id);
        Assert.Equal(HttpStatusCode.Accepted, (await viaGateway.SendAsync(trigger)).StatusCode);

        // The silo's own HTTP API sees what came in through the gateway: one cluster, one store.
        using var viaSilo = new HttpClient { BaseAddress = service.BaseAddress };
        viaSilo.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        HttpResponseMessage response;
        while ((response = await viaSilo.GetAsync($"/events/{id}")).StatusCode == HttpStatusCode.NotFound)
        {
            Assert.True(DateTime.UtcNow < deadline, $"The event sent through the gateway was not recorded.\nGateway:\n{gateway.Output}");
            await Task.Delay(50);
        }

        var recorded = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("gateway-test", recorded.GetProperty("source").GetString());
        var listed = await viaGateway.GetFromJsonAsync<JsonElement>($"/events?filter={Uri.EscapeDataString(JsonSerializer.Serialize(new { where = new { id } }))}");
        Assert.Equal(1, listed.GetArrayLength());
    }

    [Fact]
    public async Task TheGatewayRunningAloneListensOnLoopbackPort5081ByDefault()
    {
        // No Urls and no launch profile, as the published output runs.
        await using var gateway = ChildProcess.Start("dotnet", [Built("Gateway")], new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Orleans__Endpoints__GatewayPort"] = ServiceProcess.OrleansGatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        await gateway.WaitUntilReadyAsync("http://127.0.0.1:5081/health/ready", TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task TheGatewayRunningAloneIsNotReadyOnceNoSiloOfItsClusterAnswers()
    {
        var ports = FreePorts.Take(4).Select(port => port.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        await using var silo = ChildProcess.Start("dotnet", [Built("Silo")], new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Urls"] = $"http://127.0.0.1:{ports[0]}",
            ["Orleans__Endpoints__SiloPort"] = ports[1],
            ["Orleans__Endpoints__GatewayPort"] = ports[2],
        });
        await silo.WaitUntilReadyAsync($"http://127.0.0.1:{ports[0]}/health/ready", TimeSpan.FromMinutes(1));
        await using var gateway = ChildProcess.Start("dotnet", [Built("Gateway")], new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Urls"] = $"http://127.0.0.1:{ports[3]}",
            ["Orleans__Endpoints__GatewayPort"] = ports[2],
        });
        await gateway.WaitUntilReadyAsync($"http://127.0.0.1:{ports[3]}/health/ready", TimeSpan.FromMinutes(1));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ports[3]}"), Timeout = TimeSpan.FromSeconds(10) };
        Assert.Equal("Healthy", ClusterCheck(await http.GetFromJsonAsync<JsonElement>("/health/ready")).GetProperty("status").GetString());

        silo.Process.Kill(entireProcessTree: true);
        await silo.Process.WaitForExitAsync();

        // Readiness asks the cluster each time; once no silo answers it says so, naming the cluster, while liveness stays 200.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        HttpResponseMessage ready;
        while ((ready = await http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK)
        {
            Assert.True(DateTime.UtcNow < deadline, $"The gateway stayed ready with its only silo stopped.\nGateway:\n{gateway.Output}");
            await Task.Delay(100);
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var check = ClusterCheck(await ready.Content.ReadFromJsonAsync<JsonElement>());
        Assert.Equal("Unhealthy", check.GetProperty("status").GetString());
        Assert.Contains("Cluster 'default' does not answer", check.GetProperty("description").GetString());
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
    }

    internal static JsonElement ClusterCheck(JsonElement report) =>
        report.GetProperty("checks").EnumerateArray().Single(check => check.GetProperty("name").GetString() == "orleans-cluster");

    [Fact]
    public async Task HeadIsAnsweredWhereverGetIsWithTheSameStatusAndHeadersAndNoBody()
    {
        using var http = new HttpClient { BaseAddress = service.BaseAddress };
        var token = await http.GetStringAsync("/dev/token");

        var counted = await HeadAsync("GET /tasks/count", token);
        var headed = await HeadAsync("HEAD /tasks/count", token);
        Assert.StartsWith("HTTP/1.1 200", counted.Head);
        Assert.NotEmpty(counted.Body);
        Assert.StartsWith("HTTP/1.1 200", headed.Head);
        Assert.Contains("Content-Type: application/json", headed.Head);
        Assert.Empty(headed.Body);

        // The same checks as GET: no token is a 401, again without a body; a probe's HEAD gets the probe's answer.
        var anonymous = await HeadAsync("HEAD /tasks/count", token: null);
        Assert.StartsWith("HTTP/1.1 401", anonymous.Head);
        Assert.Empty(anonymous.Body);
        Assert.StartsWith("HTTP/1.1 200", (await HeadAsync("HEAD /health/ready", token: null)).Head);
    }

    /// <summary>
    /// Sends one request line on a connection of its own and reads until the server closes it: the bytes after the header
    /// block are what the server sent as a body (an HTTP client would drop a HEAD response's body without saying so).
    /// </summary>
    private async Task<(string Head, byte[] Body)> HeadAsync(string requestLine, string? token)
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync(service.BaseAddress.Host, service.BaseAddress.Port);
        var stream = socket.GetStream();
        var request = $"{requestLine} HTTP/1.1\r\nHost: {service.BaseAddress.Authority}\r\n" +
            (token is null ? "" : $"Authorization: Bearer {token}\r\n") + "Connection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var received = new MemoryStream();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await stream.CopyToAsync(received, timeout.Token);
        var bytes = received.ToArray();
        var end = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
        Assert.True(end >= 0, $"No complete header block in: {Encoding.ASCII.GetString(bytes)}");
        var head = Encoding.ASCII.GetString(bytes, 0, end);
        return (head, bytes[(end + 4)..]);
    }

    [Theory]
    [InlineData("Silo")]
    [InlineData("Gateway")]
    public async Task TheDevelopmentSigningSecretIsRefusedOutsideDevelopment(string project)
    {
        await using var process = ChildProcess.Start("dotnet", [Built(project)], new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["JWT_SECRET"] = "task-service-development-secret-do-not-use-in-production",
            ["Urls"] = "http://127.0.0.1:0",
            ["Orleans__Endpoints__SiloPort"] = "0",
            ["Orleans__Endpoints__GatewayPort"] = "0",
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.Process.WaitForExitAsync(timeout.Token);

        Assert.NotEqual(0, process.Process.ExitCode);
        Assert.Contains("development secret", process.Output);
        Assert.Contains("JWT_SECRET", process.Output);
    }
}
