namespace TaskService.Workflows.Expressions;

/// <summary>
/// An expression text that is not valid JUEL, for callers that cannot go on without it (an expression evaluated at run time);
/// deployment reads the same report as a value, <see cref="JuelSyntaxError"/>. <see cref="Position"/> is the 0-based character offset in <see cref="Expression"/>
/// (the whole text passed to <see cref="JuelExpression.Compile"/>, including <c>${</c>) where the problem was found.
/// </summary>
public sealed class JuelSyntaxException(string expression, int position, string detail)
    : Exception(new JuelSyntaxError(expression, position, detail).Message)
{
    public string Expression { get; } = expression;

    public int Position { get; } = position;

    /// <summary>What is wrong, without the expression and position, for example <c>expected an operand, found end of expression</c>.</summary>
    public string Detail { get; } = detail;
}
