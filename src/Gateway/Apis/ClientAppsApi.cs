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
    public static async Task<Results<Created<ClientAppCredentials>, BadRequestProblem, NotFoundProblem, ConflictProblem, ForbiddenProblem>> CreateAsync(
        ClientAppRequest? body, IGrainFactory grains)
    {
        if ((Validation.Body(body) ?? Validation.Required(body.ClientName, "clientName")) is { } invalid)
        {
            return invalid.ToResults<Created<ClientAppCredentials>>();
        }

        var credentials = await grains.GetGrain<IClientAppGrain>(ClientAppKeys.NewApiKey()).CreateAsync(body.ClientName!);
        return credentials.ToResults(created => TypedResults.Created($"/client-apps/{created.Id}", created));
    }

    /// <summary>
    /// Gives the client app a new secret, returned this once. The app proves it holds its current secret (<c>x-api-key</c>,
    /// <c>x-api-secret</c>), which stays valid for <c>overlapSeconds</c> (default <c>TaskService:Webhooks:SecretRotationOverlap</c>,
    /// 24 hours): meanwhile either secret authenticates the app and webhook deliveries carry a Standard Webhooks signature
    /// with each.
    /// </summary>
    public static async Task<IResult> RotateSecretAsync(string id, string? overlapSeconds, HttpRequest request, IGrainFactory grains)
    {
        // Read from the query itself: an empty value must not pass for one left out.
        var overlap = Overlap(request.Query.TryGetValue(OverlapParameter, out var given) ? given.ToString() : overlapSeconds);
        if (!overlap.IsOk)
        {
            return overlap.Problem.ToAnswer();
        }

        if (await ApiKeyAuthentication.AuthenticateAsync(request, grains) is not { } app)
        {
            return ApiKeyAuthentication.Unauthorized();
        }

        if (app.Id != id)
        {
            // The path names another app than the credentials do: as for any app the caller does not hold, it does not exist.
            return ProblemAnswers.NotFound("client app", id);
        }

        var rotation = await grains.GetGrain<IClientAppGrain>(app.ApiKey)
            .RotateSecretAsync(request.Headers[ApiKeyAuthentication.ApiSecretHeader].ToString(), overlap.Value);
        if (rotation.IsOk)
        {
            return TypedResults.Ok(rotation.Value);
        }

        // A secret that a rotation replaced: it authenticates the app during the overlap, but is not the credential this needs.
        return rotation.Problem is { Kind: TaskServiceErrorKind.Forbidden } replaced
            ? ApiKeyAuthentication.Unauthorized(replaced.Detail)
            : rotation.Problem.ToAnswer();
    }

    private static Outcome<TimeSpan?> Overlap(string? text)
    {
        if (text is null)
        {
            return Outcome.Of<TimeSpan?>(null);
        }

        // Given but empty is refused rather than read as "not given": a template that left the value out would otherwise get
        // the default overlap (a day) where it meant a number of its own, such as 0 to retire the old secret at once.
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > ClientAppSecretRotation.MaxOverlapSeconds)
        {
            return Problem.Invalid(OverlapParameter,
                $"'{OverlapParameter}' must be a whole number of seconds from 0 to {ClientAppSecretRotation.MaxOverlapSeconds}.");
        }

        return Outcome.Of<TimeSpan?>(TimeSpan.FromSeconds(seconds));
    }
}
