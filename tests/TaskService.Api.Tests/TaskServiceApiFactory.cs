using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using TaskService.Api.Tests.Contract;
using TaskService.Gateway.Auth;

namespace TaskService.Api.Tests;

/// <summary>
/// One single-node TaskService (silo and HTTP API in one host, embedded defaults) shared by the API tests.
/// Its Orleans ports are free ports, so it can run beside other test processes.
/// </summary>
public class TaskServiceApiFactory : WebApplicationFactory<TaskService.Silo.Program>
{
    public const string Secret = "api-tests-signing-secret-0123456789-abcdefghijklmnop";
    public const string Issuer = "task-service-tests";

    private readonly int _siloPort = FreePorts.Next();
    private readonly int _gatewayPort = FreePorts.Next();
    private readonly Lazy<Task<OpenApiContract>> _contract;

    public TaskServiceApiFactory()
    {
        _contract = new(() => ContractLog.LoadAsync(CreateDefaultClient()));
    }

    /// <summary>Every answer the clients of this factory received, checked against the service's own OpenAPI document at the end.</summary>
    public ContractLog Contract { get; } = new();

    /// <summary>The service's own OpenAPI document.</summary>
    public Task<OpenApiContract> ContractAsync() => _contract.Value;

    public JwtOptions Jwt { get; } = new() { JwtSecret = Secret, JwtIssuer = Issuer };

    /// <summary>Settings that replace or add to the defaults below, for a test that needs a service configured its own way.</summary>
    public Dictionary<string, string> Overrides { get; init; } = [];

    /// <summary>The host environment the service runs in ("Testing" unless a test needs another).</summary>
    public string EnvironmentName { get; init; } = "Testing";

    /// <summary>Services a test adds to the host (an in-memory trace exporter, say).</summary>
    public Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? TestServices { get; init; }

    /// <summary>A client whose bearer token carries exactly the given permission codes.</summary>
    public HttpClient CreateClient(params string[] permissions)
    {
        var client = CreateRecordingClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", CreateToken(permissions));
        return client;
    }

    /// <summary>A client whose bearer token names the user <paramref name="subject"/> (its <c>sub</c>) with the given permission codes.</summary>
    public HttpClient CreateClientFor(string subject, params string[] permissions)
    {
        var client = CreateRecordingClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Bearer", AuthenticationSetup.CreateToken(Jwt, permissions, TimeSpan.FromHours(1), subject));
        return client;
    }

    /// <summary>A client whose token names <paramref name="subject"/> and carries the <c>groups</c> claim.</summary>
    public HttpClient CreateClientFor(string subject, IReadOnlyList<string> groups, params string[] permissions)
    {
        var client = CreateRecordingClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Bearer", AuthenticationSetup.CreateToken(Jwt, permissions, TimeSpan.FromHours(1), subject, groups));
        return client;
    }

    /// <summary>A client that sends no token.</summary>
    public HttpClient CreateAnonymousClient() => CreateRecordingClient();

    /// <summary>A client whose answers are checked against the OpenAPI document into <paramref name="log"/> (and <see cref="Contract"/>).</summary>
    public HttpClient CreateRecordingClient(ContractLog? log = null) =>
        CreateDefaultClient(new ContractRecorder(log is null ? [Contract] : [Contract, log]));

    public override async ValueTask DisposeAsync()
    {
        // Runs once all tests of the collection are done: an answer the document does not describe fails the run.
        var violations = Contract.Count == 0 ? [] : Contract.Check(await ContractAsync()).Violations;
        await base.DisposeAsync();
        if (violations.Count > 0)
        {
            throw new InvalidOperationException(
                $"{violations.Count} kinds of answers differ from /openapi/v1.json:\n{string.Join('\n', violations.Take(40))}");
        }
    }

    /// <summary>A client with every permission.</summary>
    public HttpClient CreateAdminClient() => CreateClient([.. Permissions.All]);

    public string CreateToken(params string[] permissions) => AuthenticationSetup.CreateToken(Jwt, permissions, TimeSpan.FromHours(1));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(EnvironmentName);
        // Settings given with UseSetting reach the configuration before Program reads it.
        if (TestServices is { } testServices)
        {
            builder.ConfigureServices(testServices);
        }

        var settings = Settings();
        foreach (var (key, value) in Overrides)
        {
            settings[key] = value;
        }

        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }

    private Dictionary<string, string> Settings() => new()
    {
        ["Auth:JwtSecret"] = Secret,
        ["Auth:JwtIssuer"] = Issuer,
        ["Orleans:Endpoints:SiloPort"] = _siloPort.ToString(),
        ["Orleans:Endpoints:GatewayPort"] = _gatewayPort.ToString(),
        ["TaskService:Webhooks:Timeout"] = "00:00:02",
        ["TaskService:Webhooks:InitialBackoff"] = "00:00:00.050",
        ["TaskService:Webhooks:MaxBackoff"] = "00:00:00.500",
        ["TaskService:Webhooks:MaxAttempts"] = "5",
        // The tests' receivers listen on loopback, which the webhook URL policy refuses outside Development.
        ["TaskService:Webhooks:AllowedHosts:0"] = "127.0.0.1",
    };
}
