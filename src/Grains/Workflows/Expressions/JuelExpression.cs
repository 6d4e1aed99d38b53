namespace TaskService.Workflows.Expressions;

/// <summary>
/// Compiles Camunda/JUEL (Unified Expression Language) texts such as <c>${amount &gt; 100 &amp;&amp; customer.tier == 'gold'}</c>.
/// A text without <c>${</c> or <c>#{</c> is a literal string; text around expressions makes a composite expression whose value is
/// the concatenation (as in JUEL); <c>\${</c> writes a literal <c>${</c>.
/// </summary>
public static class JuelExpression
{
    /// <summary>Compiles <paramref name="text"/>; throws <see cref="JuelSyntaxException"/> when it is not valid JUEL.</summary>
    public static JuelCompiled Compile(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return JuelParser.Parse(text);
    }
}
