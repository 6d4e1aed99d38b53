namespace TaskService.ClientApps;

/// <summary>The credentials of a new client app, returned once when it is created.</summary>
[GenerateSerializer, Immutable, Alias("TaskService.ClientAppCredentials")]
public sealed record ClientAppCredentials
{
    [Id(0)] public required string Id { get; init; }

    [Id(1)] public required string Name { get; init; }

    [Id(2)] public required string ApiKey { get; init; }

    [Id(3)] public required string ApiSecret { get; init; }
}
