using Microsoft.AspNetCore.Http.HttpResults;
using TaskService.ClientApps;
using TaskService.Gateway.Auth;

namespace TaskService.Gateway.Apis;

/// <summary><c>/client-apps</c> (and the original's <c>/client-app</c>): register an application that receives webhooks.</summary>
public static class ClientAppsApi
{
    public static IEndpointRouteBuilder MapClientAppsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/client-apps", CreateAsync).RequireAuthorization(Permissions.CreateApiKey).WithTags("Client apps");
        app.MapPost("/client-app", CreateAsync).RequireAuthorization(Permissions.CreateApiKey).WithTags("Client apps");
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
}
