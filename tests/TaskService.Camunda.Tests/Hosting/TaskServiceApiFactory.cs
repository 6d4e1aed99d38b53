using Microsoft.Extensions.DependencyInjection;
using TaskService.Camunda.Tests.EngineRest;
using TaskService.Camunda.Tests.Hosting;
using TaskService.Workflows.Camunda;

namespace TaskService.Api.Tests;

/// <summary>
/// The shared service factory configured for Camunda, under the name the API tests' helpers and lifecycle scenario (compiled
/// into this project too) expect: <c>TaskService:Workflows:Engine=camunda</c>, pointing at an engine-rest endpoint of our own
/// (<see cref="EngineRestServer"/>, with basic authentication) that checks every request against the official description. A
/// request or answer that breaks the description fails the next call of any client this factory made
/// (<see cref="ContractGuardHandler"/>), the test classes of this project check after each test, and disposing reports any left.
/// </summary>
public sealed class TaskServiceApiFactory : TaskService.Testing.TaskServiceApiFactory
{
    public const string EngineUser = "task-service";
    public const string EnginePassword = "engine-secret";

    public TaskServiceApiFactory()
    {
        EngineRest = new EngineRestServer(new FakeCamunda(), (EngineUser, EnginePassword));
        EngineRest.StartAsync().GetAwaiter().GetResult();
        foreach (var (key, value) in CamundaSettings())
        {
            Overrides[key] = value;
        }

        TestServices = services =>
        {
            services.AddHttpClient(CamundaClient.HttpClientName).AddHttpMessageHandler(PollAttempts.Recorder);
            foreach (var command in Commands.All)
            {
                services.AddSingleton(command);
            }
        };
    }

    /// <summary>The engine-rest endpoint the silo talks to.</summary>
    public EngineRestServer EngineRest { get; }

    public FakeCamunda Engine => EngineRest.Engine;

    /// <summary>The test commands registered in the silo beside the built-in ones.</summary>
    public TestCommands Commands { get; } = new();

    /// <summary>Every fetchAndLock request the worker sent, with its timing.</summary>
    public PollAttempts PollAttempts { get; } = new();

    public CamundaWorker Worker => Services.GetRequiredService<CamundaWorker>();

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

    /// <summary>Like every client of this factory, one fails once engine-rest saw a contract violation.</summary>
    protected override IEnumerable<DelegatingHandler> ClientHandlers() => [new ContractGuardHandler(EngineRest)];

    private Dictionary<string, string> CamundaSettings() => new()
    {
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
