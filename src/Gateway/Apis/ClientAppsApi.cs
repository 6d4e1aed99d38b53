using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using TaskService.ClientApps;
using TaskService.Errors;
using TaskService.Gateway.Auth;
using TaskService.Gateway.Http;

namespace TaskService.Gateway.Apis;

/// <summary><c>/client-apps</c> (and the original's <c>/client-app</c>): register an application that receives webhooks, rotate its secret.</summary>
public static class ClientAppsApi
{
    public const string OverlapParameter = "overlapSeconds";

    public static IEndpointRouteBuilder MapClientAppsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/client-apps", CreateAsync).RequireAuthorization(Permissions.CreateApiKey).WithTags("Client apps");
        app.MapPost("/client-app", CreateAsync).RequireAuthorization(Permissions.CreateApiKey).WithTags("Client apps");
        app.MapPost("/client-apps/{id}/rotate-secret", RotateSecretAsync)
            .RequireAuthorization(Permissions.CreateApiKey).WithTags("Client apps").AcceptsQuery(OverlapParameter)
            .Produces<ClientAppSecretRotation>();
        return app;
    }

    /// <summary>Creates a client app and returns its API key and secret. The secret is shown this once; keep it.</summary>
    public static async Task<Created<ClientAppCredentials>> CreateAsync(ClientAppRequest? body, IGrainFactory grains)
    {
        body = Validation.Body(body);
        var name = Validation.Required(body.ClientName, "clientName");
        var credentials = await grains.GetGrain<IClientAppGrain>(ClientAppKeys.NewApiKey()).CreateAsync(name);
        return TypedResults.Created($"/client-apps/{credentials.Id}", credentials);
    }

    /// <summary>
    /// Gives the client app a new secret, returned this once. The app proves it holds its current secret (<c>x-api-key</c>,
    /// <c>x-api-secret</c>), which stays valid for <c>overlapSeconds</c> (default <c>TaskService:Webhooks:SecretRotationOverlap</c>,
    /// 24 hours): meanwhile either secret authenticates the app and webhook deliveries carry a Standard Webhooks signature
    /// with each.
    /// </summary>
    public static async Task<IResult> RotateSecretAsync(string id, string? overlapSeconds, HttpRequest request, IGrainFactory grains)
    {
        var overlap = Overlap(overlapSeconds);
        if (await ApiKeyAuthentication.AuthenticateAsync(request, grains) is not { } app)
        {
            return ApiKeyAuthentication.Unauthorized();
        }

        if (app.Id != id)
        {
            // The path names another app than the credentials do: as for any app the caller does not hold, it does not exist.
            return ProblemResults.NotFound("client app", id);
        }

        return TypedResults.Ok(await grains.GetGrain<IClientAppGrain>(app.ApiKey).RotateSecretAsync(overlap));
    }

    private static TimeSpan? Overlap(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > ClientAppSecretRotation.MaxOverlapSeconds)
        {
            throw TaskServiceException.Invalid(OverlapParameter,
                $"'{OverlapParameter}' must be a whole number of seconds from 0 to {ClientAppSecretRotation.MaxOverlapSeconds}.");
        }

        return TimeSpan.FromSeconds(seconds);
    }
}
