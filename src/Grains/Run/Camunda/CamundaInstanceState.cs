using System.Text.Json;

namespace TaskService.Workflows.Camunda;

/// <summary>The row of a Camunda instance in the store: what TaskService last saw of it.</summary>
public sealed class CamundaInstanceState
{
    public string WorkflowId { get; set; } = string.Empty;

    public string ProcessId { get; set; } = string.Empty;

    public int Version { get; set; }

    public WorkflowInstanceStatus Status { get; set; }

    public int Incidents { get; set; }

    public DateTimeOffset CreatedOn { get; set; }

    public DateTimeOffset ModifiedOn { get; set; }

    public DateTimeOffset? EndedOn { get; set; }

    /// <summary>The last known variables: read from the engine while it runs, merged from what TaskService set after.</summary>
    public Dictionary<string, JsonElement> Variables { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Every user task seen pending; those no longer pending are completed.</summary>
    public List<InstanceUserTask> UserTasks { get; set; } = [];
}
