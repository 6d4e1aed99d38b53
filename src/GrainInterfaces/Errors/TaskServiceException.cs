namespace TaskService.Errors;

/// <summary>A domain error that crosses grain calls intact and maps to a 4xx problem answer.</summary>
[GenerateSerializer, Alias("TaskService.TaskServiceException")]
public sealed class TaskServiceException : Exception
{
    public TaskServiceException(TaskServiceErrorKind kind, string message, string? target = null, IReadOnlyDictionary<string, string[]>? errors = null)
        : base(message)
    {
        Kind = kind;
        Target = target;
        Errors = errors;
    }

    /// <summary>What went wrong, which decides the HTTP status.</summary>
    [Id(0)] public TaskServiceErrorKind Kind { get; }

    /// <summary>The field, parameter or entity the error is about, when there is one.</summary>
    [Id(1)] public string? Target { get; }

    /// <summary>Several problems at once (for example every violation of a JSON Schema), by location.</summary>
    [Id(2)] public IReadOnlyDictionary<string, string[]>? Errors { get; }

    public static TaskServiceException Invalid(string target, string message) => new(TaskServiceErrorKind.Invalid, message, target);

    public static TaskServiceException NotFound(string entity, string id) =>
        new(TaskServiceErrorKind.NotFound, $"{entity} '{id}' does not exist.", entity);

    public static TaskServiceException Conflict(string target, string message) => new(TaskServiceErrorKind.Conflict, message, target);

    public static TaskServiceException Forbidden(string target, string message) => new(TaskServiceErrorKind.Forbidden, message, target);

    public static TaskServiceException Unavailable(string target, string message) => new(TaskServiceErrorKind.Unavailable, message, target);
}
