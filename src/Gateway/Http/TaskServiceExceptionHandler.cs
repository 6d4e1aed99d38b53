using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using TaskService.Errors;

namespace TaskService.Gateway.Http;

/// <summary>Turns domain errors and unreadable request bodies into RFC 7807 answers that say what is wrong.</summary>
public sealed partial class TaskServiceExceptionHandler(IProblemDetailsService problems, ILogger<TaskServiceExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail, target) = exception switch
        {
            TaskServiceException { Kind: TaskServiceErrorKind.NotFound } e => (StatusCodes.Status404NotFound, "Not found", e.Message, e.Target),
            TaskServiceException { Kind: TaskServiceErrorKind.Conflict } e => (StatusCodes.Status409Conflict, "Conflict", e.Message, e.Target),
            TaskServiceException e => (StatusCodes.Status400BadRequest, "Invalid request", e.Message, e.Target),
            BadHttpRequestException { InnerException: JsonException json } => (StatusCodes.Status400BadRequest, "Invalid request body", Describe(json), JsonTarget(json)),
            BadHttpRequestException e => (e.StatusCode, "Invalid request", e.Message, ParameterName(e.Message)),
            _ => (0, string.Empty, string.Empty, null),
        };

        if (status == 0)
        {
            LogUnhandled(httpContext.Request.Method, httpContext.Request.Path, exception);
            return false;
        }

        httpContext.Response.StatusCode = status;
        var context = new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
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

    private static string Describe(JsonException exception) =>
        exception.Path is { Length: > 1 } path
            ? $"The request body is not valid at '{path}': {FirstLine(exception.Message)}"
            : $"The request body is not valid JSON: {FirstLine(exception.Message)}";

    private static string? JsonTarget(JsonException exception) =>
        exception.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : "body";

    /// <summary>The parameter a binding failure names, as in <c>Failed to bind parameter "Nullable&lt;bool&gt; cascade" from "maybe".</c></summary>
    private static string? ParameterName(string message)
    {
        var match = System.Text.RegularExpressions.Regex.Match(message, "parameter \"(?:[^\"]*\\s)?(?<name>[A-Za-z_][A-Za-z0-9_]*)\"");
        return match.Success ? match.Groups["name"].Value : null;
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error for {Method} {Path}")]
    private partial void LogUnhandled(string method, string path, Exception exception);
}
