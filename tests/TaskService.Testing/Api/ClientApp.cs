using System.Net;
using System.Text.Json;
using TaskService.Gateway.Auth;

namespace TaskService.Testing.Api;

/// <summary>The credentials <c>POST /client-apps</c> returned.</summary>
public sealed record ClientApp(string Id, string Name, string ApiKey, string ApiSecret)
{
    public const string ApiKeyHeader = "x-api-key";
    public const string ApiSecretHeader = "x-api-secret";

    /// <summary>Creates a client app through the API.</summary>
    public static async Task<ClientApp> CreateAsync(TaskServiceApiFactory factory, string? name = null)
    {
        var response = await factory.CreateClient(Permissions.CreateApiKey)
            .PostJsonAsync("/client-apps", new { clientName = name ?? TaskSeeding.NewKey("app") });
        var created = await response.ReadJsonAsync(HttpStatusCode.Created);
        return new ClientApp(
            created.GetProperty("id").GetString()!,
            created.GetProperty("name").GetString()!,
            created.GetProperty("apiKey").GetString()!,
            created.GetProperty("apiSecret").GetString()!);
    }

    /// <summary>A client with permission 16010 (or the given codes) that sends this app's key and secret.</summary>
    public HttpClient CreateWebhooksClient(TaskServiceApiFactory factory, params string[] permissions)
    {
        var client = factory.CreateClient(permissions.Length == 0 ? [Permissions.SubscribeToWebhook] : permissions);
        client.DefaultRequestHeaders.Add(ApiKeyHeader, ApiKey);
        client.DefaultRequestHeaders.Add(ApiSecretHeader, ApiSecret);
        return client;
    }

    /// <summary>Adds this app's key and secret to a request.</summary>
    public HttpRequestMessage Sign(HttpRequestMessage request)
    {
        request.Headers.Add(ApiKeyHeader, ApiKey);
        request.Headers.Add(ApiSecretHeader, ApiSecret);
        return request;
    }

    /// <summary>Subscribes <paramref name="url"/> to <paramref name="key"/> and returns the subscription (201 asserted).</summary>
    public async Task<JsonElement> SubscribeAsync(TaskServiceApiFactory factory, string url, string key)
    {
        var response = await CreateWebhooksClient(factory).PostJsonAsync("/webhooks/subscribe", new { url, key });
        return await response.ReadJsonAsync(HttpStatusCode.Created);
    }
}
