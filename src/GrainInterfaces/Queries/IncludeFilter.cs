namespace TaskService.Queries;

/// <summary>One entry of a LoopBack <c>include</c>: a relation of the parent, and the filter applied to each parent's related rows.</summary>
[GenerateSerializer, Immutable, Alias("TaskService.IncludeFilter")]
public sealed record IncludeFilter
{
    /// <summary>The relation's name, for example <c>userTasks</c>.</summary>
    [Id(0)] public required string Relation { get; init; }

    /// <summary>where, fields and order apply to the related rows; limit and skip to each parent's related rows.</summary>
    [Id(1)] public QueryFilter Scope { get; init; } = QueryFilter.Empty;
}
