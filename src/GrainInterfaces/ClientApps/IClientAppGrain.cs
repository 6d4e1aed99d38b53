using TaskService.Errors;

namespace TaskService.ClientApps;

/// <summary>One per client app, keyed by its API key.</summary>
[Alias("TaskService.IClientAppGrain")]
public interface IClientAppGrain : IGrainWithStringKey
{
    /// <summary>Creates the app with a fresh secret. Fails when the key is taken.</summary>
    [Alias("CreateAsync")]
    Task<Outcome<ClientAppCredentials>> CreateAsync(string clientName);

    [Alias("GetAsync")]
    Task<ClientAppRecord?> GetAsync();

    /// <summary>
    /// True when the app exists and the secret matches (compared in constant time): its current secret, or during a rotation's
    /// overlap the one it replaced.
    /// </summary>
    [Alias("VerifyAsync")]
    Task<bool> VerifyAsync(string apiSecret);

    /// <summary>
    /// Gives the app a new secret; the current one stays valid for <paramref name="overlap"/> (null: the configured
    /// <c>TaskService:Webhooks:SecretRotationOverlap</c>), then only the new one is. Not found when the app does not exist;
    /// forbidden when <paramref name="currentSecret"/> is not the current secret (a secret a rotation replaced, still valid
    /// during its overlap, authenticates the app but cannot rotate it, so it cannot take the app back from the new secret).
    /// </summary>
    [Alias("RotateCurrentSecretAsync")]
    Task<Outcome<ClientAppSecretRotation>> RotateSecretAsync(string currentSecret, TimeSpan? overlap);
}
