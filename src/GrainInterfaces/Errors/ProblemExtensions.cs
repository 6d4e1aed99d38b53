namespace TaskService.Errors;

/// <summary>Helpers for code that holds an optional <see cref="Problem"/>.</summary>
public static class ProblemExtensions
{
    /// <summary>Throws the problem, if there is one, for a caller that cannot go on without success.</summary>
    public static void ThrowIfAny(this Problem? problem)
    {
        if (problem is not null)
        {
            throw problem.ToException();
        }
    }
}
