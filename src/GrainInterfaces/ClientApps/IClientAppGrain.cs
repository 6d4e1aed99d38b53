namespace TaskService.ClientApps;

/// <summary>One per client app, keyed by its API key.</summary>
[Alias("TaskService.IClientAppGrain")]
public interface IClientAppGrain : IGrainWithStringKey
{
    /// <summary>Creates the app with a fresh secret. Fails when the key is taken.</summary>
    [Alias("CreateAsync")]
    Task<ClientAppCredentials> CreateAsync(string clientName);

    [Alias("GetAsync")]
    Task<ClientAppRecord?> GetAsync();

    /// <summary>True when the app exists and the secret matches (compared in constant time).</summary>
    [Alias("VerifyAsync")]
    Task<bool> VerifyAsync(string apiSecret);
}
