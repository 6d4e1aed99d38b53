using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using TaskService.Common;
using TaskService.Errors;
using TaskService.Events;
using TaskService.Gateway.Auth;
using TaskService.Gateway.Http;
using TaskService.Mappings;
using TaskService.Queries;
using TaskService.Serialization;

namespace TaskService.Gateway.Apis;

/// <summary><c>/events</c>: trigger events, read them, and map event keys to workflows.</summary>
public static class EventsApi
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    public const string RequestIdHeader = "x-request-id";

    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        var events = app.MapGroup("/events").WithTags("Events");

        events.MapPost("/trigger", TriggerAsync).RequireAuthorization(Permissions.TriggerEvent);
        events.MapGet("/", ListAsync).RequireAuthorization(Permissions.ViewEvent).AcceptsQuery("filter");
        events.MapGet("/count", CountAsync).RequireAuthorization(Permissions.ViewEvent).AcceptsQuery("where");
        events.MapPost("/mapping", AddMappingAsync).RequireAuthorization(Permissions.MapTask);
        events.MapGet("/mapping", ListMappingsAsync).RequireAuthorization(Permissions.MapTask).AcceptsQuery("filter");
        events.MapDelete("/mapping/{id}", DeleteMappingAsync).RequireAuthorization(Permissions.MapTask);
        events.MapGet("/{id}", GetAsync).RequireAuthorization(Permissions.ViewEvent).AcceptsQuery("filter");
        return app;
    }

    /// <summary>
    /// Accepts an event for processing. Its id comes from the Idempotency-Key or x-request-id header, else the body's id, else a new one;
    /// the same id twice records one event. Answers 202 with the id: workflows start asynchronously.
    /// </summary>
    public static async Task<Results<Accepted<EventAccepted>, ProblemHttpResult>> TriggerAsync(EventTriggerRequest? body, HttpRequest request, IGrainFactory grains, TimeProvider time, RequestFieldChecks check)
    {
        body = Validation.Body(body);
        var key = Validation.Required(body.Key, "key");
        if (body.Payload is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null) })
        {
            throw TaskServiceException.Invalid("payload", "'payload' must be a JSON object.");
        }

        var id = FirstNonEmpty(request.Headers[IdempotencyKeyHeader], request.Headers[RequestIdHeader], body.Id) ?? DeterministicId.NewId();
        check.Key(id, "id");

        var record = new EventRecord
        {
            Id = id,
            Key = key,
            Payload = body.Payload is { ValueKind: JsonValueKind.Object } payload ? Validation.WellFormed(payload, "payload") : JsonElementFactory.EmptyObject,
            Source = body.Source,
            Description = body.Description,
            Timestamp = time.GetUtcNow().ToUnixTimeMilliseconds(),
            TraceParent = System.Diagnostics.Activity.Current?.Id,
        };
        var acceptance = await grains.GetGrain<IEventIngressGrain>(0).TryPublishAsync(record);
        if (acceptance.Busy)
        {
            return Busy(request.HttpContext.Response, acceptance.RetryAfter);
        }

        return TypedResults.Accepted($"/events/{Uri.EscapeDataString(id)}", new EventAccepted(id, key));
    }

    /// <summary>503 with Retry-After: too many events wait for routing; the same request (same id) may be sent again later.</summary>
    private static ProblemHttpResult Busy(HttpResponse response, TimeSpan retryAfter)
    {
        var seconds = (int)Math.Ceiling(retryAfter.TotalSeconds);
        response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "Busy",
            detail: $"Too many events are waiting to be routed. Send the event again (with the same id) in {seconds} s.");
    }

    public static async Task<Ok<IReadOnlyList<JsonElement>>> ListAsync(HttpRequest request, IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<IQueryGrain>(0).ListAsync(EntityKind.Event, QueryParameters.Filter(request, EntitySchemas.Event)));

    public static async Task<Ok<CountResult>> CountAsync(HttpRequest request, IGrainFactory grains) =>
        TypedResults.Ok(new CountResult(await grains.GetGrain<IQueryGrain>(0).CountAsync(EntityKind.Event, QueryParameters.Where(request, EntitySchemas.Event))));

    public static async Task<Results<Ok<JsonElement>, ProblemHttpResult>> GetAsync(string id, HttpRequest request, IGrainFactory grains)
    {
        var row = await grains.GetGrain<IQueryGrain>(0).GetAsync(EntityKind.Event, id, QueryParameters.Fields(request, EntitySchemas.Event));
        return row is { } found ? TypedResults.Ok(found) : ProblemResults.NotFound("event", id);
    }

    public static async Task<Created<EventWorkflowMapping>> AddMappingAsync(EventMappingRequest? body, ClaimsPrincipal user, IGrainFactory grains)
    {
        body = Validation.Body(body);
        var mapping = await grains.GetGrain<IMappingsGrain>(0).AddEventMappingAsync(
            Validation.Required(body.EventKey, "eventKey"), Validation.Required(body.WorkflowKey, "workflowKey"), user.UserId());
        return TypedResults.Created($"/events/mapping/{mapping.Id}", mapping);
    }

    public static async Task<Ok<IReadOnlyList<JsonElement>>> ListMappingsAsync(HttpRequest request, IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<IQueryGrain>(0).ListAsync(EntityKind.EventMapping, QueryParameters.Filter(request, EntitySchemas.EventMapping)));

    /// <summary>Soft-deletes the mapping; its keys can be mapped again.</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteMappingAsync(string id, ClaimsPrincipal user, IGrainFactory grains) =>
        await grains.GetGrain<IMappingsGrain>(0).DeleteEventMappingAsync(id, user.UserId()) ? TypedResults.NoContent() : ProblemResults.NotFound("event mapping", id);

    private static string? FirstNonEmpty(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
}
