using System.Diagnostics.CodeAnalysis;

namespace TaskService.Errors;

/// <summary>The result of an operation: its value, or the <see cref="Errors.Problem"/> (not found, conflict, invalid) that stopped it.</summary>
[GenerateSerializer, Immutable, Alias("TaskService.Outcome`1")]
public sealed record Outcome<T>
{
    public Outcome(T? value, Problem? problem)
    {
        Value = value;
        Problem = problem;
    }

    /// <summary>The value; default when <see cref="Problem"/> is set.</summary>
    [Id(0)] public T? Value { get; }

    /// <summary>Why there is no value; null on success.</summary>
    [Id(1)] public Problem? Problem { get; }

    [MemberNotNullWhen(false, nameof(Problem))]
    public bool IsOk => Problem is null;

    public static implicit operator Outcome<T>(T value) => new(value, null);

    public static implicit operator Outcome<T>(Problem problem) => new(default, problem);

    /// <summary>The value, or the problem as an exception for a caller that cannot go on without it; see <see cref="Problem.ToException"/>.</summary>
    public T OrThrow() => Problem is null ? Value! : throw Problem.ToException();

    /// <summary>The same problem for another value type, or the value mapped.</summary>
    public Outcome<TOther> Select<TOther>(Func<T, TOther> map) => Problem is null ? new(map(Value!), null) : new(default, Problem);
}
