namespace TaskService.ClientApps;

/// <summary>
/// A client app's new secret, returned once when it is rotated. The secret it replaced stays valid (it authenticates the app and
/// signs webhook deliveries next to the new one) until <see cref="PreviousSecretValidUntil"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("TaskService.ClientAppSecretRotation")]
public sealed record ClientAppSecretRotation
{
    /// <summary>The longest overlap a rotation may ask for: 90 days.</summary>
    public const long MaxOverlapSeconds = 90L * 24 * 60 * 60;

    [Id(0)] public required string Id { get; init; }

    [Id(1)] public required string Name { get; init; }

    [Id(2)] public required string ApiKey { get; init; }

    [Id(3)] public required string ApiSecret { get; init; }

    [Id(4)] public required DateTimeOffset PreviousSecretValidUntil { get; init; }
}
