using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using TaskService.Common;
using TaskService.Errors;

namespace TaskService.Queries;

/// <summary>
/// Parses LoopBack 4 <c>filter</c> and <c>where</c> query parameters into <see cref="QueryFilter"/> and <see cref="FilterNode"/>,
/// checking every field, operator and value against an <see cref="EntitySchema"/>. The first problem found is the answer, a
/// <see cref="Problem"/> of kind Invalid whose target is the query parameter and whose detail names the culprit; each step of
/// the recursion returns it, so nothing is thrown for bad input.
/// </summary>
/// <remarks>
/// DateTime values are rewritten to a canonical UTC form (<c>2024-01-31T10:00:00Z</c>; a value without offset is UTC),
/// so every store sees one unambiguous instant. Path parts inside JSON fields are restricted to letters, digits, '_' and '-'
/// so that no store ever has to embed an arbitrary name in a query.
/// </remarks>
public static partial class FilterParser
{
    /// <summary>The largest page a filter may ask for.</summary>
    public const int MaxLimit = 1000;

    /// <summary>How deeply where objects may nest through <c>and</c> / <c>or</c>.</summary>
    public const int MaxDepth = 32;

    private const string FilterParameter = "filter";
    private const string WhereParameter = "where";
    private const int MaxPathSegments = 16;
    private const int MaxPathSegmentLength = 128;
    private const string SupportedOperators = "eq, neq, gt, gte, lt, lte, inq, nin, like, ilike, between, contains";

    private static readonly Dictionary<string, FilterOperator> Operators = new(StringComparer.Ordinal)
    {
        ["eq"] = FilterOperator.Eq,
        ["neq"] = FilterOperator.Neq,
        ["gt"] = FilterOperator.Gt,
        ["gte"] = FilterOperator.Gte,
        ["lt"] = FilterOperator.Lt,
        ["lte"] = FilterOperator.Lte,
        ["inq"] = FilterOperator.Inq,
        ["nin"] = FilterOperator.Nin,
        ["like"] = FilterOperator.Like,
        ["ilike"] = FilterOperator.Ilike,
        ["between"] = FilterOperator.Between,
        ["contains"] = FilterOperator.Contains,
    };

    /// <summary>Parses the <c>filter</c> query parameter. Null, empty or whitespace gives <see cref="QueryFilter.Empty"/>.</summary>
    /// <param name="filterJson">The parameter's JSON text.</param>
    /// <param name="schema">The entity filtered.</param>
    /// <param name="maxJsonDepth">The deepest nesting of arrays and objects accepted (<c>TaskService:Limits:MaxJsonDepth</c>).</param>
    public static Outcome<QueryFilter> ParseFilter(string? filterJson, EntitySchema schema, int maxJsonDepth = LimitsOptions.DefaultMaxJsonDepth)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (string.IsNullOrWhiteSpace(filterJson))
        {
            return QueryFilter.Empty;
        }

        if (ParseDocument(filterJson, FilterParameter, maxJsonDepth, out var document) is { } problem)
        {
            return problem;
        }

        using (document)
        {
            return ParseFilter(document.RootElement, schema, 0, out var filter) ?? (Outcome<QueryFilter>)filter;
        }
    }

    /// <summary>Parses a filter object (the JSON form, or the bracket form read by <see cref="QueryStringFilter"/>).</summary>
    public static Outcome<QueryFilter> ParseFilter(JsonElement root, EntitySchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return Serialization.WellFormedJson.Check(root, FilterParameter)
            ?? ParseFilter(root, schema, 0, out var filter)
            ?? (Outcome<QueryFilter>)filter;
    }

    private static Problem? ParseFilter(JsonElement root, EntitySchema schema, int includeDepth, out QueryFilter filter)
    {
        filter = QueryFilter.Empty;
        if (root.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return null;
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            return Invalid(FilterParameter, $"The filter must be a JSON object such as {{\"where\": {{...}}, \"limit\": 10}}, got {Describe(root)}.");
        }

        FilterNode? where = null;
        IReadOnlyList<SortOrder> order = [];
        int? limit = null;
        int skip = 0;
        string? skipName = null;
        IReadOnlyList<string>? fields = null;
        IReadOnlyList<IncludeFilter> include = [];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            if (!seen.Add(property.Name))
            {
                return Invalid(FilterParameter, $"The filter has the key '{Quote(property.Name)}' more than once.");
            }

            Problem? problem;
            switch (property.Name)
            {
                case "where":
                    problem = ParseWhere(property.Value, schema, FilterParameter, 1, out where);
                    break;
                case "order":
                    problem = ParseOrder(property.Value, schema, out order);
                    break;
                case "limit":
                    problem = ParseLimit(property.Value, out limit);
                    break;
                case "skip":
                case "offset":
                    if (skipName is not null)
                    {
                        return Invalid(FilterParameter, $"The filter has both '{skipName}' and '{property.Name}'; they mean the same, give only one.");
                    }

                    skipName = property.Name;
                    problem = ParseSkip(property.Value, property.Name, out skip);
                    break;
                case "fields":
                    problem = ParseFields(property.Value, schema, out fields);
                    break;
                case "include":
                    problem = ParseInclude(property.Value, schema, includeDepth, out include);
                    break;
                default:
                    return Invalid(FilterParameter, $"Unknown filter key '{Quote(property.Name)}'. Supported: where, order, limit, skip, offset, fields, include.");
            }

            if (problem is not null)
            {
                return problem;
            }
        }

        filter = new QueryFilter { Where = where, Order = order, Limit = limit, Skip = skip, Fields = fields, Include = include };
        return null;
    }

    /// <summary>
    /// <c>include</c>: a relation name, a <c>{"relation", "scope"}</c> object, or an array of them. A relation the schema does
    /// not declare is refused, as is one named twice.
    /// </summary>
    private static Problem? ParseInclude(JsonElement value, EntitySchema schema, int depth, out IReadOnlyList<IncludeFilter> include)
    {
        IEnumerable<JsonElement> entries = value.ValueKind switch
        {
            JsonValueKind.Null => [],
            JsonValueKind.Array => value.EnumerateArray(),
            _ => [value],
        };

        var result = new List<IncludeFilter>();
        include = result;
        foreach (var entry in entries)
        {
            IncludeFilter included;
            switch (entry.ValueKind)
            {
                case JsonValueKind.String:
                    if (Relation(entry.GetString()!, schema, out var relation) is { } unknown)
                    {
                        return unknown;
                    }

                    included = new IncludeFilter { Relation = relation.Name };
                    break;
                case JsonValueKind.Object:
                    if (ParseIncludeObject(entry, schema, depth, out included) is { } problem)
                    {
                        return problem;
                    }

                    break;
                default:
                    return Invalid(FilterParameter, $"Each entry of 'include' must be a relation name or {{\"relation\": ..., \"scope\": {{...}}}}, got {Describe(entry)}.");
            }

            if (result.Any(i => i.Relation == included.Relation))
            {
                return Invalid(FilterParameter, $"'include' names the relation '{included.Relation}' more than once.");
            }

            result.Add(included);
        }

        return null;
    }

    private static Problem? ParseIncludeObject(JsonElement entry, EntitySchema schema, int depth, out IncludeFilter included)
    {
        included = null!;
        EntityRelation? relation = null;
        foreach (var property in entry.EnumerateObject())
        {
            switch (property.Name)
            {
                case "relation" when property.Value.ValueKind == JsonValueKind.String:
                    if (Relation(property.Value.GetString()!, schema, out relation) is { } unknown)
                    {
                        return unknown;
                    }

                    break;
                case "relation":
                    return Invalid(FilterParameter, $"'include[].relation' must be a relation name, got {Describe(property.Value)}.");
                case "scope":
                    break;
                default:
                    return Invalid(FilterParameter, $"Unknown key '{Quote(property.Name)}' in an 'include' entry. Supported: relation, scope.");
            }
        }

        if (relation is null)
        {
            return Invalid(FilterParameter, "An 'include' entry given as an object needs 'relation', for example {\"relation\": \"userTasks\"}.");
        }

        var scope = QueryFilter.Empty;
        if (entry.TryGetProperty("scope", out var scopeValue) && ParseFilter(scopeValue, relation.Target, depth + 1, out scope) is { } problem)
        {
            return problem;
        }

        included = new IncludeFilter { Relation = relation.Name, Scope = scope };
        return null;
    }

    private static Problem? Relation(string name, EntitySchema schema, out EntityRelation relation)
    {
        if (schema.Relations.TryGetValue(name, out relation!))
        {
            return null;
        }

        var known = schema.Relations.Count == 0 ? $"{schema.NameWithArticle} has no relations to include" : $"{schema.NameWithArticle} includes {string.Join(", ", schema.Relations.Keys)}";
        return Invalid(FilterParameter, $"Unknown relation '{Quote(name)}' in 'include': {known}.");
    }

    /// <summary>Parses the <c>where</c> query parameter of count, patch and delete endpoints: a where object itself.</summary>
    /// <param name="whereJson">The parameter's JSON text.</param>
    /// <param name="schema">The entity filtered.</param>
    /// <param name="maxJsonDepth">The deepest nesting of arrays and objects accepted (<c>TaskService:Limits:MaxJsonDepth</c>).</param>
    public static Outcome<FilterNode?> ParseWhere(string? whereJson, EntitySchema schema, int maxJsonDepth = LimitsOptions.DefaultMaxJsonDepth)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (string.IsNullOrWhiteSpace(whereJson))
        {
            return new Outcome<FilterNode?>(null, null);
        }

        if (ParseDocument(whereJson, WhereParameter, maxJsonDepth, out var document) is { } problem)
        {
            return problem;
        }

        using (document)
        {
            return ParseWhere(document.RootElement, schema, WhereParameter, 1, out var where) ?? new Outcome<FilterNode?>(where, null);
        }
    }

    /// <summary>Parses a where object; <paramref name="target"/> names the query parameter it came from in errors.</summary>
    public static Outcome<FilterNode?> ParseWhere(JsonElement where, EntitySchema schema, string target = WhereParameter)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentException.ThrowIfNullOrEmpty(target);
        return ParseWhere(where, schema, target, 1, out var node) ?? new Outcome<FilterNode?>(node, null);
    }

    private static Problem? ParseDocument(string json, string target, int maxDepth, out JsonDocument document)
    {
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = maxDepth });
        }
        catch (JsonException ex)
        {
            // System.Text.Json reports malformed text and nesting over the limit alike, by this exception, in the parser's wording
            // (0-based lines, "BytePositionInLine"). The answer tells them apart and says what is wrong in its own words.
            document = null!;
            return IsJson(json)
                ? Invalid(target, $"The '{target}' parameter nests arrays and objects deeper than {maxDepth} levels (TaskService:Limits:MaxJsonDepth).")
                : Invalid(target, $"The '{target}' parameter is not valid JSON: check the syntax at {Serialization.JsonErrorPosition.Describe(ex)}.");
        }

        // Values no store can compare against (unpaired surrogates) are refused here rather than failing in the store.
        if (Serialization.WellFormedJson.Check(document.RootElement, target, allowNul: true) is { } problem)
        {
            document.Dispose();
            document = null!;
            return problem;
        }

        return null;
    }

    /// <summary>
    /// Whether <paramref name="json"/> is well-formed at any depth. The reader keeps no stack of its own beyond a bit per level,
    /// and the text, a query parameter, is bounded by <c>MaxFilterLength</c>.
    /// </summary>
    private static bool IsJson(string json)
    {
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(json), new JsonReaderOptions { MaxDepth = json.Length + 1 });
        try
        {
            while (reader.Read())
            {
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static Problem? ParseWhere(JsonElement where, EntitySchema schema, string target, int depth, out FilterNode? node)
    {
        node = null;
        if (where.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return null;
        }

        if (where.ValueKind != JsonValueKind.Object)
        {
            return Invalid(target, $"A where clause must be a JSON object such as {{\"status\": \"pending\"}}, got {Describe(where)}.");
        }

        if (depth > MaxDepth)
        {
            return Invalid(target, $"The where clause is nested more than {MaxDepth} levels deep through 'and'/'or'.");
        }

        var nodes = new List<FilterNode>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in where.EnumerateObject())
        {
            if (!seen.Add(property.Name))
            {
                return Invalid(target, $"The where clause has the key '{Quote(property.Name)}' more than once; combine the conditions with 'and'.");
            }

            Problem? problem;
            switch (property.Name)
            {
                case "and":
                    problem = ParseLogical(property, schema, target, depth, out var and);
                    if (and is not null)
                    {
                        nodes.AddRange(and is AndNode a ? a.Children : [and]);
                    }

                    break;
                case "or":
                    problem = ParseLogical(property, schema, target, depth, out var or);
                    if (or is not null)
                    {
                        nodes.Add(or);
                    }

                    break;
                default:
                    problem = ParseField(property.Name, property.Value, schema, target, nodes);
                    break;
            }

            if (problem is not null)
            {
                return problem;
            }
        }

        node = Combine(nodes);
        return null;
    }

    private static FilterNode? Combine(List<FilterNode> nodes) => nodes.Count switch
    {
        0 => null,
        1 => nodes[0],
        _ => new AndNode(nodes.ToArray()),
    };

    private static Problem? ParseLogical(JsonProperty property, EntitySchema schema, string target, int depth, out FilterNode? node)
    {
        node = null;
        var isAnd = property.Name == "and";
        if (property.Value.ValueKind != JsonValueKind.Array || property.Value.GetArrayLength() == 0)
        {
            return Invalid(target, $"'{property.Name}' needs a non-empty array of where objects, got {Describe(property.Value)}.");
        }

        var children = new List<FilterNode>();
        var anyAlwaysTrue = false;
        foreach (var item in property.Value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                return Invalid(target, $"Each item of '{property.Name}' must be a where object, got {Describe(item)}.");
            }

            if (ParseWhere(item, schema, target, depth + 1, out var child) is { } problem)
            {
                return problem;
            }

            if (child is null)
            {
                // An empty where object holds for every row.
                anyAlwaysTrue = true;
            }
            else if (isAnd && child is AndNode and)
            {
                children.AddRange(and.Children);
            }
            else if (!isAnd && child is OrNode or)
            {
                children.AddRange(or.Children);
            }
            else
            {
                children.Add(child);
            }
        }

        node = isAnd ? Combine(children)
            : anyAlwaysTrue ? null
            : children.Count == 1 ? children[0]
            : new OrNode(children.ToArray());
        return null;
    }

    private static Problem? ParseField(string name, JsonElement value, EntitySchema schema, string target, List<FilterNode> nodes)
    {
        if (ParsePath(name, schema, target, out var path, out var type) is { } badPath)
        {
            return badPath;
        }

        ConditionNode condition;
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var op in value.EnumerateObject())
                {
                    if (!Operators.TryGetValue(op.Name, out var filterOperator))
                    {
                        return Invalid(target, $"Unknown operator '{Quote(op.Name)}' on field '{Quote(name)}'. Supported: {SupportedOperators}.");
                    }

                    if (!seen.Add(op.Name))
                    {
                        return Invalid(target, $"The operator '{op.Name}' appears more than once on field '{Quote(name)}'.");
                    }

                    if (BuildCondition(path, name, type, filterOperator, op.Value, schema, target, out condition) is { } problem)
                    {
                        return problem;
                    }

                    nodes.Add(condition);
                }

                if (seen.Count == 0)
                {
                    return Invalid(target, $"Field '{Quote(name)}' has an empty operator object; give a value or an operator such as {{\"eq\": ...}}.");
                }

                return null;
            case JsonValueKind.Array:
                return Invalid(target, $"Field '{Quote(name)}' cannot be compared with an array; use {{\"inq\": [...]}} to match any of several values.");
            default:
                if (BuildCondition(path, name, type, FilterOperator.Eq, value, schema, target, out condition) is { } invalid)
                {
                    return invalid;
                }

                nodes.Add(condition);
                return null;
        }
    }

    private static Problem? ParsePath(string name, EntitySchema schema, string target, out string[] path, out FieldType type)
    {
        var segments = name.Split('.');
        path = segments;
        if (!schema.TryGetField(segments[0], out type))
        {
            var within = segments.Length > 1 ? $" (in '{Quote(name)}')" : "";
            return Invalid(target, $"Unknown field '{Quote(segments[0])}'{within} for {schema.Name}. Known fields: {string.Join(", ", schema.Fields.Keys)}.");
        }

        if (segments.Length == 1)
        {
            return null;
        }

        if (type != FieldType.Json)
        {
            var jsonFields = schema.Fields.Where(f => f.Value == FieldType.Json).Select(f => f.Key).ToArray();
            var allowed = jsonFields.Length == 0 ? $"{schema.Name} has no JSON fields" : $"dotted paths are allowed on: {string.Join(", ", jsonFields)}";
            return Invalid(target, $"Field '{segments[0]}' of {schema.Name} is not a JSON field, so '{Quote(name)}' cannot reach into it; {allowed}.");
        }

        if (segments.Length > MaxPathSegments + 1)
        {
            return Invalid(target, $"The path '{Quote(name)}' has more than {MaxPathSegments} parts inside '{segments[0]}'.");
        }

        foreach (var segment in segments.AsSpan(1))
        {
            if (segment.Length is 0 or > MaxPathSegmentLength || !segment.All(c => char.IsLetterOrDigit(c) || c is '_' or '-'))
            {
                return Invalid(target, $"Invalid path '{Quote(name)}': each part after '{segments[0]}' must be 1 to {MaxPathSegmentLength} letters, digits, '_' or '-'.");
            }
        }

        return null;
    }

    private static Problem? BuildCondition(
        string[] path, string name, FieldType type, FilterOperator op, JsonElement value, EntitySchema schema, string target, out ConditionNode condition)
    {
        condition = null!;
        var opName = OperatorName(op);
        var isJsonRoot = type == FieldType.Json && path.Length == 1;
        if (op == FilterOperator.Contains)
        {
            return BuildContains(path, name, isJsonRoot, value, schema, target, out condition);
        }

        if (isJsonRoot && !(op is FilterOperator.Eq or FilterOperator.Neq && value.ValueKind == JsonValueKind.Null))
        {
            return Invalid(target, $"Field '{name}' of {schema.Name} is a JSON document: compare a property inside it with a dotted path such as '{name}.someProperty', or test it with eq/neq null.");
        }

        if (value.ValueKind == JsonValueKind.Null)
        {
            if (op is not (FilterOperator.Eq or FilterOperator.Neq))
            {
                return Invalid(target, $"Operator '{opName}' on field '{Quote(name)}' needs a value; null is only allowed with eq and neq.");
            }

            condition = new ConditionNode(path, op, value.Clone());
            return null;
        }

        var isJsonPath = type == FieldType.Json;
        if (!isJsonPath && !Applies(op, type))
        {
            return Invalid(target, $"Operator '{opName}' is not supported on the {TypeName(type)} field '{name}' of {schema.Name}. Supported: {string.Join(", ", Operators.Where(o => Applies(o.Value, type)).Select(o => o.Key))}.");
        }

        switch (op)
        {
            case FilterOperator.Inq:
            case FilterOperator.Nin:
            {
                if (value.ValueKind != JsonValueKind.Array)
                {
                    return Invalid(target, $"Operator '{opName}' on field '{Quote(name)}' needs an array of values, got {Describe(value)}.");
                }

                var items = new List<JsonElement>();
                foreach (var item in value.EnumerateArray())
                {
                    if (ValidateScalar(item, type, isJsonPath, op, name, schema, target, out var checkedItem) is { } problem)
                    {
                        return problem;
                    }

                    items.Add(checkedItem);
                }

                condition = new ConditionNode(path, op, BuildArray(items));
                return null;
            }

            case FilterOperator.Between:
            {
                if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() != 2)
                {
                    return Invalid(target, $"Operator 'between' on field '{Quote(name)}' needs an array of exactly 2 values [from, to], got {Describe(value)}.");
                }

                if (ValidateScalar(value[0], type, isJsonPath, op, name, schema, target, out var from) is { } badFrom)
                {
                    return badFrom;
                }

                if (ValidateScalar(value[1], type, isJsonPath, op, name, schema, target, out var to) is { } badTo)
                {
                    return badTo;
                }

                if (isJsonPath && from.ValueKind != to.ValueKind)
                {
                    return Invalid(target, $"The bounds of 'between' on '{Quote(name)}' must both be numbers or both be strings, got {Describe(from)} and {Describe(to)}.");
                }

                condition = new ConditionNode(path, op, BuildArray([from, to]));
                return null;
            }

            default:
            {
                if (ValidateScalar(value, type, isJsonPath, op, name, schema, target, out var scalar) is { } problem)
                {
                    return problem;
                }

                condition = new ConditionNode(path, op, scalar);
                return null;
            }
        }
    }

    /// <summary><c>contains</c>: only on a whole JSON field (an array such as a user task's candidateGroups), with scalars.</summary>
    private static Problem? BuildContains(
        string[] path, string name, bool isJsonRoot, JsonElement value, EntitySchema schema, string target, out ConditionNode condition)
    {
        condition = null!;
        if (!isJsonRoot)
        {
            return Invalid(target, $"Operator 'contains' applies to a JSON field holding an array (such as candidateGroups), not to '{Quote(name)}' of {schema.Name}.");
        }

        var values = value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().ToArray() : [value];
        if (values.Length == 0 || values.Any(v => v.ValueKind is not (JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)))
        {
            return Invalid(target, $"Operator 'contains' on field '{Quote(name)}' needs a string, number or boolean, or a non-empty array of them, got {Describe(value)}.");
        }

        condition = new ConditionNode(path, FilterOperator.Contains, BuildArray(values.Select(v => v.Clone())));
        return null;
    }

    private static bool Applies(FilterOperator op, FieldType type) => op != FilterOperator.Contains && type switch
    {
        FieldType.Boolean => op is FilterOperator.Eq or FilterOperator.Neq or FilterOperator.Inq or FilterOperator.Nin,
        FieldType.Number or FieldType.DateTime => op is not (FilterOperator.Like or FilterOperator.Ilike),
        _ => true,
    };

    /// <summary>Checks one non-array value against the field type and gives it detached (DateTime values in canonical form).</summary>
    private static Problem? ValidateScalar(
        JsonElement value, FieldType type, bool isJsonPath, FilterOperator op, string name, EntitySchema schema, string target, out JsonElement result)
    {
        result = default;
        var opName = OperatorName(op);
        if (value.ValueKind == JsonValueKind.Null)
        {
            return Invalid(target, $"Operator '{opName}' on field '{Quote(name)}' does not accept null values; test for null with eq/neq null.");
        }

        var isPattern = op is FilterOperator.Like or FilterOperator.Ilike;
        if (isPattern)
        {
            if (value.ValueKind != JsonValueKind.String)
            {
                return Invalid(target, $"Operator '{opName}' on field '{Quote(name)}' needs a string pattern, got {Describe(value)}.");
            }

            if (EndsWithLoneEscape(value.GetString()!))
            {
                return Invalid(target, $"The {opName} pattern for field '{Quote(name)}' ends with an unescaped backslash; write '\\\\' for a literal backslash.");
            }

            result = value.Clone();
            return null;
        }

        if (isJsonPath)
        {
            var isRange = op is FilterOperator.Gt or FilterOperator.Gte or FilterOperator.Lt or FilterOperator.Lte or FilterOperator.Between;
            switch (value.ValueKind)
            {
                case JsonValueKind.String:
                    result = value.Clone();
                    return null;
                case JsonValueKind.Number:
                    return ValidateNumber(value, name, opName, target, out result);
                case JsonValueKind.True or JsonValueKind.False when !isRange:
                    result = value.Clone();
                    return null;
                case JsonValueKind.True or JsonValueKind.False:
                    return Invalid(target, $"Operator '{opName}' on '{Quote(name)}' needs a number or a string; booleans only support eq, neq, inq and nin.");
                default:
                    return Invalid(target, $"'{Quote(name)}' can only be compared with a JSON scalar (string, number, boolean or null), got {Describe(value)}.");
            }
        }

        switch (type)
        {
            case FieldType.String when value.ValueKind == JsonValueKind.String
                && op is FilterOperator.Eq or FilterOperator.Neq or FilterOperator.Inq or FilterOperator.Nin
                && schema.Values.TryGetValue(name, out var allowed) && !allowed.Contains(value.GetString()!, StringComparer.Ordinal):
                // A value the field never holds would match nothing (or, with neq, everything): a misspelt status, most often.
                return Invalid(target, $"Field '{name}' of {schema.Name} holds one of {string.Join(", ", allowed.Select(a => $"\"{a}\""))}; {Describe(value)} is none of them.");
            case FieldType.String when value.ValueKind == JsonValueKind.String:
                result = value.Clone();
                return null;
            case FieldType.Number when value.ValueKind == JsonValueKind.Number:
                return ValidateNumber(value, name, opName, target, out result);
            case FieldType.Boolean when value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                result = value.Clone();
                return null;
            case FieldType.DateTime when value.ValueKind == JsonValueKind.String && TryParseDateTime(value.GetString()!, out var instant):
                result = JsonSerializer.SerializeToElement(FormatDateTime(instant));
                return null;
            case FieldType.DateTime:
                return Invalid(target, $"Field '{name}' of {schema.Name} needs an ISO 8601 date-time string such as \"2024-01-31T10:00:00Z\" for '{opName}', got {Describe(value)}.");
            default:
                return Invalid(target, $"Field '{name}' of {schema.Name} needs a {TypeName(type)} for '{opName}', got {Describe(value)}.");
        }
    }

    private static Problem? ValidateNumber(JsonElement value, string name, string opName, string target, out JsonElement result)
    {
        result = default;
        if (!value.TryGetDouble(out var number) || !double.IsFinite(number))
        {
            return Invalid(target, $"The number {Describe(value)} given to '{opName}' on field '{Quote(name)}' is out of range.");
        }

        result = value.Clone();
        return null;
    }

    private static bool EndsWithLoneEscape(string pattern)
    {
        var trailing = 0;
        for (var i = pattern.Length - 1; i >= 0 && pattern[i] == '\\'; i--)
        {
            trailing++;
        }

        return trailing % 2 == 1;
    }

    private static JsonElement BuildArray(IEnumerable<JsonElement> items)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var item in items)
            {
                item.WriteTo(writer);
            }

            writer.WriteEndArray();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    private static Problem? ParseOrder(JsonElement value, EntitySchema schema, out IReadOnlyList<SortOrder> order)
    {
        var orders = new List<SortOrder>();
        order = orders;
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.String:
                return AddOrder(value.GetString()!, schema, orders);
            case JsonValueKind.Array:
                foreach (var e in value.EnumerateArray())
                {
                    if (e.ValueKind != JsonValueKind.String)
                    {
                        return Invalid(FilterParameter, $"Each entry of 'order' must be a string such as \"name ASC\", got {Describe(e)}.");
                    }

                    if (AddOrder(e.GetString()!, schema, orders) is { } problem)
                    {
                        return problem;
                    }
                }

                return null;
            default:
                return Invalid(FilterParameter, $"'order' must be a string such as \"name ASC\" or an array of them, got {Describe(value)}.");
        }
    }

    /// <summary>Adds the comma-separated entries of one <c>order</c> string.</summary>
    private static Problem? AddOrder(string text, EntitySchema schema, List<SortOrder> orders)
    {
        foreach (var entry in text.Split(','))
        {
            var parts = entry.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length is 0 or > 2)
            {
                return Invalid(FilterParameter, $"Invalid order entry '{Quote(entry.Trim())}': expected 'field', 'field ASC' or 'field DESC'.");
            }

            var field = parts[0];
            if (!schema.TryGetField(field, out var type))
            {
                return Invalid(FilterParameter, field.Contains('.', StringComparison.Ordinal) && schema.TryGetField(field.Split('.')[0], out _)
                    ? $"Cannot order by '{Quote(field)}': ordering by a path inside a JSON field is not supported."
                    : $"Unknown field '{Quote(field)}' in order for {schema.Name}. Known fields: {string.Join(", ", schema.Fields.Keys)}.");
            }

            if (type == FieldType.Json)
            {
                return Invalid(FilterParameter, $"Cannot order by '{field}': it is a JSON document.");
            }

            bool descending;
            switch (parts.Length == 2 ? parts[1].ToUpperInvariant() : "ASC")
            {
                case "ASC":
                    descending = false;
                    break;
                case "DESC":
                    descending = true;
                    break;
                default:
                    return Invalid(FilterParameter, $"Invalid sort direction '{Quote(parts[1])}' for field '{field}' in order; use ASC or DESC.");
            }

            if (orders.Any(o => o.Field == field))
            {
                return Invalid(FilterParameter, $"Field '{field}' appears more than once in order.");
            }

            orders.Add(new SortOrder(field, descending));
        }

        return null;
    }

    private static Problem? ParseLimit(JsonElement value, out int? limit)
    {
        limit = null;
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        // The original's filter schema has "minimum": 1: a page of no rows is refused there, not answered with [].
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var given) || given < 1)
        {
            return Invalid(FilterParameter, $"'limit' must be a whole number from 1 to {MaxLimit}, got {Describe(value)}.");
        }

        if (given > MaxLimit)
        {
            return Invalid(FilterParameter, $"'limit' {given} is larger than the maximum page size {MaxLimit}; page through the results with 'skip'.");
        }

        limit = (int)given;
        return null;
    }

    private static Problem? ParseSkip(JsonElement value, string name, out int skip)
    {
        skip = 0;
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out skip) || skip < 0)
        {
            skip = 0;
            return Invalid(FilterParameter, $"'{name}' must be a whole number from 0 to {int.MaxValue}, got {Describe(value)}.");
        }

        return null;
    }

    private static Problem? ParseFields(JsonElement value, EntitySchema schema, out IReadOnlyList<string>? fields)
    {
        fields = null;
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.Array:
                var requested = new HashSet<string>(StringComparer.Ordinal);
                foreach (var item in value.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.String)
                    {
                        return Invalid(FilterParameter, $"Each entry of 'fields' must be a field name, got {Describe(item)}.");
                    }

                    if (CheckFieldName(item.GetString()!, schema) is { } unknown)
                    {
                        return unknown;
                    }

                    requested.Add(item.GetString()!);
                }

                fields = requested.Count == 0 ? null : InSchemaOrder(schema, requested.Contains);
                return null;
            case JsonValueKind.Object:
                var included = new HashSet<string>(StringComparer.Ordinal);
                var excluded = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in value.EnumerateObject())
                {
                    var field = property.Name;
                    if (CheckFieldName(field, schema) is { } unknown)
                    {
                        return unknown;
                    }

                    switch (property.Value.ValueKind)
                    {
                        case JsonValueKind.True:
                            included.Add(field);
                            break;
                        case JsonValueKind.False:
                            excluded.Add(field);
                            break;
                        default:
                            return Invalid(FilterParameter, $"'fields.{Quote(field)}' must be true or false, got {Describe(property.Value)}.");
                    }
                }

                if (included.Overlaps(excluded))
                {
                    return Invalid(FilterParameter, $"'fields' both includes and excludes '{included.Intersect(excluded).First()}'.");
                }

                fields = included.Count > 0 ? InSchemaOrder(schema, included.Contains)
                    : excluded.Count > 0 ? InSchemaOrder(schema, f => !excluded.Contains(f))
                    : null;
                return null;
            default:
                return Invalid(FilterParameter, $"'fields' must be an array of field names or an object such as {{\"name\": true}}, got {Describe(value)}.");
        }
    }

    private static Problem? CheckFieldName(string field, EntitySchema schema) =>
        schema.TryGetField(field, out _)
            ? null
            : Invalid(FilterParameter, $"Unknown field '{Quote(field)}' in fields for {schema.Name}. Known fields: {string.Join(", ", schema.Fields.Keys)}.");

    private static string[] InSchemaOrder(EntitySchema schema, Func<string, bool> keep) => schema.Fields.Keys.Where(keep).ToArray();

    private static bool TryParseDateTime(string text, out DateTimeOffset instant)
    {
        instant = default;
        return IsoDateTime().IsMatch(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out instant);
    }

    private static string FormatDateTime(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    private static string OperatorName(FilterOperator op) => Operators.First(o => o.Value == op).Key;

    private static string TypeName(FieldType type) => type switch
    {
        FieldType.String => "string",
        FieldType.Number => "number",
        FieldType.Boolean => "boolean",
        FieldType.DateTime => "date-time",
        _ => "JSON",
    };

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"the string {Quote(value.GetRawText())}",
        JsonValueKind.Number => $"the number {Quote(value.GetRawText())}",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {value.GetRawText()}",
        _ => "null",
    };

    /// <summary>Shortens user input echoed in a message.</summary>
    private static string Quote(string text) => text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 77), "...");

    private static Problem Invalid(string target, string message) => Problem.Invalid(target, message);

    // Date, optionally followed by a time and an offset; only ASCII digits.
    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[Tt ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,7})?)?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex IsoDateTime();
}
