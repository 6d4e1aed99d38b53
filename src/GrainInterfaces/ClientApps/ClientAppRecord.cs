namespace TaskService.ClientApps;

/// <summary>An application that subscribes to webhooks. Its secret is never part of this record.</summary>
[GenerateSerializer, Immutable, Alias("TaskService.ClientAppRecord")]
public sealed record ClientAppRecord
{
    [Id(0)] public required string Id { get; init; }

    [Id(1)] public required string Name { get; init; }

    [Id(2)] public required string ApiKey { get; init; }

    [Id(3)] public DateTimeOffset CreatedOn { get; init; }
}
