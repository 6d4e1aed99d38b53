using System.Security.Cryptography;
using TaskService.Gateway.Auth;

namespace TaskService.Benchmarks;

/// <summary>
/// A TaskService silo in this process, built exactly as <c>src/Silo</c> builds it (<see cref="Silo.Program.Build"/>), configured
/// through its command-line arguments: PostgreSQL providers with migrations at start, an encryption key and a signing secret
/// of this run, free ports on 127.0.0.1 for HTTP and Orleans.
/// </summary>
internal sealed class InProcessSilo : IAsyncDisposable
{
    private const string Issuer = "task-service-bench";

    private readonly WebApplication _app;

    private InProcessSilo(WebApplication app, JwtOptions jwt)
    {
        _app = app;
        Jwt = jwt;
    }

    public JwtOptions Jwt { get; }

    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1");

    /// <summary>
    /// Signalled when the silo's host is asked to stop. Its console lifetime turns Ctrl+C and SIGTERM into that request (and
    /// keeps the process alive), so this is how the benchmark learns it was interrupted.
    /// </summary>
    public CancellationToken Stopping => _app.Lifetime.ApplicationStopping;

    /// <param name="tracing">Record spans across grain calls (TaskService:Operations:Tracing), for <c>--idle-timeline</c>.</param>
    public static async Task<InProcessSilo> StartAsync(string connectionString, bool tracing = false)
    {
        var jwt = new JwtOptions { JwtSecret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)), JwtIssuer = Issuer };
        var ports = FreePorts.Take(3);
        string[] args =
        [
            $"--ConnectionStrings:TaskService={connectionString}",
            "--TaskService:Database:MigrateOnStart=true",
            $"--TaskService:Secrets:Key={Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}",
            $"--Auth:JwtSecret={jwt.JwtSecret}",
            $"--Auth:JwtIssuer={jwt.JwtIssuer}",
            $"--Urls=http://127.0.0.1:{ports[0]}",
            $"--Orleans:Endpoints:SiloPort={ports[1]}",
            $"--Orleans:Endpoints:GatewayPort={ports[2]}",
            "--Orleans:AdvertisedIPAddress=127.0.0.1",
            // The benchmark's webhook receiver listens on loopback, which the webhook URL policy refuses outside Development.
            "--TaskService:Webhooks:AllowedHosts:0=127.0.0.1",
            // Every client of the load driver is one caller (one token); the per-caller limit would cap the run at 1,000 events/s.
            "--TaskService:RateLimits:PermitsPerSecond=1000000",
            "--TaskService:RateLimits:Burst=10000000",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Microsoft.AspNetCore=Warning",
            "--Logging:LogLevel:Orleans=Warning",
        ];
        var app = Silo.Program.Build(tracing ? [.. args, "--TaskService:Operations:Tracing=true"] : args);
        var silo = new InProcessSilo(app, jwt);
        await app.StartAsync();
        var address = app.Urls.First();
        silo.BaseAddress = new Uri(address.TrimEnd('/') + "/");
        return silo;
    }

    /// <summary>A bearer token with every permission of the HTTP API, signed with this run's secret.</summary>
    public string CreateAdminToken() => AuthenticationSetup.CreateToken(
        Jwt,
        [.. Permissions.All, .. Permissions.Workflow.Accepted.Keys],
        TimeSpan.FromHours(4),
        subject: "benchmark");

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _app.StopAsync(timeout.Token);
        }
        finally
        {
            await _app.DisposeAsync();
        }
    }
}
