namespace TaskService.Tasks;

/// <summary>
/// One <c>camunda:formField</c>: the variable it sets (<see cref="Id"/>), its type and its validation constraints.
/// Constraints that are not set are null.
/// </summary>
[GenerateSerializer, Immutable, Alias("TaskService.FormField")]
public sealed record FormField
{
    /// <summary>The name of the variable the field sets.</summary>
    [Id(0)] public required string Id { get; init; }

    [Id(1)] public string? Label { get; init; }

    /// <summary><c>string</c>, <c>long</c>, <c>boolean</c>, <c>date</c> or <c>enum</c>.</summary>
    [Id(2)] public required string Type { get; init; }

    [Id(3)] public bool Required { get; init; }

    [Id(4)] public int? MinLength { get; init; }

    [Id(5)] public int? MaxLength { get; init; }

    /// <summary>The least value of a <c>long</c> field.</summary>
    [Id(6)] public long? Min { get; init; }

    /// <summary>The greatest value of a <c>long</c> field.</summary>
    [Id(7)] public long? Max { get; init; }

    /// <summary>The values an <c>enum</c> field accepts (<c>camunda:value</c> ids), in document order.</summary>
    [Id(8)] public IReadOnlyList<string>? Values { get; init; }

    /// <summary>The <c>camunda:defaultValue</c>, as written.</summary>
    [Id(9)] public string? DefaultValue { get; init; }
}
