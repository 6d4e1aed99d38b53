using TaskService.ClientApps;

namespace TaskService.Gateway.Http;

/// <summary>Checks the <c>x-api-key</c> and <c>x-api-secret</c> headers against the client apps.</summary>
public static class ApiKeyAuthentication
{
    public const string ApiKeyHeader = "x-api-key";
    public const string ApiSecretHeader = "x-api-secret";

    /// <summary>The calling client app, or null when the headers are missing or wrong.</summary>
    public static async Task<ClientAppRecord?> AuthenticateAsync(HttpRequest request, IGrainFactory grains)
    {
        var apiKey = request.Headers[ApiKeyHeader].ToString();
        var apiSecret = request.Headers[ApiSecretHeader].ToString();
        if (string.IsNullOrEmpty(apiKey) || string.IsNullOrEmpty(apiSecret) || apiKey.Length > 200)
        {
            return null;
        }

        var app = grains.GetGrain<IClientAppGrain>(apiKey);
        return await app.VerifyAsync(apiSecret) ? await app.GetAsync() : null;
    }

    public static IResult Unauthorized(string? detail = null) => TypedResults.Problem(
        statusCode: StatusCodes.Status401Unauthorized,
        title: "Invalid API key or secret",
        detail: detail ?? $"Send the '{ApiKeyHeader}' and '{ApiSecretHeader}' headers with the credentials POST /client-apps returned.");
}
