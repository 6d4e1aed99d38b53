using TaskService.Workflows;

namespace TaskService.Gateway.Apis;

/// <summary>The answer of <c>GET /workflows/{id}</c>.</summary>
public sealed record WorkflowWithVersions(WorkflowRecord Workflow, IReadOnlyList<WorkflowVersionRecord> Versions);
