using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using TaskService.Common;
using TaskService.Errors;
using TaskService.Security;
using TaskService.Storage;
using TaskService.Webhooks;

namespace TaskService.ClientApps;

/// <summary>
/// One per client app, keyed by its API key. Owns the app's secret, which leaves it only to sign deliveries, and rotates it:
/// the secret it replaces stays valid for an overlap, so receivers and callers can switch without a gap.
/// </summary>
public sealed class ClientAppGrain(ITaskServiceStore store, ISecretProtector secrets, TimeProvider time, IOptions<WebhookOptions> options)
    : Grain, IClientAppGrain
{
    private ClientAppRow? _row;

    public override async Task OnActivateAsync(CancellationToken cancellationToken) =>
        _row = await store.GetClientAppByKeyAsync(this.GetPrimaryKeyString(), cancellationToken);

    public async Task<Outcome<ClientAppCredentials>> CreateAsync(string clientName)
    {
        if (Problem.MissingText(clientName, "clientName") is { } missing)
        {
            return missing;
        }

        if (_row is not null)
        {
            return KeyTaken();
        }

        var secret = NewSecret();
        var row = new ClientAppRow(
            new ClientAppRecord { Id = DeterministicId.NewId(), Name = clientName, ApiKey = this.GetPrimaryKeyString(), CreatedOn = time.GetUtcNow() },
            secrets.Protect(secret));
        if (!await store.TryAddClientAppAsync(row))
        {
            return KeyTaken();
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

        // Both comparisons always run, so the answer takes the same time whichever secret matched.
        var current = Matches(apiSecret, _row.ApiSecret);
        var previous = _row.PreviousSecretAt(time.GetUtcNow()) is { } protectedPrevious && Matches(apiSecret, protectedPrevious);
        return Task.FromResult(current | previous);
    }

    public async Task<Outcome<ClientAppSecretRotation>> RotateSecretAsync(string currentSecret, TimeSpan? overlap)
    {
        if (_row is null)
        {
            return Problem.NotFound("client app", this.GetPrimaryKeyString());
        }

        if (!Matches(currentSecret, _row.ApiSecret))
        {
            return Problem.Forbidden(
                "x-api-secret",
                "Rotating the secret needs the app's current secret, the one the last rotation returned; the secret it replaced only authenticates the app until its overlap ends.");
        }

        var keep = overlap ?? options.Value.SecretRotationOverlap;
        if (keep < TimeSpan.Zero || keep.TotalSeconds > ClientAppSecretRotation.MaxOverlapSeconds)
        {
            return Problem.Invalid("overlapSeconds", $"'overlapSeconds' must be from 0 to {ClientAppSecretRotation.MaxOverlapSeconds}.");
        }

        // A rotation during another's overlap ends that one: only the secret replaced now stays valid.
        var secret = NewSecret();
        var validUntil = time.GetUtcNow() + keep;
        var row = _row with { ApiSecret = secrets.Protect(secret), PreviousApiSecret = _row.ApiSecret, PreviousSecretValidUntil = validUntil };
        await store.UpdateClientAppSecretsAsync(row);
        _row = row;
        return new ClientAppSecretRotation
        {
            Id = row.App.Id,
            Name = row.App.Name,
            ApiKey = row.App.ApiKey,
            ApiSecret = secret,
            PreviousSecretValidUntil = validUntil,
        };
    }

    /// <summary>Hashing first makes the comparison take the same time whatever the length of the guess.</summary>
    private bool Matches(string apiSecret, string protectedSecret) =>
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(apiSecret)), SHA256.HashData(Encoding.UTF8.GetBytes(secrets.Unprotect(protectedSecret))));

    private static Problem KeyTaken() => Problem.Conflict("apiKey", "A client app with this API key exists already.");

    private static string NewSecret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
}
