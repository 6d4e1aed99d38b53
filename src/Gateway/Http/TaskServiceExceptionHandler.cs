using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using TaskService.Errors;

namespace TaskService.Gateway.Http;

/// <summary>Turns domain errors and unreadable request bodies into RFC 7807 answers that say what is wrong.</summary>
public sealed partial class TaskServiceExceptionHandler(IProblemDetailsService problems, ILogger<TaskServiceExceptionHandler> logger) : IExceptionHandler
{
    /// <summary>The Retry-After of a 503 for a dependency that could not be reached: a few seconds, as an engine restart takes.</summary>
    public const int UnavailableRetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail, target) = exception switch
        {
            TaskServiceException { Kind: TaskServiceErrorKind.NotFound } e => (StatusCodes.Status404NotFound, "Not found", e.Message, e.Target),
            TaskServiceException { Kind: TaskServiceErrorKind.Conflict } e => (StatusCodes.Status409Conflict, "Conflict", e.Message, e.Target),
            TaskServiceException { Kind: TaskServiceErrorKind.Forbidden } e => (StatusCodes.Status403Forbidden, "Forbidden", e.Message, e.Target),
            TaskServiceException { Kind: TaskServiceErrorKind.Unavailable } e => (StatusCodes.Status503ServiceUnavailable, "Service unavailable", e.Message, e.Target),
            TaskServiceException e => (StatusCodes.Status400BadRequest, "Invalid request", e.Message, e.Target),
            BadHttpRequestException { InnerException: JsonException json } => Json(json, httpContext),
            JsonException json => Json(json, httpContext),
            BadHttpRequestException e => Binding(e, httpContext),
            _ when UnavailableDependency(exception) is { } missing => (StatusCodes.Status503ServiceUnavailable, "Service unavailable",
                $"{missing}, so the request may or may not have taken effect. Send it again after Retry-After; an event sent again " +
                "with the same id is recorded once.", null),
            _ => (0, string.Empty, string.Empty, null),
        };

        if (status == 0)
        {
            LogUnhandled(httpContext.Request.Method, httpContext.Request.Path, exception);
            return false;
        }

        if (exception is not TaskServiceException && status == StatusCodes.Status503ServiceUnavailable)
        {
            // One line without the stack: during an outage every request fails the same way, and readiness says why.
            LogUnavailable(httpContext.Request.Method, httpContext.Request.Path, exception.GetType().Name, exception.Message);
        }

        httpContext.Response.StatusCode = status;
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            httpContext.Response.Headers.RetryAfter = UnavailableRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var context = new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        };
        if (exception is TaskServiceException { Errors: { Count: > 0 } errors })
        {
            context.ProblemDetails.Extensions["errors"] = errors;
        }
        else if (status == StatusCodes.Status400BadRequest && target is not null)
        {
            context.ProblemDetails.Extensions["errors"] = new Dictionary<string, string[]> { [target] = [detail] };
        }

        return await problems.TryWriteAsync(context);
    }

    private static (int, string, string, string?) Json(JsonException exception, HttpContext context)
    {
        // The exception handler clears the request's endpoint; the feature keeps the one that failed.
        var endpoint = Endpoint(context);
        var requestType = endpoint?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType;
        var options = context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var (detail, target) = ClientErrorText.ForJson(exception, requestType, options);
        return (StatusCodes.Status400BadRequest, "Invalid request body", detail, target);
    }

    /// <summary>
    /// A request the framework could not bind, told apart by its status alone: every query and route parameter whose form can be
    /// wrong is read by the handlers themselves, so what is left is the body (too large, not JSON, or missing).
    /// </summary>
    private static (int, string, string, string?) Binding(BadHttpRequestException exception, HttpContext context) => exception.StatusCode switch
    {
        StatusCodes.Status413PayloadTooLarge => (exception.StatusCode, "Request body too large",
            $"The request body is larger than the limit of {RequestBodyGuard.LimitFor(context, Endpoint(context))} bytes (TaskService:Limits).", null),
        StatusCodes.Status415UnsupportedMediaType => (exception.StatusCode, "Unsupported media type",
            "The request body must be JSON sent as 'Content-Type: application/json'.", null),
        _ when Endpoint(context)?.Metadata.GetMetadata<IAcceptsMetadata>() is not null => (exception.StatusCode, "Invalid request",
            "The request body is missing or could not be read; this route takes a JSON object.", "body"),
        _ => (exception.StatusCode, "Invalid request", "The request could not be read: a route or query parameter has the wrong form.", null),
    };

    /// <summary>What a dependency the request needed did, when that is why it failed; null for any other failure.</summary>
    private static string? UnavailableDependency(Exception exception) =>
        IsDatabaseUnavailable(exception) ? "PostgreSQL, where the service keeps its data, cannot be reached just now"
        : IsClusterUnavailable(exception) ? "A silo of the cluster did not answer in time (it may have stopped while its work moves to the silos left)"
        : null;

    /// <summary>
    /// The cluster could not carry the call: the silo that holds the grain stopped or was declared dead, refused the message, or
    /// no answer came within the response timeout. The request can be sent again; grains are activated anew on the silos left.
    /// </summary>
    public static bool IsClusterUnavailable(Exception exception) => exception is
        SiloUnavailableException or OrleansMessageRejectionException or GatewayTooBusyException or ClientNotAvailableException
        or Orleans.Runtime.Messaging.ConnectionFailedException or (TimeoutException and not System.Text.RegularExpressions.RegexMatchTimeoutException);

    /// <summary>
    /// PostgreSQL cannot be reached, or refuses connections for now: a connection, network or timeout failure on the client's
    /// side, or the server's answer that it is shutting down, starting, out of connections or not accepting them for the
    /// database. Not an error of a statement (a constraint, a value): those stay what they are.
    /// </summary>
    public static bool IsDatabaseUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case Npgsql.PostgresException postgres:
                    return postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
                        || postgres.SqlState is Npgsql.PostgresErrorCodes.AdminShutdown or Npgsql.PostgresErrorCodes.CrashShutdown
                            or Npgsql.PostgresErrorCodes.CannotConnectNow or Npgsql.PostgresErrorCodes.TooManyConnections
                            or Npgsql.PostgresErrorCodes.ObjectNotInPrerequisiteState;
                case Npgsql.NpgsqlException npgsql:
                    return npgsql.IsTransient;
            }
        }

        return false;
    }

    /// <summary>The request's endpoint: the exception handler clears it, and its feature keeps the one that failed.</summary>
    internal static Endpoint? Endpoint(HttpContext context) => context.Features.Get<IExceptionHandlerFeature>()?.Endpoint ?? context.GetEndpoint();

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path} answered 503: a dependency is unavailable ({ExceptionType}: {Reason})")]
    private partial void LogUnavailable(string method, string path, string exceptionType, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error for {Method} {Path}")]
    private partial void LogUnhandled(string method, string path, Exception exception);
}
