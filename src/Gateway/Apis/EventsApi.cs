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
    /// the same id twice records one event, and the same id with other content is a 422. Answers 202 with the id: workflows start
    /// asynchronously.
    /// </summary>
    public static async Task<Results<Accepted<EventAccepted>, BadRequestProblem, ProblemHttpResult>> TriggerAsync(EventTriggerRequest? body, HttpRequest request, IEventIngress ingress, TimeProvider time, RequestFieldChecks check)
    {
        if ((Validation.Body(body) ?? Validation.Required(body.Key, "key")) is { } invalid)
        {
            return invalid.ToBadRequest();
        }

        if (body.Payload is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null) })
        {
            return ProblemAnswers.Invalid("payload", "'payload' must be a JSON object.");
        }

        var idempotencyKey = SingleHeader(request, IdempotencyKeyHeader);
        var requestId = SingleHeader(request, RequestIdHeader);
        if ((idempotencyKey.Problem ?? requestId.Problem) is { } twice)
        {
            return twice.ToBadRequest();
        }

        // A blank id in the body is refused as a blank header is: taken as none, the retry of the request would be a second event.
        if (body.Id is { } givenId && string.IsNullOrWhiteSpace(givenId))
        {
            return ProblemAnswers.Invalid("id", "'id' is blank; give the event's id, or leave the property out.");
        }

        // None of the three is blank by now: the first given is the id.
        var id = idempotencyKey.Value ?? requestId.Value ?? body.Id ?? DeterministicId.NewId();
        if (check.Key(id, "id") is { } badId)
        {
            return badId.ToBadRequest();
        }

        var key = body.Key!;
        var record = new EventRecord
        {
            Id = id,
            Key = key,
            Payload = body.Payload is { ValueKind: JsonValueKind.Object } payload ? payload : JsonElementFactory.EmptyObject,
            Source = body.Source,
            Description = body.Description,
            Timestamp = time.GetUtcNow().ToUnixTimeMilliseconds(),
            TraceParent = System.Diagnostics.Activity.Current?.Id,
        };
        var acceptance = await ingress.TryPublishAsync(record);
        if (acceptance.Busy)
        {
            return Busy(request.HttpContext.Response, acceptance.RetryAfter);
        }

        if (acceptance.Conflict)
        {
            var named = !string.IsNullOrWhiteSpace(idempotencyKey.Value) ? IdempotencyKeyHeader
                : !string.IsNullOrWhiteSpace(requestId.Value) ? RequestIdHeader : "id";
            return IdInUse(named, id);
        }

        return TypedResults.Accepted($"/events/{Uri.EscapeDataString(id)}", new EventAccepted(id, key));
    }

    /// <summary>
    /// 422: the id names an event recorded before with other content (key, payload, source or description). An id names one
    /// event: repeating a request sends the same content, and another event takes another id.
    /// </summary>
    private static ProblemHttpResult IdInUse(string named, string id) =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status422UnprocessableEntity,
            title: "Id in use",
            detail: $"'{named}' gives the id '{id}', which names an event recorded before with another key, payload, source or description; " +
                "this event was not recorded. Repeat an event with the same content, or give a different event an id of its own.",
            extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [named] = ["The id names another event."] } });

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

    public static Task<Results<Ok<IReadOnlyList<JsonElement>>, BadRequestProblem>> ListAsync(HttpRequest request, IGrainFactory grains) =>
        QueryAnswers.ListAsync(request, grains, EntityKind.Event, EntitySchemas.Event);

    public static Task<Results<Ok<CountResult>, BadRequestProblem>> CountAsync(HttpRequest request, IGrainFactory grains) =>
        QueryAnswers.CountAsync(request, grains, EntityKind.Event, EntitySchemas.Event);

    public static async Task<Results<Ok<JsonElement>, BadRequestProblem, NotFoundProblem>> GetAsync(string id, HttpRequest request, IGrainFactory grains)
    {
        var fields = QueryParameters.Fields(request, EntitySchemas.Event);
        if (!fields.IsOk)
        {
            return fields.Problem.ToBadRequest();
        }

        var row = await grains.GetGrain<IQueryGrain>(0).GetAsync(EntityKind.Event, id, fields.Value);
        return row is { } found ? TypedResults.Ok(found) : ProblemAnswers.NotFound("event", id);
    }

    public static async Task<Results<Created<EventWorkflowMapping>, BadRequestProblem, NotFoundProblem, ConflictProblem, ForbiddenProblem>> AddMappingAsync(
        EventMappingRequest? body, ClaimsPrincipal user, IGrainFactory grains)
    {
        if ((Validation.Body(body) ?? Validation.Required(body.EventKey, "eventKey") ?? Validation.Required(body.WorkflowKey, "workflowKey")) is { } invalid)
        {
            return invalid.ToResults<Created<EventWorkflowMapping>>();
        }

        var mapping = await grains.GetGrain<IMappingsGrain>(0).AddEventMappingAsync(body.EventKey!, body.WorkflowKey!, user.UserId());
        return mapping.ToResults(added => TypedResults.Created($"/events/mapping/{added.Id}", added));
    }

    public static Task<Results<Ok<IReadOnlyList<JsonElement>>, BadRequestProblem>> ListMappingsAsync(HttpRequest request, IGrainFactory grains) =>
        QueryAnswers.ListAsync(request, grains, EntityKind.EventMapping, EntitySchemas.EventMapping);

    /// <summary>Soft-deletes the mapping; its keys can be mapped again.</summary>
    public static async Task<Results<NoContent, NotFoundProblem>> DeleteMappingAsync(string id, ClaimsPrincipal user, IGrainFactory grains) =>
        await grains.GetGrain<IMappingsGrain>(0).DeleteEventMappingAsync(id, user.UserId()) ? TypedResults.NoContent() : ProblemAnswers.NotFound("event mapping", id);

    /// <summary>
    /// The value of a header that names one thing (an event id), null when it is absent, or a problem naming the header when it
    /// is given more than once (read as one, its values would be joined into an id that none of them is) or blank (the event
    /// would get an id of its own, and a retry of the same request a second event).
    /// </summary>
    private static Outcome<string?> SingleHeader(HttpRequest request, string name)
    {
        var values = request.Headers[name];
        return values.Count switch
        {
            0 => Outcome.Of<string?>(null),
            > 1 => Problem.Invalid(name, $"The header '{name}' is given {values.Count} times; give it once."),
            _ when string.IsNullOrWhiteSpace(values[0]) => Problem.Invalid(name, $"The header '{name}' is blank; give the event's id, or leave the header out."),
            _ => Outcome.Of<string?>(values[0]),
        };
    }
}
