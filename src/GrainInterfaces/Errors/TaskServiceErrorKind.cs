namespace TaskService.Errors;

[GenerateSerializer, Alias("TaskService.TaskServiceErrorKind")]
public enum TaskServiceErrorKind
{
    /// <summary>The input is wrong; the message says what to change. HTTP 400.</summary>
    Invalid = 0,

    /// <summary>The thing asked for does not exist. HTTP 404.</summary>
    NotFound = 1,

    /// <summary>The request contradicts the current state (for example a user task already completed). HTTP 409.</summary>
    Conflict = 2,

    /// <summary>The caller may not do this to this entity (for example complete a user task another user holds). HTTP 403.</summary>
    Forbidden = 3,

    /// <summary>
    /// A service this one depends on (the Camunda engine) could not be reached or did not answer in time; nothing was changed
    /// and the same request may succeed later. HTTP 503 with Retry-After.
    /// </summary>
    Unavailable = 4,
}
