using TaskService.ClientApps;

namespace TaskService.Storage;

/// <summary>
/// A client app together with its secrets as stored: encrypted by <see cref="Security.ISecretProtector"/>. While a rotation's
/// overlap runs, the secret it replaced stays valid until <see cref="PreviousSecretValidUntil"/>.
/// </summary>
public sealed record ClientAppRow(ClientAppRecord App, string ApiSecret, string? PreviousApiSecret = null, DateTimeOffset? PreviousSecretValidUntil = null)
{
    /// <summary>The previous secret (encrypted) while it is still valid at <paramref name="now"/>, else null.</summary>
    public string? PreviousSecretAt(DateTimeOffset now) =>
        PreviousApiSecret is not null && PreviousSecretValidUntil is { } until && now < until ? PreviousApiSecret : null;
}
