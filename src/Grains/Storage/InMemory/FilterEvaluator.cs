using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TaskService.Queries;

namespace TaskService.Storage.InMemory;

/// <summary>
/// Evaluates parsed LoopBack filters against rows held as their camelCase JSON form, with the semantics a PostgreSQL
/// store gives: strings compare by code point (<c>COLLATE "C"</c>), date-times as instants, numbers numerically;
/// any comparison with null is false; ASC sorts nulls last and DESC first; LIKE works on characters (code points).
/// </summary>
/// <remarks>
/// Inside JSON fields a value compares only with a filter value of the same JSON type (number, string, boolean);
/// a missing path, a JSON null and a path through a non-object are all null.
/// </remarks>
public static class FilterEvaluator
{
    /// <summary>Whether <paramref name="row"/> satisfies <paramref name="where"/>; a null where matches every row.</summary>
    public static bool Matches(JsonObject row, FilterNode? where, EntitySchema schema)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(schema);
        return Compile(where, schema)(row);
    }

    /// <summary>Applies where, order (then the schema's default order), skip, limit and field projection, in that order.</summary>
    public static IEnumerable<JsonObject> Apply(IEnumerable<JsonObject> rows, QueryFilter filter, EntitySchema schema)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(schema);

        var predicate = Compile(filter.Where, schema);
        var sortKeys = SortKeys(filter.Order, schema);
        var comparer = new RowComparer(sortKeys.Select(k => k.Descending).ToArray());
        IEnumerable<JsonObject> result = rows
            .Where(predicate)
            .Select(row => (Row: row, Keys: sortKeys.Select(k => ToSortValue(Resolve(row, [k.Field]), k.Type)).ToArray()))
            .OrderBy(entry => entry.Keys, comparer)
            .Select(entry => entry.Row);

        if (filter.Skip > 0)
        {
            result = result.Skip(filter.Skip);
        }

        if (filter.Limit is { } limit)
        {
            result = result.Take(limit);
        }

        var fields = filter.Fields;
        return result.Select(row => Project(row, fields));
    }

    /// <summary>A new object with only <paramref name="fields"/> (absent ones stay absent), or a deep copy of the row when null.</summary>
    public static JsonObject Project(JsonObject row, IReadOnlyList<string>? fields)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (fields is null)
        {
            return (JsonObject)row.DeepClone();
        }

        var projected = new JsonObject();
        foreach (var field in fields)
        {
            if (!projected.ContainsKey(field) && row.TryGetPropertyValue(field, out var value))
            {
                projected[field] = value?.DeepClone();
            }
        }

        return projected;
    }

    private static Func<JsonObject, bool> Compile(FilterNode? node, EntitySchema schema)
    {
        switch (node)
        {
            case null:
                return static _ => true;
            case AndNode and:
                var all = and.Children.Select(c => Compile(c, schema)).ToArray();
                return row => Array.TrueForAll(all, p => p(row));
            case OrNode or:
                var any = or.Children.Select(c => Compile(c, schema)).ToArray();
                return row => Array.Exists(any, p => p(row));
            case ConditionNode condition:
                return CompileCondition(condition, schema);
            default:
                throw new ArgumentException($"Unsupported filter node {node.GetType().Name}.", nameof(node));
        }
    }

    private static Func<JsonObject, bool> CompileCondition(ConditionNode condition, EntitySchema schema)
    {
        if (condition.Path.Count == 0 || !schema.TryGetField(condition.Field, out var type))
        {
            throw new ArgumentException($"The filter names a field that {schema.Name} does not have: '{string.Join('.', condition.Path)}'.", nameof(condition));
        }

        var path = condition.Path;
        var value = condition.Value;
        if (value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return condition.Operator switch
            {
                FilterOperator.Eq => row => ToValue(Resolve(row, path), type) is null,
                FilterOperator.Neq => row => ToValue(Resolve(row, path), type) is not null,
                _ => static _ => false,
            };
        }

        if (condition.Operator == FilterOperator.Contains)
        {
            // As jsonb's @> with an array of scalars: the field is an array holding each value (numbers compared by value).
            var wanted = value.EnumerateArray().Select(v => JsonSerializer.SerializeToNode(v)).ToArray();
            return row => Resolve(row, path) is JsonArray array && wanted.All(w => array.Any(item => JsonNode.DeepEquals(item, w)));
        }

        Func<object, bool> test;
        switch (condition.Operator)
        {
            case FilterOperator.Eq:
                var eq = FilterValue(value, type);
                test = actual => Compare(actual, eq) == 0;
                break;
            case FilterOperator.Neq:
                var neq = FilterValue(value, type);
                test = actual => Compare(actual, neq) != 0;
                break;
            case FilterOperator.Gt:
                var gt = FilterValue(value, type);
                test = actual => Compare(actual, gt) > 0;
                break;
            case FilterOperator.Gte:
                var gte = FilterValue(value, type);
                test = actual => Compare(actual, gte) >= 0;
                break;
            case FilterOperator.Lt:
                var lt = FilterValue(value, type);
                test = actual => Compare(actual, lt) < 0;
                break;
            case FilterOperator.Lte:
                var lte = FilterValue(value, type);
                test = actual => Compare(actual, lte) <= 0;
                break;
            case FilterOperator.Inq:
                var inq = FilterValues(value, type);
                test = actual => Array.Exists(inq, v => Compare(actual, v) == 0);
                break;
            case FilterOperator.Nin:
                var nin = FilterValues(value, type);
                test = actual => !Array.Exists(nin, v => Compare(actual, v) == 0);
                break;
            case FilterOperator.Between:
                var bounds = FilterValues(value, type);
                if (bounds.Length != 2)
                {
                    throw new ArgumentException($"'between' on '{string.Join('.', path)}' needs exactly 2 values.", nameof(condition));
                }

                test = actual => Compare(actual, bounds[0]) >= 0 && Compare(actual, bounds[1]) <= 0;
                break;
            case FilterOperator.Like:
            case FilterOperator.Ilike:
                if (value.ValueKind != JsonValueKind.String)
                {
                    throw new ArgumentException($"A LIKE pattern must be a string, got {value.ValueKind}.", nameof(condition));
                }

                var pattern = LikePattern.Create(value.GetString()!, condition.Operator == FilterOperator.Ilike);
                test = actual => actual is string text && pattern.IsMatch(text);
                break;
            default:
                throw new ArgumentException($"Unsupported operator {condition.Operator}.", nameof(condition));
        }

        // Comparisons with null are false, as in SQL: neq, nin and every other operator skip rows without a value.
        return row => ToValue(Resolve(row, path), type) is { } actual && test(actual);
    }

    private static JsonNode? Resolve(JsonObject row, IReadOnlyList<string> path)
    {
        JsonNode? current = row;
        foreach (var segment in path)
        {
            if (current is not JsonObject obj || !obj.TryGetPropertyValue(segment, out current))
            {
                return null;
            }
        }

        return current;
    }

    /// <summary>
    /// The comparable form of a row value: string, <see cref="Number"/>, <see cref="DateTimeOffset"/>, bool, or
    /// <see cref="Structured"/> for objects and arrays inside JSON fields; null when absent, JSON null or not of the field's type.
    /// </summary>
    private static object? ToValue(JsonNode? node, FieldType type)
    {
        switch (node)
        {
            case null:
                return null;
            case JsonObject or JsonArray:
                return type == FieldType.Json ? new Structured(node.ToJsonString()) : null;
        }

        var value = (JsonValue)node;
        return (value.GetValueKind(), type) switch
        {
            (JsonValueKind.String, FieldType.String or FieldType.Json) => GetString(value),
            (JsonValueKind.String, FieldType.DateTime) => TryParseInstant(GetString(value), out var instant) ? instant : null,
            (JsonValueKind.Number, FieldType.Number or FieldType.Json) => Number.Parse(value.ToJsonString()),
            (JsonValueKind.True, FieldType.Boolean or FieldType.Json) => true,
            (JsonValueKind.False, FieldType.Boolean or FieldType.Json) => false,
            _ => null,
        };
    }

    private static string GetString(JsonValue value) =>
        value.TryGetValue<string>(out var text) ? text : JsonSerializer.Deserialize<string>(value.ToJsonString())!;

    private static object FilterValue(JsonElement value, FieldType type) => (value.ValueKind, type) switch
    {
        (JsonValueKind.String, FieldType.String or FieldType.Json) => value.GetString()!,
        (JsonValueKind.String, FieldType.DateTime) when TryParseInstant(value.GetString()!, out var instant) => instant,
        (JsonValueKind.Number, FieldType.Number or FieldType.Json) => Number.Parse(value.GetRawText()),
        (JsonValueKind.True, FieldType.Boolean or FieldType.Json) => true,
        (JsonValueKind.False, FieldType.Boolean or FieldType.Json) => false,
        _ => throw new ArgumentException($"The filter value {value.GetRawText()} does not fit a {type} field.", nameof(value)),
    };

    private static object[] FilterValues(JsonElement value, FieldType type) =>
        value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Select(v => FilterValue(v, type)).ToArray()
            : throw new ArgumentException($"Expected an array of values, got {value.ValueKind}.", nameof(value));

    private static bool TryParseInstant(string text, out DateTimeOffset instant) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out instant);

    /// <summary>Orders two non-null values of the same kind; null when they cannot be compared (different JSON types).</summary>
    private static int? Compare(object actual, object expected) => (actual, expected) switch
    {
        (string a, string b) => CompareCodePoints(a, b),
        (Number a, Number b) => a.CompareTo(b),
        (DateTimeOffset a, DateTimeOffset b) => a.UtcTicks.CompareTo(b.UtcTicks),
        (bool a, bool b) => a.CompareTo(b),
        _ => null,
    };

    /// <summary>Code point order, which is the byte order of UTF-8 and so PostgreSQL's <c>COLLATE "C"</c>.</summary>
    private static int CompareCodePoints(string a, string b)
    {
        var length = Math.Min(a.Length, b.Length);
        for (var i = 0; i < length; i++)
        {
            if (a[i] != b[i])
            {
                return CodePointOrder(a[i]).CompareTo(CodePointOrder(b[i]));
            }
        }

        return a.Length.CompareTo(b.Length);
    }

    // UTF-16 units sort like code points once surrogates (U+D800-DFFF) move above U+E000-FFFF.
    private static int CodePointOrder(char c) => c < 0xD800 ? c : c >= 0xE000 ? c - 0x800 : c + 0x2000;

    private static List<(string Field, FieldType Type, bool Descending)> SortKeys(IReadOnlyList<SortOrder> order, EntitySchema schema)
    {
        var keys = new List<(string Field, FieldType Type, bool Descending)>();
        foreach (var sort in order.Concat(schema.DefaultOrder))
        {
            if (!schema.TryGetField(sort.Field, out var type))
            {
                throw new ArgumentException($"Cannot order {schema.Name} by unknown field '{sort.Field}'.", nameof(order));
            }

            if (!keys.Exists(k => k.Field == sort.Field))
            {
                keys.Add((sort.Field, type, sort.Descending));
            }
        }

        return keys;
    }

    private static object? ToSortValue(JsonNode? node, FieldType type) =>
        type == FieldType.Json ? node?.ToJsonString() : ToValue(node, type);

    /// <summary>Compares rows by their sort values; null is larger than any value, so ASC puts nulls last and DESC first.</summary>
    private sealed class RowComparer(bool[] descending) : IComparer<object?[]>
    {
        public int Compare(object?[]? x, object?[]? y)
        {
            ArgumentNullException.ThrowIfNull(x);
            ArgumentNullException.ThrowIfNull(y);
            for (var i = 0; i < descending.Length; i++)
            {
                var result = (x[i], y[i]) switch
                {
                    (null, null) => 0,
                    (null, _) => 1,
                    (_, null) => -1,
                    ({ } a, { } b) => FilterEvaluator.Compare(a, b) ?? 0,
                };

                if (result != 0)
                {
                    return descending[i] ? -result : result;
                }
            }

            return 0;
        }
    }

    /// <summary>A JSON number, compared exactly as decimal when both sides fit and as double otherwise.</summary>
    private readonly record struct Number(decimal? Exact, double Approximate) : IComparable<Number>
    {
        public static Number Parse(string text) => new(
            decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var exact) ? exact : null,
            double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));

        public int CompareTo(Number other) =>
            Exact is { } a && other.Exact is { } b ? a.CompareTo(b) : Approximate.CompareTo(other.Approximate);
    }

    /// <summary>An object or array found inside a JSON field: not equal to any scalar, ordered by nothing.</summary>
    private sealed record Structured(string Json);

    /// <summary>A compiled SQL LIKE pattern over code points: '%' any run, '_' one character, '\' escapes the next.</summary>
    private sealed class LikePattern
    {
        private const int AnyOne = -1;
        private const int AnyRun = -2;

        private readonly int[] _tokens;
        private readonly bool _ignoreCase;

        private LikePattern(int[] tokens, bool ignoreCase)
        {
            _tokens = tokens;
            _ignoreCase = ignoreCase;
        }

        public static LikePattern Create(string pattern, bool ignoreCase)
        {
            var tokens = new List<int>();
            var escaped = false;
            foreach (var rune in pattern.EnumerateRunes())
            {
                if (escaped)
                {
                    tokens.Add(Fold(rune, ignoreCase));
                    escaped = false;
                }
                else if (rune.Value == '\\')
                {
                    escaped = true;
                }
                else if (rune.Value == '%')
                {
                    if (tokens.Count == 0 || tokens[^1] != AnyRun)
                    {
                        tokens.Add(AnyRun);
                    }
                }
                else
                {
                    tokens.Add(rune.Value == '_' ? AnyOne : Fold(rune, ignoreCase));
                }
            }

            if (escaped)
            {
                throw new ArgumentException("A LIKE pattern must not end with the escape character '\\'.", nameof(pattern));
            }

            return new LikePattern(tokens.ToArray(), ignoreCase);
        }

        public bool IsMatch(string input)
        {
            var text = input.EnumerateRunes().Select(r => Fold(r, _ignoreCase)).ToArray();
            int t = 0, p = 0, runStart = -1, runText = 0;
            while (t < text.Length)
            {
                if (p < _tokens.Length && (_tokens[p] == AnyOne || _tokens[p] == text[t]))
                {
                    t++;
                    p++;
                }
                else if (p < _tokens.Length && _tokens[p] == AnyRun)
                {
                    runStart = p++;
                    runText = t;
                }
                else if (runStart >= 0)
                {
                    // Let the last '%' swallow one more character and retry from there.
                    p = runStart + 1;
                    t = ++runText;
                }
                else
                {
                    return false;
                }
            }

            while (p < _tokens.Length && _tokens[p] == AnyRun)
            {
                p++;
            }

            return p == _tokens.Length;
        }

        private static int Fold(Rune rune, bool ignoreCase) => ignoreCase ? Rune.ToLowerInvariant(rune).Value : rune.Value;
    }
}
