namespace TaskService.Workflows.Bpmn;

/// <summary>A sequence flow; <see cref="Condition"/> is a <c>${...}</c> expression, already checked for syntax at deploy time.</summary>
public sealed record SequenceFlow(string Id, string SourceId, string TargetId, string? Condition);
