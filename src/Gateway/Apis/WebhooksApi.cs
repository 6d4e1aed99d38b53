using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using TaskService.Errors;
using TaskService.Gateway.Auth;
using TaskService.Gateway.Http;
using TaskService.Queries;
using TaskService.Webhooks;

namespace TaskService.Gateway.Apis;

/// <summary>
/// <c>/webhooks</c>: a client app subscribes URLs to event keys, manages its own subscriptions, reads their delivery log and
/// redelivers. Every route needs permission 16010 and the app's <c>x-api-key</c> and <c>x-api-secret</c>; another app's
/// subscription is answered as not found.
/// </summary>
public static class WebhooksApi
{
    /// <summary>The page size of the delivery log when the filter sets no limit.</summary>
    public const int DefaultDeliveryPageSize = 100;

    public static IEndpointRouteBuilder MapWebhooksApi(this IEndpointRouteBuilder app)
    {
        var webhooks = app.MapGroup("/webhooks").WithTags("Webhooks").RequireAuthorization(Permissions.SubscribeToWebhook);
        webhooks.MapPost("/subscribe", SubscribeAsync);
        webhooks.MapGet("/", ListAsync).AcceptsQuery("filter");
        webhooks.MapDelete("/{id}", DeleteAsync);
        webhooks.MapGet("/{id}/deliveries", ListDeliveriesAsync).AcceptsQuery("filter");
        webhooks.MapGet("/{id}/deliveries/{deliveryId}", GetDeliveryAsync);
        webhooks.MapPost("/{id}/deliveries/{deliveryId}/redeliver", RedeliverAsync);
        return app;
    }

    /// <summary>Subscribes a URL to an event key. Subscribing the same URL and key again returns the existing subscription.</summary>
    public static async Task<IResult> SubscribeAsync(SubscribeRequest? body, HttpRequest request, IGrainFactory grains)
    {
        if ((Validation.Body(body) ?? Validation.Required(body.Url, "url") ?? Validation.Required(body.Key, "key")) is { } invalid)
        {
            return invalid.ToBadRequest();
        }

        var key = body.Key!;

        // Uri would drop the spaces around the URL and answer another URL than the one sent.
        if (body.Url!.Trim().Length != body.Url.Length)
        {
            return ProblemAnswers.Invalid("url", "'url' must not begin or end with white space.");
        }

        if (!Uri.TryCreate(body.Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return ProblemAnswers.Invalid("url", "'url' must be an absolute http or https URL.");
        }

        // Port 0 names no port a connection can be made to: every delivery would fail.
        if (uri.Port == 0)
        {
            return ProblemAnswers.Invalid("url", "'url' must not name port 0: no receiver can listen there.");
        }

        // A fragment never reaches the server it names, so a URL with one is not the URL that would be called.
        if (uri.Fragment.Length > 0)
        {
            return ProblemAnswers.Invalid("url", "'url' must not have a fragment ('#...'): it is never sent to the receiver.");
        }

        // A subscription to a key TaskService never publishes (a typo such as "task-create") would be accepted and never fire.
        if (!Events.OutgoingEventTypes.All.Contains(key, StringComparer.Ordinal))
        {
            return ProblemAnswers.Invalid("key", $"'key' must be an event TaskService publishes: {string.Join(", ", Events.OutgoingEventTypes.All)}.");
        }

        if (await ApiKeyAuthentication.AuthenticateAsync(request, grains) is not { } app)
        {
            return ApiKeyAuthentication.Unauthorized();
        }

        var id = Common.DeterministicId.From("subscription", app.Id, uri.ToString(), key);
        var subscription = await grains.GetGrain<IWebhookSubscriptionGrain>(id).CreateAsync(uri.ToString(), key, app.Id);
        return subscription.Value is { } created ? TypedResults.Created($"/webhooks/{created.Id}", created) : subscription.Problem!.ToAnswer();
    }

    public static async Task<IResult> ListAsync(HttpRequest request, IGrainFactory grains)
    {
        var parsed = QueryParameters.Filter(request, EntitySchemas.WebhookSubscription);
        if (parsed.Value is not { } filter)
        {
            return parsed.Problem!.ToBadRequest();
        }

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
            return ProblemAnswers.NotFound("webhook subscription", id);
        }

        var deleted = await subscription.DeleteAsync();
        return deleted.Problem is { } problem ? problem.ToAnswer() : TypedResults.NoContent();
    }

    /// <summary>
    /// The subscription's delivery log, newest first unless the filter orders it: a LoopBack filter over the deliveries' fields
    /// (status, eventType, eventId, createdOn, ...), with <c>include: ["attempts"]</c> for each delivery's attempts.
    /// </summary>
    public static async Task<IResult> ListDeliveriesAsync(string id, HttpRequest request, IGrainFactory grains)
    {
        var parsed = QueryParameters.Filter(request, EntitySchemas.WebhookDelivery);
        if (parsed.Value is not { } filter)
        {
            return parsed.Problem!.ToBadRequest();
        }

        if (await OwnSubscriptionAsync(id, request, grains) is { } refused)
        {
            return refused;
        }

        filter = QueryParameters.Scope(filter, "subscriptionId", id);
        IReadOnlyList<JsonElement> rows = await grains.GetGrain<IQueryGrain>(0)
            .ListAsync(EntityKind.WebhookDelivery, filter.Limit is null ? filter with { Limit = DefaultDeliveryPageSize } : filter);
        return TypedResults.Ok(rows);
    }

    /// <summary>One delivery of the subscription with its attempts, oldest attempt first.</summary>
    public static async Task<IResult> GetDeliveryAsync(string id, string deliveryId, HttpRequest request, IGrainFactory grains)
    {
        if (await OwnSubscriptionAsync(id, request, grains) is { } refused)
        {
            return refused;
        }

        var withAttempts = new QueryFilter { Include = [new IncludeFilter { Relation = "attempts" }] };
        var row = await grains.GetGrain<IQueryGrain>(0).GetFilteredAsync(EntityKind.WebhookDelivery, deliveryId, withAttempts);
        if (row is not { } delivery || !delivery.TryGetProperty("subscriptionId", out var owner) || owner.GetString() != id)
        {
            return ProblemAnswers.NotFound("webhook delivery", deliveryId);
        }

        return TypedResults.Ok(delivery);
    }

    /// <summary>
    /// Queues a new delivery of the same event (delivered, given up or still pending), whose attempts start at 1: 202 with it.
    /// </summary>
    public static async Task<IResult> RedeliverAsync(string id, string deliveryId, HttpRequest request, IGrainFactory grains)
    {
        if (await OwnSubscriptionAsync(id, request, grains) is { } refused)
        {
            return refused;
        }

        var redelivered = await grains.GetGrain<IWebhookSubscriptionGrain>(id).RedeliverAsync(deliveryId);
        if (redelivered.Value is not { } redelivery)
        {
            return redelivered.Problem!.ToAnswer();
        }

        return TypedResults.Accepted($"/webhooks/{id}/deliveries/{redelivery.Id}", redelivery);
    }

    /// <summary>Null when the calling app owns subscription <paramref name="id"/>; otherwise the 401 or 404 to answer.</summary>
    private static async Task<IResult?> OwnSubscriptionAsync(string id, HttpRequest request, IGrainFactory grains)
    {
        if (await ApiKeyAuthentication.AuthenticateAsync(request, grains) is not { } app)
        {
            return ApiKeyAuthentication.Unauthorized();
        }

        return await grains.GetGrain<IWebhookSubscriptionGrain>(id).GetAsync() is { } found && found.ClientAppId == app.Id
            ? null
            : ProblemAnswers.NotFound("webhook subscription", id);
    }
}
