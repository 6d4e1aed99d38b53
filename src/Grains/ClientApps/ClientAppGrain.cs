using System.Security.Cryptography;
using System.Text;
using TaskService.Common;
using TaskService.Errors;
using TaskService.Security;
using TaskService.Storage;

namespace TaskService.ClientApps;

/// <summary>One per client app, keyed by its API key. Owns the app's secret, which leaves it only to sign deliveries.</summary>
public sealed class ClientAppGrain(ITaskServiceStore store, ISecretProtector secrets, TimeProvider time) : Grain, IClientAppGrain
{
    private ClientAppRow? _row;

    public override async Task OnActivateAsync(CancellationToken cancellationToken) =>
        _row = await store.GetClientAppByKeyAsync(this.GetPrimaryKeyString(), cancellationToken);

    public async Task<ClientAppCredentials> CreateAsync(string clientName)
    {
        if (string.IsNullOrWhiteSpace(clientName))
        {
            throw TaskServiceException.Invalid("clientName", "'clientName' is required.");
        }

        if (_row is not null)
        {
            throw TaskServiceException.Conflict("apiKey", "A client app with this API key exists already.");
        }

        var secret = NewSecret();
        var row = new ClientAppRow(
            new ClientAppRecord { Id = DeterministicId.NewId(), Name = clientName, ApiKey = this.GetPrimaryKeyString(), CreatedOn = time.GetUtcNow() },
            secrets.Protect(secret));
        if (!await store.TryAddClientAppAsync(row))
        {
            throw TaskServiceException.Conflict("apiKey", "A client app with this API key exists already.");
        }

        _row = row;
        return new ClientAppCredentials { Id = row.App.Id, Name = row.App.Name, ApiKey = row.App.ApiKey, ApiSecret = secret };
    }

    public Task<ClientAppRecord?> GetAsync() => Task.FromResult(_row?.App);

    public Task<bool> VerifyAsync(string apiSecret)
    {
        if (_row is null)
        {
            return Task.FromResult(false);
        }

        // Hashing first makes the comparison take the same time whatever the length of the guess.
        return Task.FromResult(CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(apiSecret)), SHA256.HashData(Encoding.UTF8.GetBytes(secrets.Unprotect(_row.ApiSecret)))));
    }

    private static string NewSecret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
}
