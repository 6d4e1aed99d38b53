using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TaskService.Commands;
using TaskService.Tasks;
using TaskService.Workflows;
using TaskService.Workflows.Embedded;

namespace TaskService.Api.Tests;

/// <summary>
/// A service of its own on Kestrel (a real socket, so <c>/metrics</c> is scraped over HTTP as Prometheus would), with Prometheus
/// on, a command that always fails (topic <see cref="FailingTopic"/>, no retries: its first failure is an incident), and an
/// engine whose starts fail for variables carrying <c>"poison": true</c> (the event is dead-lettered).
/// </summary>
public sealed class MetricsApiFactory : TaskServiceApiFactory
{
    public const string FailingTopic = "always-fails";

    public MetricsApiFactory()
    {
        UseKestrel(0);
        Overrides["TaskService:Operations:Prometheus"] = "true";
        Overrides["TaskService:Outbox:BacklogReadInterval"] = "00:00:00.100";
        Overrides["TaskService:Workflows:CommandRetries"] = "0";
        TestServices = services =>
        {
            services.AddSingleton<IExternalTaskCommand, FailingCommand>();
            services.RemoveAll<IWorkflowEngine>();
            services.AddSingleton<EmbeddedWorkflowEngine>();
            services.AddSingleton<IWorkflowEngine>(provider => new PoisonableEngine(provider.GetRequiredService<EmbeddedWorkflowEngine>()));
        };
    }

    private sealed class FailingCommand : IExternalTaskCommand
    {
        public string Topic => FailingTopic;

        public Task<IReadOnlyDictionary<string, JsonElement>> ExecuteAsync(ExternalTaskContext context, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("This command always fails.");
    }

    private sealed class PoisonableEngine(IWorkflowEngine inner) : IWorkflowEngine
    {
        public Task<TaskService.Errors.Outcome<WorkflowStart>> StartAsync(string workflowKey, JsonElement variables, string startId, CancellationToken cancellationToken = default) =>
            variables.ValueKind == JsonValueKind.Object && variables.TryGetProperty("poison", out var poison) && poison.ValueKind == JsonValueKind.True
                ? throw new InvalidOperationException("A start that fails for reasons no retry can fix.")
                : inner.StartAsync(workflowKey, variables, startId, cancellationToken);

        public Task<TaskService.Errors.Outcome<IReadOnlyList<NewUserTask>>> CompleteUserTaskAsync(string instanceId, string userTaskExternalId, JsonElement? variables, CancellationToken cancellationToken = default) =>
            inner.CompleteUserTaskAsync(instanceId, userTaskExternalId, variables, cancellationToken);

        public Task CancelAsync(string instanceId, string reason, CancellationToken cancellationToken = default) =>
            inner.CancelAsync(instanceId, reason, cancellationToken);
    }
}
