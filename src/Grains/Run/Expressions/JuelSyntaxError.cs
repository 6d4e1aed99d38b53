namespace TaskService.Workflows.Expressions;

/// <summary>
/// Why an expression text is not valid JUEL: <see cref="Position"/> is the 0-based character offset in <see cref="Expression"/>
/// (the whole text compiled, including <c>${</c>) where the problem was found, <see cref="Detail"/> what is wrong there.
/// </summary>
public sealed record JuelSyntaxError(string Expression, int Position, string Detail)
{
    /// <summary>The error as one sentence naming the expression and the position.</summary>
    public string Message => $"Syntax error in expression {Expression} at position {Position}: {Detail}";
}
