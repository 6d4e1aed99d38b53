using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using TaskService.Gateway.Auth;

namespace TaskService.Ui.Tests;

/// <summary>
/// A TaskService silo with its gateway and web UI on a real loopback port (the browser needs one), on the embedded defaults.
/// </summary>
public sealed class UiHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private UiHost(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public JwtOptions Jwt => _app.Services.GetRequiredService<JwtOptions>();

    public static async Task<UiHost> StartAsync(string environment, IReadOnlyDictionary<string, string>? settings = null)
    {
        var ports = FreePorts.Take(2);
        var args = new List<string>
        {
            $"--environment={environment}",
            "--urls=http://127.0.0.1:0",
            $"--Orleans:Endpoints:SiloPort={ports[0]}",
            $"--Orleans:Endpoints:GatewayPort={ports[1]}",
            // A failing command shows its incident at once, without waiting through retries.
            "--TaskService:Workflows:CommandRetries=0",
            "--Logging:LogLevel:Default=Warning",
        };
        args.AddRange((settings ?? new Dictionary<string, string>()).Select(s => $"--{s.Key}={s.Value}"));
        var app = TaskService.Silo.Program.Build([.. args]);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new UiHost(app, new Uri(address));
    }

    /// <summary>A client of the HTTP API with the given permission codes (all of them when none are given).</summary>
    public HttpClient Api(params string[] permissions)
    {
        string[] codes = permissions.Length > 0 ? permissions : [.. Permissions.All, "1", "2", "3", "4", "5"];
        return TestToken.Signed(Jwt).For("ui-tests").With(codes).Authorize(new HttpClient { BaseAddress = Address });
    }

    public async Task<JsonElement> PostAsync(HttpClient client, string path, object body)
    {
        using var response = await client.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {path} answered {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<JsonElement> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
