using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using TaskService.Gateway.Auth;

namespace TaskService.Testing;

/// <summary>
/// The service under test in this process: one single-node TaskService (silo and HTTP API in one host, embedded defaults, the
/// <c>Testing</c> environment) on free Orleans ports, so it can run beside other test processes. A test that needs the service
/// configured its own way passes settings (<see cref="Overrides"/>) and services (<see cref="TestServices"/>), in an object
/// initializer or in the constructor of a named configuration such as <c>BackpressureApiFactory</c>.
/// Every answer its clients receive is recorded and, when the factory is disposed, checked against the service's own OpenAPI
/// document: an answer the document does not describe fails the run.
/// </summary>
public class TaskServiceApiFactory : WebApplicationFactory<TaskService.Silo.Program>
{
    public const string Secret = "api-tests-signing-secret-0123456789-abcdefghijklmnop";
    public const string Issuer = "task-service-tests";

    /// <summary>The silo's and the gateway's ports, different from each other.</summary>
    private readonly int[] _ports = FreePorts.Take(2);
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

    /// <summary>Services a test adds to the host after the service's own (an in-memory trace exporter, a workflow engine of its own).</summary>
    public Action<IServiceCollection>? TestServices { get; init; }

    /// <summary>A token for this service: the default user, no permissions until given.</summary>
    public TestToken Token => TestToken.Signed(Jwt);

    /// <summary>Where the service listens, once started, when it runs on Kestrel (<see cref="WebApplicationFactory{T}.UseKestrel()"/>).</summary>
    public Uri Address
    {
        get
        {
            StartServer();
            var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
            return new Uri(addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        }
    }

    /// <summary>A client whose bearer token carries exactly the given permission codes.</summary>
    public HttpClient CreateClient(params string[] permissions) => Token.With(permissions).Authorize(CreateRecordingClient());

    /// <summary>A client whose bearer token names the user <paramref name="subject"/> (its <c>sub</c>) with the given permission codes.</summary>
    public HttpClient CreateClientFor(string subject, params string[] permissions) =>
        Token.For(subject).With(permissions).Authorize(CreateRecordingClient());

    /// <summary>A client whose token names <paramref name="subject"/> and carries the <c>groups</c> claim.</summary>
    public HttpClient CreateClientFor(string subject, IReadOnlyList<string> groups, params string[] permissions) =>
        Token.For(subject).InGroups(groups).With(permissions).Authorize(CreateRecordingClient());

    /// <summary>A client that sends no token.</summary>
    public HttpClient CreateAnonymousClient() => CreateRecordingClient();

    /// <summary>A client with every permission.</summary>
    public HttpClient CreateAdminClient() => CreateClient([.. Permissions.All]);

    public string CreateToken(params string[] permissions) => Token.With(permissions).Build();

    /// <summary>A client whose answers are checked against the OpenAPI document into <paramref name="log"/> (and <see cref="Contract"/>).</summary>
    public HttpClient CreateRecordingClient(ContractLog? log = null) =>
        CreateDefaultClient([new ContractRecorder(log is null ? [Contract] : [Contract, log]), .. ClientHandlers()]);

    public override async ValueTask DisposeAsync()
    {
        // Runs once all tests using the factory are done: an answer the document does not describe fails the run.
        var violations = Contract.Count == 0 ? [] : Contract.Check(await ContractAsync()).Violations;
        await base.DisposeAsync();
        if (violations.Count > 0)
        {
            throw new InvalidOperationException(
                $"{violations.Count} kinds of answers differ from /openapi/v1.json:\n{string.Join('\n', violations.Take(40))}");
        }
    }

    /// <summary>Handlers a configuration puts into every client after the contract recorder (a check of an engine peer, say).</summary>
    protected virtual IEnumerable<DelegatingHandler> ClientHandlers() => [];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(EnvironmentName);
        var settings = DefaultSettings();
        foreach (var (key, value) in Overrides)
        {
            settings[key] = value;
        }

        // Settings given with UseSetting reach the configuration before Program reads it.
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        if (TestServices is { } testServices)
        {
            builder.ConfigureTestServices(testServices);
        }
    }

    private Dictionary<string, string> DefaultSettings() => new()
    {
        ["Auth:JwtSecret"] = Secret,
        ["Auth:JwtIssuer"] = Issuer,
        ["Orleans:Endpoints:SiloPort"] = _ports[0].ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Orleans:Endpoints:GatewayPort"] = _ports[1].ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["TaskService:Webhooks:Timeout"] = "00:00:02",
        ["TaskService:Webhooks:InitialBackoff"] = "00:00:00.050",
        ["TaskService:Webhooks:MaxBackoff"] = "00:00:00.500",
        ["TaskService:Webhooks:MaxAttempts"] = "5",
        // The tests' receivers listen on loopback, which the webhook URL policy refuses outside Development.
        ["TaskService:Webhooks:AllowedHosts:0"] = "127.0.0.1",
    };
}
