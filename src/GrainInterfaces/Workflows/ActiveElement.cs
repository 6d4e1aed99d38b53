namespace TaskService.Workflows;

[GenerateSerializer, Immutable, Alias("TaskService.ActiveElement")]
public sealed record ActiveElement([property: Id(0)] string ElementId, [property: Id(1)] string Kind, [property: Id(2)] string? Name);
