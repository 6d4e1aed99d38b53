namespace TaskService.Errors;

/// <summary>The result of an operation that answers nothing on success: done, or the <see cref="Errors.Problem"/> that stopped it.</summary>
[GenerateSerializer, Immutable, Alias("TaskService.Outcome")]
public sealed record Outcome
{
    /// <summary>Done.</summary>
    public static readonly Outcome Ok = new();

    /// <summary>Why it was not done; null when it was.</summary>
    [Id(0)] public Problem? Problem { get; init; }

    public bool IsOk => Problem is null;

    public static implicit operator Outcome(Problem problem) => new() { Problem = problem };

    /// <summary>Success with a value; useful where <typeparamref name="T"/> is an interface, which has no implicit conversion.</summary>
    public static Outcome<T> Of<T>(T value) => new(value, null);

    /// <summary>Throws the problem for a caller that cannot go on without success; see <see cref="Problem.ToException"/>.</summary>
    public void OrThrow()
    {
        if (Problem is not null)
        {
            throw Problem.ToException();
        }
    }
}
