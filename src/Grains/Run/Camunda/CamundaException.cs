using System.Net;
using TaskService.Errors;

namespace TaskService.Workflows.Camunda;

/// <summary>
/// A request to engine-rest that failed unexpectedly: the engine could not be reached or did not answer in time, answered 502,
/// 503 or 504, answered what is not the JSON expected, or refused (<see cref="CamundaRefusal"/>) a request whose caller cannot
/// go on without it (its <c>{type, message}</c> body is kept). The message names the request and what the engine said.
/// Refusals a caller expects (a task that is gone or locked by another worker, variables refused) never become exceptions.
/// </summary>
[GenerateSerializer, Alias("TaskService.Camunda.CamundaException")]
public sealed class CamundaException : Exception
{
    public CamundaException(string operation, int? statusCode, string? engineType, string? engineMessage, Exception? inner = null)
        : base(Describe(operation, statusCode, engineType, engineMessage, inner), inner)
    {
        Operation = operation;
        StatusCode = statusCode;
        EngineType = engineType;
        EngineMessage = engineMessage;
    }

    /// <summary>The request, for example <c>POST /external-task/8f1c/complete</c>.</summary>
    [Id(0)] public string Operation { get; }

    /// <summary>The HTTP status the engine answered with; null when it could not be reached or did not answer in time.</summary>
    [Id(1)] public int? StatusCode { get; }

    /// <summary>The engine's exception type (<c>type</c> of its error body), such as <c>InvalidRequestException</c>.</summary>
    [Id(2)] public string? EngineType { get; }

    /// <summary>The engine's message (<c>message</c> of its error body).</summary>
    [Id(3)] public string? EngineMessage { get; }

    /// <summary>True when the engine was not reached or did not answer: trying again later may succeed.</summary>
    public bool IsTransient => StatusCode is null or (int)HttpStatusCode.BadGateway or (int)HttpStatusCode.ServiceUnavailable or (int)HttpStatusCode.GatewayTimeout;

    /// <summary>
    /// What a caller of TaskService is told of a transient failure: the engine could not be reached, nothing was changed, try
    /// again later (503 with Retry-After). The engine's address and the transport's words stay in the log.
    /// </summary>
    public TaskServiceException ToUnavailable() => TaskServiceException.Unavailable(
        "camunda",
        StatusCode is { } status
            ? $"The Camunda engine answered {status} to {Operation}; nothing was changed. Try again later."
            : $"The Camunda engine could not be reached or did not answer in time ({Operation}); nothing was changed. Try again later.");

    internal static string Describe(string operation, int? statusCode, string? engineType, string? engineMessage, Exception? inner)
    {
        if (statusCode is null)
        {
            return $"Camunda engine-rest request {operation} failed: the engine could not be reached or did not answer in time ({inner?.Message ?? "no answer"}).";
        }

        var what = engineType is { Length: > 0 } type ? $"{type}: {engineMessage}" : engineMessage ?? "no error body";
        return $"Camunda engine-rest request {operation} failed with {statusCode.Value} {(HttpStatusCode)statusCode.Value}: {what}";
    }
}
