using System.Net;

namespace TaskService.Workflows.Camunda;

/// <summary>
/// The engine answered a request with an error status: the request, the status and the engine's <c>{type, message}</c> body.
/// What it means is the caller's to judge (a task that is gone, one locked by another worker, variables refused, a process that
/// could not continue), so the client hands it back as a value; a caller for whom it is unexpected throws
/// <see cref="ToException"/>. An engine that could not be reached, or answered 502, 503 or 504, is no refusal: that stays a
/// transient <see cref="CamundaException"/>.
/// </summary>
public sealed record CamundaRefusal(string Operation, int Status, string? EngineType, string? EngineMessage)
{
    public bool IsNotFound => Status == (int)HttpStatusCode.NotFound;

    /// <summary>400: the engine refused the request as it stands (bad variables, a task locked by another worker).</summary>
    public bool IsBadRequest => Status == (int)HttpStatusCode.BadRequest;

    /// <summary>
    /// 500: the engine could not carry the request out and rolled back (the process could not continue after a task, a start
    /// failed on its way to the first wait state); engine-rest also answers it for some lookups of what does not exist.
    /// </summary>
    public bool IsEngineFailure => Status == (int)HttpStatusCode.InternalServerError;

    /// <summary>The request, the status and the engine's words, as the log and <see cref="CamundaException"/> tell them.</summary>
    public string Message => CamundaException.Describe(Operation, Status, EngineType, EngineMessage, null);

    /// <summary>The refusal as an exception, for a caller to whom it is unexpected.</summary>
    public CamundaException ToException() => new(Operation, Status, EngineType, EngineMessage);
}
