using System.Text.Json;
using TaskService.Errors;

namespace TaskService.Serialization;

/// <summary>
/// Refuses JSON text that cannot become a string: an escaped lone surrogate such as <c>"\ud800"</c> is valid JSON syntax, but no
/// stored or forwarded document could carry it faithfully, so it is a 400 that names the field and the path inside it. The same
/// holds for the NUL character (<c>"\u0000"</c>), which PostgreSQL's text and jsonb cannot store.
/// </summary>
public static class WellFormedJson
{
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

    private static Problem RefuseNul(string field, string where) =>
        Problem.Invalid(field, $"{char.ToUpperInvariant(where[0])}{where[1..]} holds the NUL character (\\u0000), which no stored document can carry; remove it.");

    private static Problem Refuse(string field, string where) =>
        Problem.Invalid(field, $"{char.ToUpperInvariant(where[0])}{where[1..]} holds an unpaired UTF-16 surrogate escape (such as \\ud800); send well-formed Unicode.");
}
