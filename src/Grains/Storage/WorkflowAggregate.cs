using TaskService.Workflows;

namespace TaskService.Storage;

/// <summary>A workflow and its deployed versions: the unit its workflow grain reads and writes.</summary>
public sealed record WorkflowAggregate(WorkflowRecord Workflow, IReadOnlyList<WorkflowVersionRecord> Versions);
