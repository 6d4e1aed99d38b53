using System.Text.Json;

namespace TaskService.Workflows.Embedded;

/// <summary>The persisted state of one embedded workflow instance.</summary>
[GenerateSerializer, Alias("TaskService.Embedded.WorkflowInstanceState")]
public sealed class WorkflowInstanceState
{
    [Id(0)] public string? WorkflowId { get; set; }

    [Id(1)] public int Version { get; set; }

    [Id(2)] public string? ProcessId { get; set; }

    [Id(3)] public WorkflowInstanceStatus Status { get; set; }

    [Id(4)] public Dictionary<string, JsonElement> Variables { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Tokens at wait states.</summary>
    [Id(5)] public List<TokenState> Tokens { get; set; } = [];

    /// <summary>For each joining parallel gateway, the incoming flows a token has arrived on.</summary>
    [Id(6)] public Dictionary<string, List<string>> JoinArrivals { get; set; } = new(StringComparer.Ordinal);

    [Id(7)] public List<UserTaskState> UserTasks { get; set; } = [];

    [Id(8)] public List<ExternalTaskState> ExternalTasks { get; set; } = [];

    [Id(9)] public List<Incident> Incidents { get; set; } = [];

    /// <summary>Counts created tokens, user tasks and external tasks, so their ids derive from the instance and stay stable.</summary>
    [Id(10)] public long Sequence { get; set; }

    [Id(11)] public DateTimeOffset CreatedOn { get; set; }

    [Id(12)] public DateTimeOffset ModifiedOn { get; set; }

    [Id(13)] public DateTimeOffset? EndedOn { get; set; }

    public bool Started => WorkflowId is not null;
}
