namespace TaskService.Workflows.Expressions;

/// <summary>
/// An expression that failed at evaluation time: an unknown variable, a property of null, a value of the wrong type.
/// Messages follow Camunda's: <c>Unknown property used in expression: ${x}. Cause: Cannot resolve identifier 'x'</c>.
/// </summary>
public sealed class JuelEvaluationException(string expression, string message) : Exception(message)
{
    public string Expression { get; } = expression;
}
