using System.Net;

namespace TaskService.Postgres.Tests.Durability;

/// <summary>The credentials <c>POST /client-apps</c> returned; <see cref="Headers"/> authenticate <c>/webhooks</c> calls as the app.</summary>
public sealed record ClientAppCredentials(string Id, string ApiKey, string ApiSecret)
{
    public IReadOnlyDictionary<string, string> Headers => new Dictionary<string, string> { ["x-api-key"] = ApiKey, ["x-api-secret"] = ApiSecret };

    public static async Task<ClientAppCredentials> CreateAsync(HttpClient api)
    {
        var created = await api.SendJsonAsync("POST", "/client-apps", new { clientName = $"durability-{Guid.NewGuid():N}" })
            .ExpectAsync(HttpStatusCode.Created);
        return new ClientAppCredentials(
            created.GetProperty("id").GetString()!,
            created.GetProperty("apiKey").GetString()!,
            created.GetProperty("apiSecret").GetString()!);
    }
}
