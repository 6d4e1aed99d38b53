namespace TaskService.Workflows.Embedded;

/// <summary>A token waiting at an element: at a user task, an external task, or a gateway that could not route it.</summary>
[GenerateSerializer, Alias("TaskService.Embedded.TokenState")]
public sealed class TokenState
{
    [Id(0)] public required string Id { get; init; }

    [Id(1)] public required string ElementId { get; set; }
}
