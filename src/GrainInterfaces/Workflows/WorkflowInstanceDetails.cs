using System.Text.Json;

namespace TaskService.Workflows;

/// <summary>Everything an operator needs to see of an instance.</summary>
[GenerateSerializer, Immutable, Alias("TaskService.WorkflowInstanceDetails")]
public sealed record WorkflowInstanceDetails
{
    [Id(0)] public required WorkflowInstanceSummary Instance { get; init; }

    /// <summary>The elements tokens wait at (user tasks, external tasks, joins, stuck gateways).</summary>
    [Id(1)] public IReadOnlyList<ActiveElement> ActiveElements { get; init; } = [];

    /// <summary>The process variables as one JSON object.</summary>
    [Id(2)] public JsonElement Variables { get; init; }

    [Id(3)] public IReadOnlyList<InstanceUserTask> UserTasks { get; init; } = [];

    [Id(4)] public IReadOnlyList<InstanceExternalTask> ExternalTasks { get; init; } = [];

    [Id(5)] public IReadOnlyList<Incident> Incidents { get; init; } = [];
}
