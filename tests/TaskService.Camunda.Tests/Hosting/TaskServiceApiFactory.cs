using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using TaskService.Camunda.Tests.EngineRest;
using TaskService.Camunda.Tests.Hosting;
using TaskService.Commands;
using TaskService.Gateway.Auth;
using TaskService.Workflows.Camunda;

namespace TaskService.Api.Tests;

/// <summary>
/// The API tests' single-node TaskService, configured for Camunda: <c>TaskService:Workflows:Engine=camunda</c>, pointing at an
/// engine-rest endpoint of our own (<see cref="EngineRestServer"/>, with basic authentication) that checks every request against
/// the official description. The API tests' helpers and lifecycle scenario compile against this class unchanged. A request or
/// answer that breaks the description fails the next call of any client this factory made (<see cref="ContractGuardHandler"/>),
/// the test classes of this project check after each test, and disposing reports any left.
/// </summary>
public sealed class TaskServiceApiFactory : WebApplicationFactory<TaskService.Silo.Program>
{
    public const string Secret = "api-tests-signing-secret-0123456789-abcdefghijklmnop";
    public const string Issuer = "task-service-tests";
    public const string EngineUser = "task-service";
    public const string EnginePassword = "engine-secret";

    private readonly int _siloPort = FreePorts.Next();
    private readonly int _gatewayPort = FreePorts.Next();

    public TaskServiceApiFactory()
    {
        EngineRest = new EngineRestServer(new FakeCamunda(), (EngineUser, EnginePassword));
        EngineRest.StartAsync().GetAwaiter().GetResult();
    }

    public JwtOptions Jwt { get; } = new() { JwtSecret = Secret, JwtIssuer = Issuer };

    /// <summary>The engine-rest endpoint the silo talks to.</summary>
    public EngineRestServer EngineRest { get; }

    public FakeCamunda Engine => EngineRest.Engine;

    /// <summary>The test commands registered in the silo beside the built-in ones.</summary>
    public TestCommands Commands { get; } = new();

    public CamundaWorker Worker => Services.GetRequiredService<CamundaWorker>();

    /// <summary>A client whose bearer token carries exactly the given permission codes.</summary>
    public HttpClient CreateClient(params string[] permissions)
    {
        var client = CreateAnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", CreateToken(permissions));
        return client;
    }

    /// <summary>A client that sends no token. Like every client of this factory, it fails once engine-rest saw a contract violation.</summary>
    public HttpClient CreateAnonymousClient() => CreateDefaultClient(new ContractGuardHandler(EngineRest));

    public HttpClient CreateAdminClient() => CreateClient([.. Permissions.All]);

    public string CreateToken(params string[] permissions) => AuthenticationSetup.CreateToken(Jwt, permissions, TimeSpan.FromHours(1));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in Settings())
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            foreach (var command in Commands.All)
            {
                services.AddSingleton(command);
            }
        });
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await EngineRest.DisposeAsync();
        if (!EngineRest.Violations.IsEmpty)
        {
            throw new InvalidOperationException(
                $"Requests to engine-rest (or its answers) broke the official description {EngineRest.Violations.Count} time(s):{Environment.NewLine}{string.Join(Environment.NewLine, EngineRest.Violations.Distinct())}");
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
        ["TaskService:Events:SweepInterval"] = "00:00:00.250",
        ["TaskService:Events:RoutingGracePeriod"] = "00:00:01",
        ["TaskService:Workflows:Engine"] = "camunda",
        ["TaskService:Camunda:BaseUrl"] = EngineRest.BaseUrl,
        ["TaskService:Camunda:Username"] = EngineUser,
        ["TaskService:Camunda:Password"] = EnginePassword,
        ["TaskService:Camunda:RequestTimeout"] = "00:00:05",
        ["TaskService:Camunda:MaxTasks"] = "250",
        ["TaskService:Camunda:LockDuration"] = "00:00:02",
        ["TaskService:Camunda:LongPollTimeout"] = "00:00:02",
        ["TaskService:Camunda:Retries"] = "3",
        ["TaskService:Camunda:RetryTimeout"] = "00:00:00.100",
        ["TaskService:Camunda:MaxRetryTimeout"] = "00:00:01",
        ["TaskService:Camunda:PollBackoff"] = "00:00:00.100",
        ["TaskService:Camunda:MaxPollBackoff"] = "00:00:00.800",
    };
}
