using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace TaskService.Workflows.Expressions;

/// <summary>
/// Values and the EL 2.2 coercion rules (JSR 245 section 1.8 to 1.18), kept to what JSON variables can hold: JSON strings, booleans and
/// null map to themselves, JSON integers to <see cref="long"/>, other JSON numbers to <see cref="double"/>, objects and arrays stay
/// <see cref="JsonElement"/>s. Arithmetic on two integers stays integral (Java <c>long</c>, wrapping on overflow); a double or a
/// string containing <c>.</c>, <c>e</c> or <c>E</c> makes it double; <c>/</c> always divides as doubles.
/// </summary>
internal static class JuelValues
{
    private static readonly JsonElement JsonNull = JsonDocument.Parse("null").RootElement.Clone();

    public static object? FromJson(JsonElement element, JuelContext context) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number when element.TryGetInt64(out var integer) => integer,
        JsonValueKind.Number when element.TryGetDouble(out var number) && double.IsFinite(number) => number,
        JsonValueKind.Number => throw context.Fail($"the number {element.GetRawText()} is out of range"),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Object or JsonValueKind.Array => element,
        _ => null,
    };

    public static JsonElement ToJson(object? value, JuelContext context)
    {
        if (value is null)
        {
            return JsonNull;
        }

        if (value is JsonElement element)
        {
            return element.Clone();
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            switch (value)
            {
                case bool b:
                    writer.WriteBooleanValue(b);
                    break;
                case long l:
                    writer.WriteNumberValue(l);
                    break;
                case double d when double.IsFinite(d):
                    writer.WriteNumberValue(d);
                    break;
                case double d:
                    throw context.Fail($"the result {ToText(d)} is not a finite number and has no JSON form (a division by zero?)");
                case string s:
                    writer.WriteStringValue(s);
                    break;
                default:
                    throw new InvalidOperationException($"Unexpected expression value of type {value.GetType()}.");
            }
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    /// <summary>How messages name a value: <c>the string 'abc'</c>, <c>the number 5</c>, <c>an object</c>, <c>null</c>.</summary>
    public static string Describe(object? value) => value switch
    {
        null => "null",
        bool b => b ? "the boolean true" : "the boolean false",
        long or double => $"the number {ToText(value)}",
        string s => $"the string '{s}'",
        JsonElement { ValueKind: JsonValueKind.Array } => "an array",
        _ => "an object",
    };

    public static bool ToBoolean(object? value, JuelContext context) => value switch
    {
        null => false,
        bool b => b,
        string s => string.Equals(s, "true", StringComparison.OrdinalIgnoreCase),
        _ => throw context.Fail($"Cannot coerce {Describe(value)} to a boolean"),
    };

    /// <summary>EL's coercion to String, used by composite expressions and string comparisons; objects and arrays become their JSON text.</summary>
    public static string ToText(object? value) => value switch
    {
        null => string.Empty,
        string s => s,
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => JavaDouble(d),
        JsonElement e => e.GetRawText(),
        _ => value.ToString() ?? string.Empty,
    };

    public static bool IsEmpty(object? value) => value switch
    {
        null => true,
        string s => s.Length == 0,
        JsonElement { ValueKind: JsonValueKind.Array } array => array.GetArrayLength() == 0,
        JsonElement { ValueKind: JsonValueKind.Object } obj => !obj.EnumerateObject().Any(),
        _ => false,
    };

    public static object? GetProperty(object? container, object? property, JuelContext context)
    {
        switch (container)
        {
            case null:
                throw context.Fail($"Cannot resolve property '{ToText(property)}' of null");
            case JsonElement { ValueKind: JsonValueKind.Object } obj:
                return property is not null && obj.TryGetProperty(ToText(property), out var value) ? FromJson(value, context) : null;
            case JsonElement { ValueKind: JsonValueKind.Array } array:
                var index = property switch
                {
                    long l => l,
                    double d => (long)d,
                    string s when long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) => parsed,
                    _ => throw context.Fail($"Cannot resolve property '{ToText(property)}' of an array; index an array with a number, as in list[0]"),
                };
                return index >= 0 && index < array.GetArrayLength() ? FromJson(array[(int)index], context) : null;
            default:
                throw context.Fail($"Cannot resolve property '{ToText(property)}' of {Describe(container)}");
        }
    }

    public static object Negate(object? value, JuelContext context) => value switch
    {
        null => 0L,
        long l => unchecked(-l),
        double d => -d,
        string s when IsDecimalText(s) => -ToDouble(s, context),
        string s => unchecked(-ToLong(s, context)),
        _ => throw context.Fail($"Cannot negate {Describe(value)}"),
    };

    public static object Arithmetic(JuelBinaryOperator op, object? a, object? b, JuelContext context)
    {
        if (a is null && b is null)
        {
            return 0L;
        }

        if (op == JuelBinaryOperator.Add && (IsNonNumericText(a) || IsNonNumericText(b)))
        {
            throw context.Fail(
                $"Cannot coerce {Describe(IsNonNumericText(a) ? a : b)} to a number; + adds numbers, to join text write a composite expression such as 'Hello ${{name}}'");
        }

        if (op == JuelBinaryOperator.Divide)
        {
            return ToDouble(a, context) / ToDouble(b, context);
        }

        if (IsDoubleArithmetic(a, b))
        {
            var x = ToDouble(a, context);
            var y = ToDouble(b, context);
            return op switch
            {
                JuelBinaryOperator.Add => x + y,
                JuelBinaryOperator.Subtract => x - y,
                JuelBinaryOperator.Multiply => x * y,
                _ => x % y,
            };
        }

        var m = ToLong(a, context);
        var n = ToLong(b, context);
        return op switch
        {
            JuelBinaryOperator.Add => unchecked(m + n),
            JuelBinaryOperator.Subtract => unchecked(m - n),
            JuelBinaryOperator.Multiply => unchecked(m * n),
            _ when n == 0 => throw context.Fail($"Division by zero in {ToText(m)} % 0"),
            _ when n == -1 => 0L,
            _ => m % n,
        };
    }

    public static bool AreEqual(object? a, object? b, JuelContext context)
    {
        if (a is null || b is null)
        {
            return a is null && b is null;
        }

        if (a is JsonElement || b is JsonElement)
        {
            return a is JsonElement x && b is JsonElement y && JsonElement.DeepEquals(x, y);
        }

        if (IsNumber(a) || IsNumber(b))
        {
            return IsDoubleArithmetic(a, b)
                ? ToDouble(a, context) == ToDouble(b, context)
                : ToLong(a, context) == ToLong(b, context);
        }

        if (a is bool || b is bool)
        {
            return ToBoolean(a, context) == ToBoolean(b, context);
        }

        return string.Equals(ToText(a), ToText(b), StringComparison.Ordinal);
    }

    public static bool Compare(JuelBinaryOperator op, object? a, object? b, JuelContext context)
    {
        if (a is null && b is null)
        {
            return op is JuelBinaryOperator.LessEqual or JuelBinaryOperator.GreaterEqual;
        }

        if (a is null || b is null)
        {
            return false;
        }

        if (a is JsonElement || b is JsonElement)
        {
            throw context.Fail($"Cannot compare {Describe(a)} with {Describe(b)}");
        }

        int order;
        if (IsNumber(a) || IsNumber(b))
        {
            if (IsDoubleArithmetic(a, b))
            {
                var x = ToDouble(a, context);
                var y = ToDouble(b, context);
                if (double.IsNaN(x) || double.IsNaN(y))
                {
                    return false;
                }

                order = x.CompareTo(y);
            }
            else
            {
                order = ToLong(a, context).CompareTo(ToLong(b, context));
            }
        }
        else if (a is string || b is string)
        {
            order = string.CompareOrdinal(ToText(a), ToText(b));
        }
        else
        {
            order = ((bool)a).CompareTo((bool)b);
        }

        return op switch
        {
            JuelBinaryOperator.Less => order < 0,
            JuelBinaryOperator.Greater => order > 0,
            JuelBinaryOperator.LessEqual => order <= 0,
            _ => order >= 0,
        };
    }

    private static bool IsNumber(object? value) => value is long or double;

    private static bool IsDecimalText(string s) => s.AsSpan().IndexOfAny('.', 'e', 'E') >= 0;

    private static bool IsDoubleArithmetic(object? a, object? b) =>
        a is double || b is double || (a is string s && IsDecimalText(s)) || (b is string t && IsDecimalText(t));

    private static bool IsNonNumericText(object? value) =>
        value is string s && s.Length > 0 && !double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    private static long ToLong(object? value, JuelContext context) => value switch
    {
        null => 0L,
        long l => l,
        double d => (long)d,
        string { Length: 0 } => 0L,
        string s when long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => throw context.Fail($"Cannot coerce {Describe(value)} to a number"),
    };

    private static double ToDouble(object? value, JuelContext context) => value switch
    {
        null => 0d,
        long l => l,
        double d => d,
        string { Length: 0 } => 0d,
        string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => throw context.Fail($"Cannot coerce {Describe(value)} to a number"),
    };

    /// <summary>Java's <c>Double.toString</c>: <c>100.0</c>, <c>0.5</c>, <c>1.0E7</c>.</summary>
    private static string JavaDouble(double d)
    {
        if (double.IsNaN(d))
        {
            return "NaN";
        }

        if (double.IsInfinity(d))
        {
            return d > 0 ? "Infinity" : "-Infinity";
        }

        var magnitude = Math.Abs(d);
        if (magnitude == 0 || (magnitude >= 1e-3 && magnitude < 1e7))
        {
            var text = d.ToString("R", CultureInfo.InvariantCulture);
            return text.Contains('.', StringComparison.Ordinal) ? text : text + ".0";
        }

        return d.ToString("0.0###############E0", CultureInfo.InvariantCulture);
    }
}
