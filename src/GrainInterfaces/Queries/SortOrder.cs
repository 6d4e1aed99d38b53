namespace TaskService.Queries;

[GenerateSerializer, Immutable, Alias("TaskService.SortOrder")]
public sealed record SortOrder([property: Id(0)] string Field, [property: Id(1)] bool Descending);
