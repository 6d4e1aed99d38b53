using System.Collections.Concurrent;

namespace TaskService.Workflows.Expressions;

/// <summary>
/// Compiles Camunda/JUEL (Unified Expression Language) texts such as <c>${amount &gt; 100 &amp;&amp; customer.tier == 'gold'}</c>.
/// A text without <c>${</c> or <c>#{</c> is a literal string; text around expressions makes a composite expression whose value is
/// the concatenation (as in JUEL); <c>\${</c> writes a literal <c>${</c>.
/// </summary>
public static class JuelExpression
{
    /// <summary>The most compiled expressions kept; deployed processes hold far fewer distinct ones.</summary>
    private const int CacheLimit = 4096;

    private static readonly ConcurrentDictionary<string, JuelCompiled> Cache = new(StringComparer.Ordinal);

    /// <summary>
    /// Compiles <paramref name="text"/> for a caller that cannot go on without it (an expression evaluated at run time, checked
    /// when its process was deployed); throws <see cref="JuelSyntaxException"/> when it is not valid JUEL.
    /// </summary>
    public static JuelCompiled Compile(string text) =>
        TryCompile(text, out var error) ?? throw new JuelSyntaxException(error!.Expression, error.Position, error.Detail);

    /// <summary>Compiles <paramref name="text"/>, or gives null and the first syntax error when it is not valid JUEL.</summary>
    public static JuelCompiled? TryCompile(string text, out JuelSyntaxError? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        return JuelParser.Parse(text, out error);
    }

    /// <summary>The syntax error of <paramref name="text"/>, or null when it is valid JUEL.</summary>
    public static JuelSyntaxError? Check(string text) => TryCompile(text, out var error) is null ? error : null;

    /// <summary>
    /// Like <see cref="Compile"/>, but reuses what was compiled before: compiled expressions are immutable, and the engine evaluates
    /// the same conditions of its deployed processes over and over.
    /// </summary>
    public static JuelCompiled GetOrCompile(string text)
    {
        if (Cache.TryGetValue(text, out var compiled))
        {
            return compiled;
        }

        compiled = Compile(text);
        if (Cache.Count >= CacheLimit)
        {
            Cache.Clear();
        }

        Cache.TryAdd(text, compiled);
        return compiled;
    }
}
