namespace TaskService.Errors;

/// <summary>
/// An expected failure, carried as a value up to the HTTP answer: what went wrong (which decides the status), a sentence a person
/// can act on, and the field or entity it is about. Grain methods return it inside an <see cref="Outcome{T}"/>; nothing throws.
/// </summary>
[GenerateSerializer, Immutable, Alias("TaskService.Problem")]
public sealed record Problem
{
    public Problem(TaskServiceErrorKind kind, string detail, string? target = null, IReadOnlyDictionary<string, string[]>? errors = null)
    {
        Kind = kind;
        Detail = detail;
        Target = target;
        Errors = errors;
    }

    /// <summary>What went wrong, which decides the HTTP status.</summary>
    [Id(0)] public TaskServiceErrorKind Kind { get; }

    /// <summary>What is wrong and what to change.</summary>
    [Id(1)] public string Detail { get; }

    /// <summary>The field, parameter or entity the problem is about, when there is one.</summary>
    [Id(2)] public string? Target { get; }

    /// <summary>Several problems at once (for example every violation of a JSON Schema), by location.</summary>
    [Id(3)] public IReadOnlyDictionary<string, string[]>? Errors { get; }

    public static Problem Invalid(string target, string detail) => new(TaskServiceErrorKind.Invalid, detail, target);

    /// <summary>Invalid when the text <paramref name="field"/> requires is missing or blank; null when it is there.</summary>
    public static Problem? MissingText(string? value, string field) =>
        string.IsNullOrWhiteSpace(value) ? Invalid(field, $"'{field}' is required.") : null;

    public static Problem NotFound(string entity, string id) =>
        new(TaskServiceErrorKind.NotFound, $"{char.ToUpperInvariant(entity[0])}{entity[1..]} '{id}' does not exist.", entity);

    public static Problem Conflict(string target, string detail) => new(TaskServiceErrorKind.Conflict, detail, target);

    public static Problem Forbidden(string target, string detail) => new(TaskServiceErrorKind.Forbidden, detail, target);

    /// <summary>
    /// The exception for a caller that cannot go on without success (a command in a workflow, a trusted in-process client):
    /// there the problem is unexpected, and the exception reports it as a failure.
    /// </summary>
    public TaskServiceException ToException() => new(Kind, Detail, Target, Errors);
}
