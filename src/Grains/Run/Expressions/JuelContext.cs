using System.Text.Json;

namespace TaskService.Workflows.Expressions;

/// <summary>The variables one evaluation sees, and the expression text its error messages quote.</summary>
internal sealed class JuelContext(IReadOnlyDictionary<string, JsonElement> variables, string text)
{
    public IReadOnlyDictionary<string, JsonElement> Variables { get; } = variables;

    public string Text { get; } = text;

    public JuelEvaluationException UnknownIdentifier(string name) =>
        new(Text, $"Unknown property used in expression: {Text}. Cause: Cannot resolve identifier '{name}'");

    public JuelEvaluationException Fail(string cause) =>
        new(Text, $"Error while evaluating expression: {Text}. Cause: {cause}");
}
