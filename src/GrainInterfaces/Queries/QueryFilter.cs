namespace TaskService.Queries;

/// <summary>A parsed LoopBack filter: where, order, limit, skip, fields and include.</summary>
[GenerateSerializer, Immutable, Alias("TaskService.QueryFilter")]
public sealed record QueryFilter
{
    public static QueryFilter Empty { get; } = new();

    [Id(0)] public FilterNode? Where { get; init; }

    [Id(1)] public IReadOnlyList<SortOrder> Order { get; init; } = [];

    [Id(2)] public int? Limit { get; init; }

    [Id(3)] public int Skip { get; init; }

    /// <summary>The fields to return; null returns all.</summary>
    [Id(4)] public IReadOnlyList<string>? Fields { get; init; }

    /// <summary>Related rows to add to each row under the relation's name.</summary>
    [Id(5)] public IReadOnlyList<IncludeFilter> Include { get; init; } = [];
}
