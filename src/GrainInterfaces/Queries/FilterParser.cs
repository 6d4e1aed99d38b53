using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using TaskService.Errors;

namespace TaskService.Queries;

/// <summary>
/// Parses LoopBack 4 <c>filter</c> and <c>where</c> query parameters into <see cref="QueryFilter"/> and <see cref="FilterNode"/>,
/// checking every field, operator and value against an <see cref="EntitySchema"/>. Every problem is a
/// <see cref="TaskServiceException"/> of kind Invalid whose target is the query parameter and whose message names the culprit.
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

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 256 };

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
    public static QueryFilter ParseFilter(string? filterJson, EntitySchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (string.IsNullOrWhiteSpace(filterJson))
        {
            return QueryFilter.Empty;
        }

        using var document = ParseDocument(filterJson, FilterParameter);
        return ParseFilter(document.RootElement, schema, 0);
    }

    /// <summary>Parses a filter object (the JSON form, or the bracket form read by <see cref="QueryStringFilter"/>).</summary>
    public static QueryFilter ParseFilter(JsonElement root, EntitySchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        Serialization.WellFormedJson.Ensure(root, FilterParameter);
        return ParseFilter(root, schema, 0);
    }

    private static QueryFilter ParseFilter(JsonElement root, EntitySchema schema, int includeDepth)
    {
        if (root.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return QueryFilter.Empty;
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(FilterParameter, $"The filter must be a JSON object such as {{\"where\": {{...}}, \"limit\": 10}}, got {Describe(root)}.");
        }

        FilterNode? where = null;
        IReadOnlyList<SortOrder> order = [];
        int? limit = null;
        int? skip = null;
        string? skipName = null;
        IReadOnlyList<string>? fields = null;
        IReadOnlyList<IncludeFilter> include = [];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            if (!seen.Add(property.Name))
            {
                throw Invalid(FilterParameter, $"The filter has the key '{Quote(property.Name)}' more than once.");
            }

            switch (property.Name)
            {
                case "where":
                    where = ParseWhere(property.Value, schema, FilterParameter, 1);
                    break;
                case "order":
                    order = ParseOrder(property.Value, schema);
                    break;
                case "limit":
                    limit = ParseLimit(property.Value);
                    break;
                case "skip":
                case "offset":
                    if (skipName is not null)
                    {
                        throw Invalid(FilterParameter, $"The filter has both '{skipName}' and '{property.Name}'; they mean the same, give only one.");
                    }

                    skipName = property.Name;
                    skip = ParseSkip(property.Value, property.Name);
                    break;
                case "fields":
                    fields = ParseFields(property.Value, schema);
                    break;
                case "include":
                    include = ParseInclude(property.Value, schema, includeDepth);
                    break;
                default:
                    throw Invalid(FilterParameter, $"Unknown filter key '{Quote(property.Name)}'. Supported: where, order, limit, skip, offset, fields, include.");
            }
        }

        return new QueryFilter { Where = where, Order = order, Limit = limit, Skip = skip ?? 0, Fields = fields, Include = include };
    }

    /// <summary>
    /// <c>include</c>: a relation name, a <c>{"relation", "scope"}</c> object, or an array of them. A relation the schema does
    /// not declare is refused, as is one named twice.
    /// </summary>
    private static IReadOnlyList<IncludeFilter> ParseInclude(JsonElement value, EntitySchema schema, int depth)
    {
        IEnumerable<JsonElement> entries = value.ValueKind switch
        {
            JsonValueKind.Null => [],
            JsonValueKind.Array => value.EnumerateArray(),
            _ => [value],
        };

        var result = new List<IncludeFilter>();
        foreach (var entry in entries)
        {
            var included = entry.ValueKind switch
            {
                JsonValueKind.String => new IncludeFilter { Relation = Relation(entry.GetString()!, schema).Name },
                JsonValueKind.Object => ParseIncludeObject(entry, schema, depth),
                _ => throw Invalid(FilterParameter, $"Each entry of 'include' must be a relation name or {{\"relation\": ..., \"scope\": {{...}}}}, got {Describe(entry)}."),
            };

            if (result.Any(i => i.Relation == included.Relation))
            {
                throw Invalid(FilterParameter, $"'include' names the relation '{included.Relation}' more than once.");
            }

            result.Add(included);
        }

        return result;
    }

    private static IncludeFilter ParseIncludeObject(JsonElement entry, EntitySchema schema, int depth)
    {
        EntityRelation? relation = null;
        var scope = QueryFilter.Empty;
        foreach (var property in entry.EnumerateObject())
        {
            switch (property.Name)
            {
                case "relation" when property.Value.ValueKind == JsonValueKind.String:
                    relation = Relation(property.Value.GetString()!, schema);
                    break;
                case "relation":
                    throw Invalid(FilterParameter, $"'include[].relation' must be a relation name, got {Describe(property.Value)}.");
                case "scope":
                    break;
                default:
                    throw Invalid(FilterParameter, $"Unknown key '{Quote(property.Name)}' in an 'include' entry. Supported: relation, scope.");
            }
        }

        if (relation is null)
        {
            throw Invalid(FilterParameter, "An 'include' entry given as an object needs 'relation', for example {\"relation\": \"userTasks\"}.");
        }

        if (entry.TryGetProperty("scope", out var scopeValue))
        {
            scope = ParseFilter(scopeValue, relation.Target, depth + 1);
        }

        return new IncludeFilter { Relation = relation.Name, Scope = scope };
    }

    private static EntityRelation Relation(string name, EntitySchema schema)
    {
        if (schema.Relations.TryGetValue(name, out var relation))
        {
            return relation;
        }

        var known = schema.Relations.Count == 0 ? $"a {schema.Name} has no relations to include" : $"a {schema.Name} includes {string.Join(", ", schema.Relations.Keys)}";
        throw Invalid(FilterParameter, $"Unknown relation '{Quote(name)}' in 'include': {known}.");
    }

    /// <summary>Parses the <c>where</c> query parameter of count, patch and delete endpoints: a where object itself.</summary>
    public static FilterNode? ParseWhere(string? whereJson, EntitySchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (string.IsNullOrWhiteSpace(whereJson))
        {
            return null;
        }

        using var document = ParseDocument(whereJson, WhereParameter);
        return ParseWhere(document.RootElement, schema, WhereParameter, 1);
    }

    /// <summary>Parses a where object; <paramref name="target"/> names the query parameter it came from in errors.</summary>
    public static FilterNode? ParseWhere(JsonElement where, EntitySchema schema, string target = WhereParameter)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentException.ThrowIfNullOrEmpty(target);
        return ParseWhere(where, schema, target, 1);
    }

    private static JsonDocument ParseDocument(string json, string target)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw Invalid(target, $"The '{target}' parameter is not valid JSON: {ex.Message}");
        }

        try
        {
            // Values no store can compare against (unpaired surrogates) are refused here rather than failing in the store.
            Serialization.WellFormedJson.Ensure(document.RootElement, target, allowNul: true);
            return document;
        }
        catch
        {
            document.Dispose();
            throw;
        }
    }

    private static FilterNode? ParseWhere(JsonElement where, EntitySchema schema, string target, int depth)
    {
        if (where.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return null;
        }

        if (where.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(target, $"A where clause must be a JSON object such as {{\"status\": \"pending\"}}, got {Describe(where)}.");
        }

        if (depth > MaxDepth)
        {
            throw Invalid(target, $"The where clause is nested more than {MaxDepth} levels deep through 'and'/'or'.");
        }

        var nodes = new List<FilterNode>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in where.EnumerateObject())
        {
            if (!seen.Add(property.Name))
            {
                throw Invalid(target, $"The where clause has the key '{Quote(property.Name)}' more than once; combine the conditions with 'and'.");
            }

            switch (property.Name)
            {
                case "and":
                    if (ParseLogical(property, schema, target, depth) is { } and)
                    {
                        nodes.AddRange(and is AndNode a ? a.Children : [and]);
                    }

                    break;
                case "or":
                    if (ParseLogical(property, schema, target, depth) is { } or)
                    {
                        nodes.Add(or);
                    }

                    break;
                default:
                    ParseField(property.Name, property.Value, schema, target, nodes);
                    break;
            }
        }

        return Combine(nodes);
    }

    private static FilterNode? Combine(List<FilterNode> nodes) => nodes.Count switch
    {
        0 => null,
        1 => nodes[0],
        _ => new AndNode(nodes.ToArray()),
    };

    private static FilterNode? ParseLogical(JsonProperty property, EntitySchema schema, string target, int depth)
    {
        var isAnd = property.Name == "and";
        if (property.Value.ValueKind != JsonValueKind.Array || property.Value.GetArrayLength() == 0)
        {
            throw Invalid(target, $"'{property.Name}' needs a non-empty array of where objects, got {Describe(property.Value)}.");
        }

        var children = new List<FilterNode>();
        var anyAlwaysTrue = false;
        foreach (var item in property.Value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw Invalid(target, $"Each item of '{property.Name}' must be a where object, got {Describe(item)}.");
            }

            var child = ParseWhere(item, schema, target, depth + 1);
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

        if (isAnd)
        {
            return Combine(children);
        }

        return anyAlwaysTrue ? null : children.Count == 1 ? children[0] : new OrNode(children.ToArray());
    }

    private static void ParseField(string name, JsonElement value, EntitySchema schema, string target, List<FilterNode> nodes)
    {
        var (path, type) = ParsePath(name, schema, target);
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var op in value.EnumerateObject())
                {
                    if (!Operators.TryGetValue(op.Name, out var filterOperator))
                    {
                        throw Invalid(target, $"Unknown operator '{Quote(op.Name)}' on field '{Quote(name)}'. Supported: {SupportedOperators}.");
                    }

                    if (!seen.Add(op.Name))
                    {
                        throw Invalid(target, $"The operator '{op.Name}' appears more than once on field '{Quote(name)}'.");
                    }

                    nodes.Add(BuildCondition(path, name, type, filterOperator, op.Value, schema, target));
                }

                if (seen.Count == 0)
                {
                    throw Invalid(target, $"Field '{Quote(name)}' has an empty operator object; give a value or an operator such as {{\"eq\": ...}}.");
                }

                break;
            case JsonValueKind.Array:
                throw Invalid(target, $"Field '{Quote(name)}' cannot be compared with an array; use {{\"inq\": [...]}} to match any of several values.");
            default:
                nodes.Add(BuildCondition(path, name, type, FilterOperator.Eq, value, schema, target));
                break;
        }
    }

    private static (string[] Path, FieldType Type) ParsePath(string name, EntitySchema schema, string target)
    {
        var segments = name.Split('.');
        if (!schema.TryGetField(segments[0], out var type))
        {
            var within = segments.Length > 1 ? $" (in '{Quote(name)}')" : "";
            throw Invalid(target, $"Unknown field '{Quote(segments[0])}'{within} for {schema.Name}. Known fields: {string.Join(", ", schema.Fields.Keys)}.");
        }

        if (segments.Length == 1)
        {
            return (segments, type);
        }

        if (type != FieldType.Json)
        {
            var jsonFields = schema.Fields.Where(f => f.Value == FieldType.Json).Select(f => f.Key).ToArray();
            var allowed = jsonFields.Length == 0 ? $"{schema.Name} has no JSON fields" : $"dotted paths are allowed on: {string.Join(", ", jsonFields)}";
            throw Invalid(target, $"Field '{segments[0]}' of {schema.Name} is not a JSON field, so '{Quote(name)}' cannot reach into it; {allowed}.");
        }

        if (segments.Length > MaxPathSegments + 1)
        {
            throw Invalid(target, $"The path '{Quote(name)}' has more than {MaxPathSegments} parts inside '{segments[0]}'.");
        }

        foreach (var segment in segments.AsSpan(1))
        {
            if (segment.Length is 0 or > MaxPathSegmentLength || !segment.All(c => char.IsLetterOrDigit(c) || c is '_' or '-'))
            {
                throw Invalid(target, $"Invalid path '{Quote(name)}': each part after '{segments[0]}' must be 1 to {MaxPathSegmentLength} letters, digits, '_' or '-'.");
            }
        }

        return (segments, type);
    }

    private static ConditionNode BuildCondition(string[] path, string name, FieldType type, FilterOperator op, JsonElement value, EntitySchema schema, string target)
    {
        var opName = OperatorName(op);
        var isJsonRoot = type == FieldType.Json && path.Length == 1;
        if (op == FilterOperator.Contains)
        {
            return BuildContains(path, name, isJsonRoot, value, schema, target);
        }

        if (isJsonRoot && !(op is FilterOperator.Eq or FilterOperator.Neq && value.ValueKind == JsonValueKind.Null))
        {
            throw Invalid(target, $"Field '{name}' of {schema.Name} is a JSON document: compare a property inside it with a dotted path such as '{name}.someProperty', or test it with eq/neq null.");
        }

        if (value.ValueKind == JsonValueKind.Null)
        {
            if (op is not (FilterOperator.Eq or FilterOperator.Neq))
            {
                throw Invalid(target, $"Operator '{opName}' on field '{Quote(name)}' needs a value; null is only allowed with eq and neq.");
            }

            return new ConditionNode(path, op, value.Clone());
        }

        var isJsonPath = type == FieldType.Json;
        if (!isJsonPath && !Applies(op, type))
        {
            throw Invalid(target, $"Operator '{opName}' is not supported on the {TypeName(type)} field '{name}' of {schema.Name}. Supported: {string.Join(", ", Operators.Where(o => Applies(o.Value, type)).Select(o => o.Key))}.");
        }

        switch (op)
        {
            case FilterOperator.Inq:
            case FilterOperator.Nin:
                if (value.ValueKind != JsonValueKind.Array)
                {
                    throw Invalid(target, $"Operator '{opName}' on field '{Quote(name)}' needs an array of values, got {Describe(value)}.");
                }

                return new ConditionNode(path, op, BuildArray(value.EnumerateArray().Select(v => ValidateScalar(v, type, isJsonPath, op, name, schema, target))));
            case FilterOperator.Between:
                if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() != 2)
                {
                    throw Invalid(target, $"Operator 'between' on field '{Quote(name)}' needs an array of exactly 2 values [from, to], got {Describe(value)}.");
                }

                var bounds = value.EnumerateArray().Select(v => ValidateScalar(v, type, isJsonPath, op, name, schema, target)).ToArray();
                if (isJsonPath && bounds[0].ValueKind != bounds[1].ValueKind)
                {
                    throw Invalid(target, $"The bounds of 'between' on '{Quote(name)}' must both be numbers or both be strings, got {Describe(bounds[0])} and {Describe(bounds[1])}.");
                }

                return new ConditionNode(path, op, BuildArray(bounds));
            default:
                return new ConditionNode(path, op, ValidateScalar(value, type, isJsonPath, op, name, schema, target));
        }
    }

    /// <summary><c>contains</c>: only on a whole JSON field (an array such as a user task's candidateGroups), with scalars.</summary>
    private static ConditionNode BuildContains(string[] path, string name, bool isJsonRoot, JsonElement value, EntitySchema schema, string target)
    {
        if (!isJsonRoot)
        {
            throw Invalid(target, $"Operator 'contains' applies to a JSON field holding an array (such as candidateGroups), not to '{Quote(name)}' of {schema.Name}.");
        }

        var values = value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().ToArray() : [value];
        if (values.Length == 0 || values.Any(v => v.ValueKind is not (JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)))
        {
            throw Invalid(target, $"Operator 'contains' on field '{Quote(name)}' needs a string, number or boolean, or a non-empty array of them, got {Describe(value)}.");
        }

        return new ConditionNode(path, FilterOperator.Contains, BuildArray(values.Select(v => v.Clone())));
    }

    private static bool Applies(FilterOperator op, FieldType type) => op != FilterOperator.Contains && type switch
    {
        FieldType.Boolean => op is FilterOperator.Eq or FilterOperator.Neq or FilterOperator.Inq or FilterOperator.Nin,
        FieldType.Number or FieldType.DateTime => op is not (FilterOperator.Like or FilterOperator.Ilike),
        _ => true,
    };

    /// <summary>Checks one non-array value against the field type and returns it detached (DateTime values in canonical form).</summary>
    private static JsonElement ValidateScalar(JsonElement value, FieldType type, bool isJsonPath, FilterOperator op, string name, EntitySchema schema, string target)
    {
        var opName = OperatorName(op);
        if (value.ValueKind == JsonValueKind.Null)
        {
            throw Invalid(target, $"Operator '{opName}' on field '{Quote(name)}' does not accept null values; test for null with eq/neq null.");
        }

        var isPattern = op is FilterOperator.Like or FilterOperator.Ilike;
        if (isPattern)
        {
            if (value.ValueKind != JsonValueKind.String)
            {
                throw Invalid(target, $"Operator '{opName}' on field '{Quote(name)}' needs a string pattern, got {Describe(value)}.");
            }

            if (EndsWithLoneEscape(value.GetString()!))
            {
                throw Invalid(target, $"The {opName} pattern for field '{Quote(name)}' ends with an unescaped backslash; write '\\\\' for a literal backslash.");
            }

            return value.Clone();
        }

        if (isJsonPath)
        {
            var isRange = op is FilterOperator.Gt or FilterOperator.Gte or FilterOperator.Lt or FilterOperator.Lte or FilterOperator.Between;
            switch (value.ValueKind)
            {
                case JsonValueKind.String:
                    return value.Clone();
                case JsonValueKind.Number:
                    return ValidateNumber(value, name, opName, target);
                case JsonValueKind.True or JsonValueKind.False when !isRange:
                    return value.Clone();
                case JsonValueKind.True or JsonValueKind.False:
                    throw Invalid(target, $"Operator '{opName}' on '{Quote(name)}' needs a number or a string; booleans only support eq, neq, inq and nin.");
                default:
                    throw Invalid(target, $"'{Quote(name)}' can only be compared with a JSON scalar (string, number, boolean or null), got {Describe(value)}.");
            }
        }

        switch (type)
        {
            case FieldType.String when value.ValueKind == JsonValueKind.String:
                return value.Clone();
            case FieldType.Number when value.ValueKind == JsonValueKind.Number:
                return ValidateNumber(value, name, opName, target);
            case FieldType.Boolean when value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                return value.Clone();
            case FieldType.DateTime when value.ValueKind == JsonValueKind.String && TryParseDateTime(value.GetString()!, out var instant):
                return JsonSerializer.SerializeToElement(FormatDateTime(instant));
            case FieldType.DateTime:
                throw Invalid(target, $"Field '{name}' of {schema.Name} needs an ISO 8601 date-time string such as \"2024-01-31T10:00:00Z\" for '{opName}', got {Describe(value)}.");
            default:
                throw Invalid(target, $"Field '{name}' of {schema.Name} needs a {TypeName(type)} for '{opName}', got {Describe(value)}.");
        }
    }

    private static JsonElement ValidateNumber(JsonElement value, string name, string opName, string target)
    {
        if (!value.TryGetDouble(out var number) || !double.IsFinite(number))
        {
            throw Invalid(target, $"The number {Describe(value)} given to '{opName}' on field '{Quote(name)}' is out of range.");
        }

        return value.Clone();
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

    private static IReadOnlyList<SortOrder> ParseOrder(JsonElement value, EntitySchema schema)
    {
        IEnumerable<string> entries = value.ValueKind switch
        {
            JsonValueKind.Null => [],
            JsonValueKind.String => value.GetString()!.Split(','),
            JsonValueKind.Array => value.EnumerateArray().SelectMany(e => e.ValueKind == JsonValueKind.String
                ? e.GetString()!.Split(',')
                : throw Invalid(FilterParameter, $"Each entry of 'order' must be a string such as \"name ASC\", got {Describe(e)}.")),
            _ => throw Invalid(FilterParameter, $"'order' must be a string such as \"name ASC\" or an array of them, got {Describe(value)}."),
        };

        var orders = new List<SortOrder>();
        foreach (var entry in entries)
        {
            var parts = entry.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length is 0 or > 2)
            {
                throw Invalid(FilterParameter, $"Invalid order entry '{Quote(entry.Trim())}': expected 'field', 'field ASC' or 'field DESC'.");
            }

            var field = parts[0];
            if (!schema.TryGetField(field, out var type))
            {
                throw Invalid(FilterParameter, field.Contains('.', StringComparison.Ordinal) && schema.TryGetField(field.Split('.')[0], out _)
                    ? $"Cannot order by '{Quote(field)}': ordering by a path inside a JSON field is not supported."
                    : $"Unknown field '{Quote(field)}' in order for {schema.Name}. Known fields: {string.Join(", ", schema.Fields.Keys)}.");
            }

            if (type == FieldType.Json)
            {
                throw Invalid(FilterParameter, $"Cannot order by '{field}': it is a JSON document.");
            }

            var descending = parts.Length == 2 && parts[1].ToUpperInvariant() switch
            {
                "ASC" => false,
                "DESC" => true,
                _ => throw Invalid(FilterParameter, $"Invalid sort direction '{Quote(parts[1])}' for field '{field}' in order; use ASC or DESC."),
            };

            if (orders.Any(o => o.Field == field))
            {
                throw Invalid(FilterParameter, $"Field '{field}' appears more than once in order.");
            }

            orders.Add(new SortOrder(field, descending));
        }

        return orders;
    }

    private static int? ParseLimit(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var limit) || limit < 0)
        {
            throw Invalid(FilterParameter, $"'limit' must be a whole number from 0 to {MaxLimit}, got {Describe(value)}.");
        }

        if (limit > MaxLimit)
        {
            throw Invalid(FilterParameter, $"'limit' {limit} is larger than the maximum page size {MaxLimit}; page through the results with 'skip'.");
        }

        return (int)limit;
    }

    private static int ParseSkip(JsonElement value, string name)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return 0;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var skip) || skip < 0)
        {
            throw Invalid(FilterParameter, $"'{name}' must be a whole number from 0 to {int.MaxValue}, got {Describe(value)}.");
        }

        return skip;
    }

    private static IReadOnlyList<string>? ParseFields(JsonElement value, EntitySchema schema)
    {
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
                        throw Invalid(FilterParameter, $"Each entry of 'fields' must be a field name, got {Describe(item)}.");
                    }

                    requested.Add(CheckFieldName(item.GetString()!, schema));
                }

                return requested.Count == 0 ? null : InSchemaOrder(schema, requested.Contains);
            case JsonValueKind.Object:
                var included = new HashSet<string>(StringComparer.Ordinal);
                var excluded = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in value.EnumerateObject())
                {
                    var field = CheckFieldName(property.Name, schema);
                    switch (property.Value.ValueKind)
                    {
                        case JsonValueKind.True:
                            included.Add(field);
                            break;
                        case JsonValueKind.False:
                            excluded.Add(field);
                            break;
                        default:
                            throw Invalid(FilterParameter, $"'fields.{Quote(field)}' must be true or false, got {Describe(property.Value)}.");
                    }
                }

                if (included.Overlaps(excluded))
                {
                    throw Invalid(FilterParameter, $"'fields' both includes and excludes '{included.Intersect(excluded).First()}'.");
                }

                return included.Count > 0 ? InSchemaOrder(schema, included.Contains)
                    : excluded.Count > 0 ? InSchemaOrder(schema, f => !excluded.Contains(f))
                    : null;
            default:
                throw Invalid(FilterParameter, $"'fields' must be an array of field names or an object such as {{\"name\": true}}, got {Describe(value)}.");
        }
    }

    private static string CheckFieldName(string field, EntitySchema schema) =>
        schema.TryGetField(field, out _)
            ? field
            : throw Invalid(FilterParameter, $"Unknown field '{Quote(field)}' in fields for {schema.Name}. Known fields: {string.Join(", ", schema.Fields.Keys)}.");

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

    private static TaskServiceException Invalid(string target, string message) => TaskServiceException.Invalid(target, message);

    // Date, optionally followed by a time and an offset; only ASCII digits.
    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[Tt ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,7})?)?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex IsoDateTime();
}
