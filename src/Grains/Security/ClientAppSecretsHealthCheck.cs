using System.Security.Cryptography;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using TaskService.Queries;
using TaskService.Storage;

namespace TaskService.Security;

/// <summary>
/// Ready only when the configured secrets keys decrypt the stored client app secrets (a sample of them): with a wrong key no
/// webhook can be signed, and none is sent unsigned, so the service must not report itself ready.
/// </summary>
public sealed class ClientAppSecretsHealthCheck(ITaskServiceStore store, ISecretProtector secrets) : IHealthCheck
{
    public const string Name = "client-app-secrets";

    /// <summary>How many client apps each check decrypts.</summary>
    private const int Sample = 20;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var ids = await store.FindIdsAsync(EntityKind.ClientApp, null, Sample, cancellationToken);
        var undecryptable = new List<string>();
        foreach (var id in ids)
        {
            if (await store.GetClientAppAsync(id, cancellationToken) is not { } app)
            {
                continue;
            }

            try
            {
                secrets.Unprotect(app.ApiSecret);
            }
            catch (Exception exception) when (exception is CryptographicException or FormatException)
            {
                undecryptable.Add(id);
            }
        }

        return undecryptable.Count == 0
            ? HealthCheckResult.Healthy($"The secrets key decrypts the {ids.Count} client app secret(s) sampled.")
            : HealthCheckResult.Unhealthy(
                $"The configured TaskService:Secrets keys cannot decrypt the stored secrets of {undecryptable.Count} of {ids.Count} client app(s) sampled " +
                $"({string.Join(", ", undecryptable.Take(5))}), so no webhook of theirs can be signed. Configure the key they were written with " +
                "(TaskService:Secrets:Key, or TaskService:Secrets:PreviousKeys while rotating keys).");
    }
}
