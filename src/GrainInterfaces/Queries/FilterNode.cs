namespace TaskService.Queries;

/// <summary>A node of a parsed LoopBack <c>where</c> clause.</summary>
[GenerateSerializer, Immutable, Alias("TaskService.FilterNode")]
public abstract record FilterNode;

/// <summary>All children hold.</summary>
[GenerateSerializer, Immutable, Alias("TaskService.AndNode")]
public sealed record AndNode([property: Id(0)] IReadOnlyList<FilterNode> Children) : FilterNode;

/// <summary>At least one child holds.</summary>
[GenerateSerializer, Immutable, Alias("TaskService.OrNode")]
public sealed record OrNode([property: Id(0)] IReadOnlyList<FilterNode> Children) : FilterNode;

/// <summary>
/// <c>Field Operator Value</c>. <see cref="Path"/> is the field name, followed by property names inside a JSON field.
/// <see cref="Value"/> is a JSON scalar, or an array for inq, nin and between.
/// </summary>
[GenerateSerializer, Immutable, Alias("TaskService.ConditionNode")]
public sealed record ConditionNode(
    [property: Id(0)] IReadOnlyList<string> Path,
    [property: Id(1)] FilterOperator Operator,
    [property: Id(2)] System.Text.Json.JsonElement Value) : FilterNode
{
    public string Field => Path[0];
}
