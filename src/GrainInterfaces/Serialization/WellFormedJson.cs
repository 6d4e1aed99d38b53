using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
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
    public static Problem? Check(JsonElement value, string field, bool allowNul = false) => Walk(value, field, new Path(), allowNul);

    /// <remarks>
    /// Text without a backslash escape that is valid UTF-8 can hold neither a lone surrogate nor NUL (a raw control character is
    /// not valid JSON), so only strings and names with an escape are decoded; the path of a value is written out only for a problem.
    /// </remarks>
    private static Problem? Walk(JsonElement element, string field, Path path, bool allowNul)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                if (IsPlain(JsonMarshal.GetRawUtf8Value(element)))
                {
                    break;
                }

                string text;
                try
                {
                    text = element.GetString()!;
                }
                catch (InvalidOperationException)
                {
                    return Refuse(field, $"'{path.Format(field)}'", JsonMarshal.GetRawUtf8Value(element));
                }

                if (!allowNul && text.Contains('\0', StringComparison.Ordinal))
                {
                    return RefuseNul(field, $"'{path.Format(field)}'");
                }

                break;

            case JsonValueKind.Number:
                if (!IsStorableNumber(JsonMarshal.GetRawUtf8Value(element)))
                {
                    return Problem.Invalid(field,
                        $"'{path.Format(field)}' holds a number that no store can keep: numbers must be at most {MaxNumberLength} characters long, with an exponent of at most {MaxExponent}.");
                }

                break;

            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    path.Push(new Segment(default, index++));
                    var problem = Walk(item, field, path, allowNul);
                    path.Pop();
                    if (problem is not null)
                    {
                        return problem;
                    }
                }

                break;

            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (!IsPlain(JsonMarshal.GetRawUtf8PropertyName(property)))
                    {
                        string name;
                        try
                        {
                            name = property.Name;
                        }
                        catch (InvalidOperationException)
                        {
                            return Refuse(field, $"a property name in '{path.Format(field)}'", JsonMarshal.GetRawUtf8PropertyName(property));
                        }

                        if (!allowNul && name.Contains('\0', StringComparison.Ordinal))
                        {
                            return RefuseNul(field, $"a property name in '{path.Format(field)}'");
                        }
                    }

                    path.Push(new Segment(property, -1));
                    var problem = Walk(property.Value, field, path, allowNul);
                    path.Pop();
                    if (problem is not null)
                    {
                        return problem;
                    }
                }

                break;
        }

        return null;
    }

    /// <summary>JSON string text (raw, as sent) without an escape, in valid UTF-8: it decodes to itself.</summary>
    private static bool IsPlain(ReadOnlySpan<byte> raw) => !raw.Contains((byte)'\\') && Utf8.IsValid(raw);

    /// <summary>
    /// A number whose text is short and whose exponent is small: PostgreSQL's jsonb refuses exponents beyond its numeric range
    /// (<c>1e999999</c>, <c>1e-999999</c>) and would store <c>1e131071</c> as 131,072 digits.
    /// </summary>
    private static bool IsStorableNumber(ReadOnlySpan<byte> text)
    {
        if (text.Length > MaxNumberLength)
        {
            return false;
        }

        var e = text.IndexOfAny((byte)'e', (byte)'E');
        return e < 0 || (int.TryParse(text[(e + 1)..], System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var exponent)
            && Math.Abs(exponent) <= MaxExponent);
    }

    /// <summary>One step of a path: a property (<see cref="Index"/> -1) or an array index.</summary>
    private readonly record struct Segment(JsonProperty Property, int Index);

    /// <summary>Where the walk is, written out only for a problem: <c>field.name[0].other</c>.</summary>
    private sealed class Path
    {
        private List<Segment>? _segments;

        public void Push(Segment segment) => (_segments ??= []).Add(segment);

        public void Pop() => _segments!.RemoveAt(_segments.Count - 1);

        public string Format(string field)
        {
            var text = new System.Text.StringBuilder(field);
            foreach (var segment in _segments ?? [])
            {
                if (segment.Index >= 0)
                {
                    text.Append('[').Append(segment.Index.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(']');
                }
                else
                {
                    // A name on the way to the problem decoded (an earlier check let it through); one that cannot be is shown raw.
                    text.Append('.').Append(NameOf(segment.Property));
                }
            }

            return text.ToString();
        }

        private static string NameOf(JsonProperty property)
        {
            try
            {
                return property.Name;
            }
            catch (InvalidOperationException)
            {
                return Encoding.UTF8.GetString(JsonMarshal.GetRawUtf8PropertyName(property));
            }
        }
    }

    private static Problem RefuseNul(string field, string where) =>
        Problem.Invalid(field, $"{char.ToUpperInvariant(where[0])}{where[1..]} holds the NUL character (\\u0000), which no stored document can carry; remove it.");

    /// <summary>Text that does not decode: bytes that are not UTF-8 (a client that sent another encoding), or an escape of half a surrogate pair.</summary>
    private static Problem Refuse(string field, string where, ReadOnlySpan<byte> raw) =>
        Problem.Invalid(field, Utf8.IsValid(raw)
            ? $"{char.ToUpperInvariant(where[0])}{where[1..]} holds an unpaired UTF-16 surrogate escape (such as \\ud800); send well-formed Unicode."
            : $"{char.ToUpperInvariant(where[0])}{where[1..]} holds bytes that are not UTF-8; send the request body encoded as UTF-8.");
}
