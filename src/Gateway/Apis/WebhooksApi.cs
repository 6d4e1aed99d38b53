using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using TaskService.Errors;
using TaskService.Gateway.Auth;
using TaskService.Gateway.Http;
using TaskService.Queries;
using TaskService.Webhooks;

namespace TaskService.Gateway.Apis;

/// <summary>
/// <c>/webhooks</c>: a client app subscribes URLs to event keys and manages its own subscriptions.
/// Every route needs permission 16010 and the app's <c>x-api-key</c> and <c>x-api-secret</c>.
/// </summary>
public static class WebhooksApi
{
    public static IEndpointRouteBuilder MapWebhooksApi(this IEndpointRouteBuilder app)
    {
        var webhooks = app.MapGroup("/webhooks").WithTags("Webhooks").RequireAuthorization(Permissions.SubscribeToWebhook);
        webhooks.MapPost("/subscribe", SubscribeAsync);
        webhooks.MapGet("/", ListAsync).AcceptsQuery("filter");
        webhooks.MapDelete("/{id}", DeleteAsync);
        return app;
    }

    /// <summary>Subscribes a URL to an event key. Subscribing the same URL and key again returns the existing subscription.</summary>
    public static async Task<IResult> SubscribeAsync(SubscribeRequest? body, HttpRequest request, IGrainFactory grains)
    {
        body = Validation.Body(body);
        var url = Validation.Required(body.Url, "url", 2000);
        var key = Validation.Required(body.Key, "key");
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw TaskServiceException.Invalid("url", "'url' must be an absolute http or https URL.");
        }

        if (await ApiKeyAuthentication.AuthenticateAsync(request, grains) is not { } app)
        {
            return ApiKeyAuthentication.Unauthorized();
        }

        var id = Common.DeterministicId.From("subscription", app.Id, uri.ToString(), key);
        var subscription = await grains.GetGrain<IWebhookSubscriptionGrain>(id).CreateAsync(uri.ToString(), key, app.Id);
        return TypedResults.Created($"/webhooks/{subscription.Id}", subscription);
    }

    public static async Task<IResult> ListAsync(HttpRequest request, IGrainFactory grains)
    {
        var filter = QueryParameters.Filter(request, EntitySchemas.WebhookSubscription);
        if (await ApiKeyAuthentication.AuthenticateAsync(request, grains) is not { } app)
        {
            return ApiKeyAuthentication.Unauthorized();
        }

        IReadOnlyList<JsonElement> rows = await grains.GetGrain<IQueryGrain>(0)
            .ListAsync(EntityKind.WebhookSubscription, QueryParameters.Scope(filter, "clientAppId", app.Id));
        return TypedResults.Ok(rows);
    }

    public static async Task<IResult> DeleteAsync(string id, HttpRequest request, IGrainFactory grains)
    {
        if (await ApiKeyAuthentication.AuthenticateAsync(request, grains) is not { } app)
        {
            return ApiKeyAuthentication.Unauthorized();
        }

        var subscription = grains.GetGrain<IWebhookSubscriptionGrain>(id);
        if (await subscription.GetAsync() is not { } found || found.ClientAppId != app.Id)
        {
            return ProblemResults.NotFound("webhook subscription", id);
        }

        await subscription.DeleteAsync();
        return TypedResults.NoContent();
    }
}
