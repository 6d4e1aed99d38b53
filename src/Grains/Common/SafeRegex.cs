using System.Text.RegularExpressions;

namespace TaskService.Common;

/// <summary>
/// Regular expressions written by users (JSON Schema <c>pattern</c> and <c>patternProperties</c>), built so that no input can make
/// a match run away: with <see cref="RegexOptions.NonBacktracking"/> (time linear in the input) whenever the pattern's constructs
/// allow it, and otherwise (back-references, look-arounds, atomic groups) with ECMAScript semantics and a match timeout, whose
/// <see cref="RegexMatchTimeoutException"/> callers turn into a refusal of the input.
/// </summary>
public static class SafeRegex
{
    /// <summary>Builds <paramref name="pattern"/>; throws <see cref="ArgumentException"/> with the reason when it is not a regular expression.</summary>
    public static Regex Create(string pattern, TimeSpan matchTimeout)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        try
        {
            return new Regex(pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, matchTimeout);
        }
        catch (NotSupportedException)
        {
            // A construct the linear engine does not have: fall back to backtracking, bounded by the timeout.
            return new Regex(pattern, RegexOptions.ECMAScript, matchTimeout);
        }
    }

    /// <summary>Null when <paramref name="pattern"/> is a usable regular expression, else why not.</summary>
    public static string? Check(string pattern)
    {
        try
        {
            Create(pattern, Regex.InfiniteMatchTimeout);
            return null;
        }
        catch (ArgumentException exception)
        {
            return exception.Message;
        }
    }
}
