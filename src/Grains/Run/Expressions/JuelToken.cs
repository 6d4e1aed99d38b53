namespace TaskService.Workflows.Expressions;

/// <summary>A token: <see cref="Position"/> is the offset in the whole text, <see cref="Value"/> the literal's value.</summary>
internal readonly record struct JuelToken(JuelTokenKind Kind, int Position, string Text, object? Value = null)
{
    public string Describe() => Kind switch
    {
        JuelTokenKind.End => "end of expression",
        JuelTokenKind.String => $"string {Text}",
        _ => $"'{Text}'",
    };
}
