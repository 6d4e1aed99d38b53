using System.Text.Json;
using TaskService.Errors;

namespace TaskService.Serialization;

/// <summary>
/// Refuses JSON text that cannot become a string: an escaped lone surrogate such as <c>"\ud800"</c> is valid JSON syntax, but no
/// stored or forwarded document could carry it faithfully, so it is a 400 that names the field and the path inside it. The same
/// holds for the NUL character (<c>"\u0000"</c>), which PostgreSQL's text and jsonb cannot store, and for numbers that no store
/// keeps (exponents beyond PostgreSQL's numeric range, or thousands of digits long).
/// </summary>
public static class WellFormedJson
{
    /// <summary>Longest JSON number text accepted, in characters.</summary>
    public const int MaxNumberLength = 64;

    /// <summary>Largest exponent (either sign) of a JSON number accepted.</summary>
    public const int MaxExponent = 400;

    /// <param name="value">The JSON to check.</param>
    /// <param name="field">The field named in the error.</param>
    /// <param name="allowNul">
    /// Whether NUL may appear: true for values that are only compared, never stored (filter values; the stores compare them
    /// correctly), false for anything that is kept.
    /// </param>
    public static JsonElement Ensure(JsonElement value, string field, bool allowNul = false) =>
        Check(value, field, allowNul) is { } problem ? throw problem.ToException() : value;

    /// <summary>The problem with <paramref name="value"/>, or null when it is well-formed; parameters as for <see cref="Ensure"/>.</summary>
    public static Problem? Check(JsonElement value, string field, bool allowNul = false) => Walk(value, field, field, allowNul);

    private static Problem? Walk(JsonElement element, string field, string path, bool allowNul)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                string text;
                try
                {
                    text = element.GetString()!;
                }
                catch (InvalidOperationException)
                {
                    return Refuse(field, $"'{path}'");
                }

                if (!allowNul && text.Contains('\0', StringComparison.Ordinal))
                {
                    return RefuseNul(field, $"'{path}'");
                }

                break;

            case JsonValueKind.Number:
                if (!IsStorableNumber(element))
                {
                    return Problem.Invalid(field,
                        $"'{path}' holds a number that no store can keep: numbers must be at most {MaxNumberLength} characters long, with an exponent of at most {MaxExponent}.");
                }

                break;

            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (Walk(item, field, $"{path}[{index++}]", allowNul) is { } problem)
                    {
                        return problem;
                    }
                }

                break;

            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        return Refuse(field, $"a property name in '{path}'");
                    }

                    if (!allowNul && name.Contains('\0', StringComparison.Ordinal))
                    {
                        return RefuseNul(field, $"a property name in '{path}'");
                    }

                    if (Walk(property.Value, field, $"{path}.{name}", allowNul) is { } problem)
                    {
                        return problem;
                    }
                }

                break;
        }

        return null;
    }

    /// <summary>
    /// A number whose text is short and whose exponent is small: PostgreSQL's jsonb refuses exponents beyond its numeric range
    /// (<c>1e999999</c>, <c>1e-999999</c>) and would store <c>1e131071</c> as 131,072 digits.
    /// </summary>
    private static bool IsStorableNumber(JsonElement element)
    {
        var text = element.GetRawText();
        if (text.Length > MaxNumberLength)
        {
            return false;
        }

        var e = text.AsSpan().IndexOfAny('e', 'E');
        return e < 0 || (int.TryParse(text.AsSpan(e + 1), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var exponent)
            && Math.Abs(exponent) <= MaxExponent);
    }

    private static Problem RefuseNul(string field, string where) =>
        Problem.Invalid(field, $"{char.ToUpperInvariant(where[0])}{where[1..]} holds the NUL character (\\u0000), which no stored document can carry; remove it.");

    private static Problem Refuse(string field, string where) =>
        Problem.Invalid(field, $"{char.ToUpperInvariant(where[0])}{where[1..]} holds an unpaired UTF-16 surrogate escape (such as \\ud800); send well-formed Unicode.");
}
