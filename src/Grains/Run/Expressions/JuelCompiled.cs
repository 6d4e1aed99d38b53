using System.Text.Json;

namespace TaskService.Workflows.Expressions;

/// <summary>A compiled expression: immutable and safe to share between threads and evaluations.</summary>
public sealed class JuelCompiled
{
    private readonly JuelNode _root;

    internal JuelCompiled(string text, JuelNode root, bool isLiteral, bool isSingleExpression)
    {
        Text = text;
        _root = root;
        IsLiteral = isLiteral;
        IsSingleExpression = isSingleExpression;
    }

    /// <summary>The text as compiled.</summary>
    public string Text { get; }

    /// <summary>True when the text holds no <c>${...}</c>: evaluating it returns the text (with <c>\${</c> unescaped) as a string.</summary>
    public bool IsLiteral { get; }

    /// <summary>True when the text is exactly one <c>${...}</c> (or <c>#{...}</c>) with nothing around it, so the result keeps its type.</summary>
    public bool IsSingleExpression { get; }

    /// <summary>
    /// Evaluates the expression. Numbers come back as JSON numbers (integers when JUEL computes a Long), objects and arrays as
    /// copies of the variables' elements. Throws <see cref="JuelEvaluationException"/> for unknown variables and type errors.
    /// </summary>
    public JsonElement Evaluate(IReadOnlyDictionary<string, JsonElement> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        var context = new JuelContext(variables, Text);
        return JuelValues.ToJson(_root.Evaluate(context), context);
    }

    /// <summary>
    /// Evaluates a condition, which must produce a boolean (as Camunda requires of sequence flow conditions);
    /// any other result, null included, throws <see cref="JuelEvaluationException"/>.
    /// </summary>
    public bool EvaluateCondition(IReadOnlyDictionary<string, JsonElement> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        var context = new JuelContext(variables, Text);
        var result = _root.Evaluate(context);
        return result is bool value
            ? value
            : throw new JuelEvaluationException(
                Text,
                $"Condition expression {Text} returned {JuelValues.Describe(result)}, not a boolean; write a comparison such as ${{status == 'approved'}}.");
    }

    public override string ToString() => Text;
}
