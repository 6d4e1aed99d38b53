using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using TaskService.Errors;

namespace TaskService.Queries;

/// <summary>
/// Reads the <c>qs</c> bracket form of LoopBack filters (<c>filter[where][status]=pending</c>,
/// <c>filter[where][or][0][key]=a</c>, <c>filter[order][0]=name ASC</c>, <c>where[key]=x</c>) into the JSON value the
/// JSON form carries, so that both forms go through <see cref="FilterParser"/> alike.
/// </summary>
/// <remarks>
/// Values arrive as text; they are coerced as LoopBack coerces query-string values: by the type of the property they are
/// compared with (numbers, booleans; date-times stay text for the parser to check), <c>limit</c>, <c>skip</c> and
/// <c>offset</c> as whole numbers, <c>fields</c> flags as booleans. An object whose keys are all indexes
/// (<c>[0]</c>, <c>[1]</c>, or <c>[]</c>) is an array, and a key given several times is an array of its values, as in
/// <c>qs</c>. <c>null</c> is null for number, boolean and date-time properties; values inside JSON fields stay strings,
/// as LoopBack cannot know their type either. Anything that cannot be read is a 400 naming the parameter.
/// </remarks>
public static class QueryStringFilter
{
    /// <summary>The most bracket keys one parameter may be spread over.</summary>
    public const int MaxKeys = 256;

    /// <summary>The largest array index accepted in a bracket key.</summary>
    public const int MaxIndex = 999;

    private const int MaxSegments = 40;

    /// <summary>True when <paramref name="key"/> is a bracket key of <paramref name="parameter"/>, such as <c>filter[where]</c>.</summary>
    public static bool IsBracketKey(string key, string parameter) =>
        key.Length > parameter.Length + 1 && key[parameter.Length] == '[' && key.StartsWith(parameter, StringComparison.Ordinal);

    /// <summary>
    /// The JSON value of the <c>filter</c> (<paramref name="isWhere"/> false) or <c>where</c> parameter spelled over
    /// <paramref name="pairs"/> (bracket key, values). Returns null when there are none.
    /// </summary>
    public static Outcome<JsonElement?> Build(IEnumerable<KeyValuePair<string, IReadOnlyList<string>>> pairs, string parameter, EntitySchema schema, bool isWhere)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentNullException.ThrowIfNull(schema);
        var root = new JsonObject();
        var count = 0;
        foreach (var (key, values) in pairs)
        {
            if (!IsBracketKey(key, parameter))
            {
                continue;
            }

            if (++count > MaxKeys)
            {
                return Invalid(parameter, $"The '{parameter}' parameter is spread over more than {MaxKeys} bracket keys.");
            }

            if ((Segments(key, parameter, out var segments) ?? Insert(root, segments, values, key, parameter)) is { } problem)
            {
                return problem;
            }
        }

        if (count == 0)
        {
            return new Outcome<JsonElement?>(null, null);
        }

        var first = new FirstProblem();
        var json = isWhere ? CoerceWhere(root, schema, parameter, first) : CoerceFilter(root, schema, parameter, first);
        if (first.Problem is { } coercion)
        {
            return coercion;
        }

        // Values that no store can compare against (NUL, unpaired surrogates) are refused as in the JSON form.
        var element = JsonSerializer.SerializeToElement(json);
        return Serialization.WellFormedJson.Check(element, parameter) ?? new Outcome<JsonElement?>(element, null);
    }

    private static Problem? Segments(string key, string parameter, out List<string> segments)
    {
        segments = [];
        var i = parameter.Length;
        while (i < key.Length)
        {
            if (key[i] != '[')
            {
                return Invalid(parameter, $"The query key '{Quote(key)}' is not of the form {parameter}[a][b]...: expected '[' at position {i}.");
            }

            var close = key.IndexOf(']', i + 1);
            if (close < 0)
            {
                return Invalid(parameter, $"The query key '{Quote(key)}' has a '[' without its ']'.");
            }

            segments.Add(key[(i + 1)..close]);
            if (segments.Count > MaxSegments)
            {
                return Invalid(parameter, $"The query key '{Quote(key)}' is nested more than {MaxSegments} levels deep.");
            }

            i = close + 1;
        }

        return null;
    }

    private static Problem? Insert(JsonObject root, List<string> segments, IReadOnlyList<string> values, string key, string parameter)
    {
        JsonObject node = root;
        for (var s = 0; s < segments.Count; s++)
        {
            var segment = segments[s];
            var last = s == segments.Count - 1;
            if (segment.Length == 0)
            {
                // "a[]=x": append; only meaningful as the last part.
                if (!last)
                {
                    return Invalid(parameter, $"The query key '{Quote(key)}' has '[]' before its end; only the last part may append.");
                }

                // "a[]=x&a[]=y": each value is the next entry.
                foreach (var value in values)
                {
                    if (AppendIndex(node, key, parameter, out var index) is { } problem)
                    {
                        return problem;
                    }

                    node[index] = JsonValue.Create(value);
                }

                return null;
            }

            if (last)
            {
                if (node.ContainsKey(segment))
                {
                    return Invalid(parameter, $"The query key '{Quote(key)}' sets a value where another key of '{parameter}' already put {Describe(node[segment])}.");
                }

                node[segment] = values.Count == 1 ? JsonValue.Create(values[0]) : new JsonArray(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
                return null;
            }

            switch (node[segment])
            {
                case null when !node.ContainsKey(segment):
                    var child = new JsonObject();
                    node[segment] = child;
                    node = child;
                    break;
                case JsonObject existing:
                    node = existing;
                    break;
                default:
                    return Invalid(parameter, $"The query key '{Quote(key)}' reaches into '{Quote(segment)}', which another key of '{parameter}' already set to a value.");
            }
        }

        return null;
    }

    private static Problem? AppendIndex(JsonObject node, string key, string parameter, out string index)
    {
        var next = 0;
        foreach (var (name, _) in node)
        {
            if (TryIndex(name, out var taken))
            {
                next = Math.Max(next, taken + 1);
            }
        }

        index = next.ToString(CultureInfo.InvariantCulture);
        return next > MaxIndex
            ? Invalid(parameter, $"The query key '{Quote(key)}' adds more than {MaxIndex + 1} entries to one list.")
            : null;
    }

    private static bool TryIndex(string name, out int index) =>
        int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out index) && index <= MaxIndex
        && index.ToString(CultureInfo.InvariantCulture) == name;

    /// <summary>An object whose keys are all indexes becomes the array of its values in index order; other nodes stay.</summary>
    private static JsonNode? AsArray(JsonNode? node)
    {
        if (node is JsonObject obj && obj.Count > 0 && obj.All(p => TryIndex(p.Key, out _)))
        {
            var items = obj.OrderBy(p => int.Parse(p.Key, CultureInfo.InvariantCulture)).Select(p => p.Value).ToArray();
            obj.Clear();
            return new JsonArray(items);
        }

        return node;
    }

    private static JsonObject CoerceFilter(JsonObject filter, EntitySchema schema, string parameter, FirstProblem first)
    {
        var result = new JsonObject();
        foreach (var (name, value) in filter.ToArray())
        {
            filter.Remove(name);
            result[name] = name switch
            {
                "where" => value is JsonObject where ? CoerceWhere(where, schema, parameter, first) : value,
                "limit" or "skip" or "offset" => WholeNumber(value, name, parameter, first),
                "order" => AsArray(value),
                "fields" => CoerceFields(AsArray(value), parameter, first),
                "include" => CoerceInclude(AsArray(value), schema, parameter, first),
                // Unknown keys pass through: the parser names them in its 400.
                _ => value,
            };
        }

        return result;
    }

    private static JsonObject CoerceWhere(JsonObject where, EntitySchema schema, string parameter, FirstProblem first)
    {
        var result = new JsonObject();
        foreach (var (name, value) in where.ToArray())
        {
            where.Remove(name);
            if (name is "and" or "or")
            {
                var items = AsArray(value);
                result[name] = items is JsonArray array
                    ? new JsonArray(Take(array).Select(item => item is JsonObject o ? CoerceWhere(o, schema, parameter, first) : item).ToArray())
                    : items;
                continue;
            }

            var type = FieldTypeOf(name, schema);
            result[name] = value switch
            {
                JsonObject operators when !IsArrayObject(operators) => CoerceOperators(operators, type, parameter, first),
                JsonObject indexed => AsArray(indexed),
                JsonArray repeated => repeated,
                _ => Scalar(value, type, name, parameter, first),
            };
        }

        return result;
    }

    private static bool IsArrayObject(JsonObject obj) => obj.Count > 0 && obj.All(p => TryIndex(p.Key, out _));

    private static JsonObject CoerceOperators(JsonObject operators, FieldType? type, string parameter, FirstProblem first)
    {
        var result = new JsonObject();
        foreach (var (op, value) in operators.ToArray())
        {
            operators.Remove(op);
            var operand = AsArray(value);
            result[op] = op is "inq" or "nin" or "between"
                ? operand switch
                {
                    JsonArray array => new JsonArray(Take(array).Select(v => Scalar(v, type, op, parameter, first)).ToArray()),
                    // A single value is a list of one.
                    JsonValue single => new JsonArray(Scalar(single, type, op, parameter, first)),
                    _ => operand,
                }
                : operand is JsonValue scalar ? Scalar(scalar, type, op, parameter, first) : operand;
        }

        return result;
    }

    /// <summary>The text value coerced to <paramref name="type"/>; text that cannot be is reported to <paramref name="first"/>.</summary>
    private static JsonNode? Scalar(JsonNode? value, FieldType? type, string name, string parameter, FirstProblem first)
    {
        if (value is not JsonValue text || !text.TryGetValue<string>(out var s))
        {
            return value;
        }

        switch (type)
        {
            case FieldType.Number:
                if (s == "null")
                {
                    return null;
                }

                return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
                    ? JsonNode.Parse(FormatNumber(s, number))
                    : first.Report(Invalid(parameter, $"'{Quote(name)}' needs a number here, got '{Quote(s)}'."));
            case FieldType.Boolean:
                return s switch
                {
                    "true" or "1" => JsonValue.Create(true),
                    "false" or "0" => JsonValue.Create(false),
                    "null" => null,
                    _ => first.Report(Invalid(parameter, $"'{Quote(name)}' needs true or false here, got '{Quote(s)}'.")),
                };
            case FieldType.DateTime:
                return s == "null" ? null : JsonValue.Create(s);
            default:
                return JsonValue.Create(s);
        }
    }

    /// <summary>The number as JSON: an integer stays as written, other numbers in round-trip form.</summary>
    private static string FormatNumber(string text, double number) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole)
            ? whole.ToString(CultureInfo.InvariantCulture)
            : number.ToString("R", CultureInfo.InvariantCulture);

    private static JsonNode? WholeNumber(JsonNode? value, string name, string parameter, FirstProblem first)
    {
        if (value is not JsonValue text || !text.TryGetValue<string>(out var s))
        {
            return value;
        }

        return long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
            ? JsonValue.Create(number)
            : first.Report(Invalid(parameter, $"'{name}' must be a whole number, got '{Quote(s)}'."));
    }

    private static JsonNode? CoerceFields(JsonNode? fields, string parameter, FirstProblem first)
    {
        if (fields is not JsonObject flags)
        {
            return fields;
        }

        var result = new JsonObject();
        foreach (var (name, value) in flags.ToArray())
        {
            flags.Remove(name);
            result[name] = Scalar(value, FieldType.Boolean, $"fields.{name}", parameter, first);
        }

        return result;
    }

    private static JsonNode? CoerceInclude(JsonNode? include, EntitySchema schema, string parameter, FirstProblem first)
    {
        if (include is not JsonArray items)
        {
            return include;
        }

        return new JsonArray(Take(items).Select(item =>
        {
            if (item is not JsonObject entry)
            {
                return item;
            }

            var relation = entry["relation"] is JsonValue r && r.TryGetValue<string>(out var name) ? name : null;
            if (entry["scope"] is JsonObject scope && relation is not null && schema.Relations.TryGetValue(relation, out var target))
            {
                entry.Remove("scope");
                entry["scope"] = CoerceFilter(scope, target.Target, parameter, first);
            }

            return entry;
        }).ToArray());
    }

    /// <summary>The items of <paramref name="array"/>, detached from it so that they can move into a new parent.</summary>
    private static JsonNode?[] Take(JsonArray array)
    {
        var items = array.ToArray();
        array.Clear();
        return items;
    }

    private static FieldType? FieldTypeOf(string name, EntitySchema schema) =>
        !name.Contains('.', StringComparison.Ordinal) && schema.TryGetField(name, out var type) ? type : null;

    private static string Describe(JsonNode? node) => node switch
    {
        JsonObject => "an object",
        JsonArray => "a list",
        _ => "a value",
    };

    private static string Quote(string text) => text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 77), "...");

    private static Problem Invalid(string target, string message) => Problem.Invalid(target, message);

    /// <summary>
    /// The first value that could not be coerced. Coercion goes on past it (it only rewrites text into a new tree), and the
    /// first problem, the one a reader meets first, is the answer.
    /// </summary>
    private sealed class FirstProblem
    {
        public Problem? Problem { get; private set; }

        public JsonNode? Report(Problem problem)
        {
            Problem ??= problem;
            return null;
        }
    }
}
