using System.Globalization;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using TaskService.Queries;

namespace TaskService.Storage.Postgres;

/// <summary>
/// Compiles parsed LoopBack filters into parameterized PostgreSQL with exactly the semantics of
/// <see cref="InMemory.FilterEvaluator"/>: strings compare by code point (<c>COLLATE "C"</c>), date-times as instants,
/// numbers exactly; any comparison with null is false (neq and nin skip rows without a value); ASC sorts nulls last and DESC
/// first (PostgreSQL's default); LIKE works on characters with <c>\</c> as escape; ilike lowers both sides per character.
/// </summary>
/// <remarks>
/// <para>
/// No filter text ever becomes SQL text. Field names choose a column from the fixed map of <see cref="PostgresEntityTables"/>
/// (an unknown name is an <see cref="ArgumentException"/>, as in the evaluator; the parser already answered it with a 400),
/// operators choose among fixed SQL fragments, and every value, pattern and JSON path travels as a parameter.
/// </para>
/// <para>
/// Inside JSON fields (<c>metadata.customer.id</c>) a value compares only with a filter value of the same JSON type; a missing
/// path, a JSON null and a path through a non-object (also an array, which <c>#&gt;</c> would index) are all null.
/// </para>
/// <para>
/// Values no row can hold are rewritten rather than sent: PostgreSQL text cannot contain U+0000 and timestamptz keeps
/// microseconds, so a string with U+0000 or an instant with a sub-microsecond part equals no stored value, and an order
/// comparison with it is the same as with the largest storable value below it (for a string, its part before U+0000).
/// </para>
/// </remarks>
public sealed class SqlFilterCompiler
{
    /// <summary>The libc collation whose <c>lower()</c> folds every script character by character, as <c>Rune.ToLowerInvariant</c> does.</summary>
    public const string DefaultCaseFoldingCollation = "C.utf8";

    private const string True = "TRUE";
    private const string False = "FALSE";
    private const string ByCodePoint = " COLLATE \"C\"";
    private const string LikeEscape = @" ESCAPE E'\\'";

    private readonly string _caseFolding;

    /// <param name="caseFoldingCollation">
    /// The collation <c>lower()</c> runs under for ilike, or null for the column's own (the database default). With a
    /// database whose LC_CTYPE is C, <c>lower()</c> folds only ASCII, so pass a collation such as <c>C.utf8</c>.
    /// </param>
    public SqlFilterCompiler(string? caseFoldingCollation = DefaultCaseFoldingCollation)
    {
        if (caseFoldingCollation is not null
            && (caseFoldingCollation.Length == 0 || !caseFoldingCollation.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.')))
        {
            throw new ArgumentException($"'{caseFoldingCollation}' is not a collation name this compiler accepts.", nameof(caseFoldingCollation));
        }

        CaseFoldingCollation = caseFoldingCollation;
        _caseFolding = caseFoldingCollation is null ? "" : $" COLLATE \"{caseFoldingCollation}\"";
    }

    public string? CaseFoldingCollation { get; }

    /// <summary>Compiles where, order (then the schema's default order), skip and limit.</summary>
    public SqlFilter Compile(EntityKind kind, QueryFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var table = PostgresEntityTables.For(kind);
        var parameters = new Parameters();
        var where = Node(filter.Where, table, parameters);
        var orderBy = OrderBy(filter.Order, table);

        var paging = new List<string>(2);
        if (filter.Limit is { } limit)
        {
            paging.Add("LIMIT " + parameters.Add((long)Math.Max(limit, 0), NpgsqlDbType.Bigint));
        }

        if (filter.Skip > 0)
        {
            paging.Add("OFFSET " + parameters.Add((long)filter.Skip, NpgsqlDbType.Bigint));
        }

        return new SqlFilter(where, orderBy, string.Join(' ', paging), parameters.List);
    }

    /// <summary>Compiles a where clause alone (for counts); the order is the schema's default order and there is no paging.</summary>
    public SqlFilter CompileWhere(EntityKind kind, FilterNode? where)
    {
        var table = PostgresEntityTables.For(kind);
        var parameters = new Parameters();
        return new SqlFilter(Node(where, table, parameters), OrderBy([], table), "", parameters.List);
    }

    private string Node(FilterNode? node, PostgresEntityTable table, Parameters parameters)
    {
        switch (node)
        {
            case null:
                return True;
            case AndNode and:
                return and.Children.Count == 0 ? True : Join(and.Children.Select(c => Node(c, table, parameters)), " AND ");
            case OrNode or:
                return or.Children.Count == 0 ? False : Join(or.Children.Select(c => Node(c, table, parameters)), " OR ");
            case ConditionNode condition:
                return Condition(condition, table, parameters);
            default:
                throw new ArgumentException($"Unsupported filter node {node.GetType().Name}.", nameof(node));
        }
    }

    private static string Join(IEnumerable<string> parts, string separator) => "(" + string.Join(separator, parts) + ")";

    private string Condition(ConditionNode condition, PostgresEntityTable table, Parameters parameters)
    {
        if (condition.Path.Count == 0 || !table.Schema.TryGetField(condition.Field, out var type) || !table.TryGetColumn(condition.Field, out var column))
        {
            throw new ArgumentException($"The filter names a field that {table.Schema.Name} does not have: '{string.Join('.', condition.Path)}'.", nameof(condition));
        }

        if (type == FieldType.Json)
        {
            return JsonCondition(column, condition, parameters);
        }

        var value = condition.Value;
        var isNull = value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined;

        // A path below a field that is not JSON reaches nothing: the evaluator sees null there.
        if (condition.Path.Count > 1)
        {
            if (isNull)
            {
                return condition.Operator == FilterOperator.Eq ? True : False;
            }

            _ = ScalarCondition(column, type, condition, new Parameters());
            return False;
        }

        if (isNull)
        {
            return condition.Operator switch
            {
                FilterOperator.Eq => $"{column.Sql} IS NULL",
                FilterOperator.Neq => $"{column.Sql} IS NOT NULL",
                _ => False,
            };
        }

        return ScalarCondition(column, type, condition, parameters);
    }

    private string ScalarCondition(PostgresColumn column, FieldType type, ConditionNode condition, Parameters parameters)
    {
        var value = condition.Value;
        switch (condition.Operator)
        {
            case FilterOperator.Eq:
            case FilterOperator.Neq:
            case FilterOperator.Gt:
            case FilterOperator.Gte:
            case FilterOperator.Lt:
            case FilterOperator.Lte:
                return Compare(column, type, condition.Operator, ScalarValue(value, type, column), parameters);
            case FilterOperator.Inq:
            case FilterOperator.Nin:
                var values = ScalarValues(value, type, column);
                return AnyOf(column, values.Where(v => v.Exact).ToArray(), condition.Operator == FilterOperator.Nin, parameters);
            case FilterOperator.Between:
                var bounds = ScalarValues(value, type, column);
                if (bounds.Length != 2)
                {
                    throw new ArgumentException($"'between' on '{string.Join('.', condition.Path)}' needs exactly 2 values.", nameof(condition));
                }

                return $"({Compare(column, type, FilterOperator.Gte, bounds[0], parameters)} AND {Compare(column, type, FilterOperator.Lte, bounds[1], parameters)})";
            case FilterOperator.Like:
            case FilterOperator.Ilike:
                var pattern = Pattern(value, nameof(condition));
                // Only string fields hold text; like on any other type matches nothing, as in the evaluator.
                return type != FieldType.String || pattern is null
                    ? False
                    : Like(column.Sql, condition.Operator == FilterOperator.Ilike, pattern, parameters);
            default:
                throw new ArgumentException($"Unsupported operator {condition.Operator}.", nameof(condition));
        }
    }

    private static string Compare(PostgresColumn column, FieldType type, FilterOperator op, ScalarParameter value, Parameters parameters)
    {
        var left = type == FieldType.String && op is not (FilterOperator.Eq or FilterOperator.Neq) ? column.Sql + ByCodePoint : column.Sql;
        if (!value.Exact)
        {
            switch (op)
            {
                case FilterOperator.Eq:
                    return False;
                case FilterOperator.Neq:
                    return $"{column.Sql} IS NOT NULL";
            }
        }

        var placeholder = parameters.Add(value.Value, value.DbType) + value.Cast;
        return $"{left} {Operator(op, value.Exact)} {placeholder}";
    }

    /// <summary>The SQL operator; against an inexact value's floor f, "&gt; v" and "&gt;= v" are "&gt; f", "&lt; v" and "&lt;= v" are "&lt;= f".</summary>
    private static string Operator(FilterOperator op, bool exact) => op switch
    {
        FilterOperator.Eq => "=",
        FilterOperator.Neq => "<>",
        FilterOperator.Gt => ">",
        FilterOperator.Gte => exact ? ">=" : ">",
        FilterOperator.Lt => exact ? "<" : "<=",
        FilterOperator.Lte => "<=",
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "Not a comparison."),
    };

    private static string AnyOf(PostgresColumn column, ScalarParameter[] values, bool negate, Parameters parameters)
    {
        if (values.Length == 0)
        {
            // inq [] matches nothing; nin [] matches every row that has a value.
            return negate ? $"{column.Sql} IS NOT NULL" : False;
        }

        var (array, dbType, cast) = values.All(v => v.DbType == values[0].DbType)
            ? (TypedArray(values.Select(v => v.Value), values[0].DbType), values[0].DbType, values[0].Cast)
            : (values.Select(v => v.Text).ToArray(), NpgsqlDbType.Text, "::numeric");
        var placeholder = parameters.Add(array, NpgsqlDbType.Array | dbType) + (cast.Length == 0 ? "" : cast + "[]");
        return negate ? $"{column.Sql} <> ALL({placeholder})" : $"{column.Sql} = ANY({placeholder})";
    }

    private static object TypedArray(IEnumerable<object> values, NpgsqlDbType type) => type switch
    {
        NpgsqlDbType.Text => values.Cast<string>().ToArray(),
        NpgsqlDbType.Bigint => values.Cast<long>().ToArray(),
        NpgsqlDbType.TimestampTz => values.Cast<DateTime>().ToArray(),
        NpgsqlDbType.Boolean => values.Cast<bool>().ToArray(),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "No array of this type."),
    };

    private static ScalarParameter[] ScalarValues(JsonElement value, FieldType type, PostgresColumn column) =>
        value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Select(v => ScalarValue(v, type, column)).ToArray()
            : throw new ArgumentException($"Expected an array of values, got {value.ValueKind}.", nameof(value));

    /// <summary>A filter value bound for a column of <paramref name="type"/>; the same checks as the evaluator's.</summary>
    private static ScalarParameter ScalarValue(JsonElement value, FieldType type, PostgresColumn column)
    {
        switch (value.ValueKind, type)
        {
            case (JsonValueKind.String, FieldType.String):
                var text = value.GetString()!;
                var nul = text.IndexOf('\0', StringComparison.Ordinal);
                return nul < 0
                    ? new ScalarParameter(text, NpgsqlDbType.Text, "", true, text)
                    : new ScalarParameter(text[..nul], NpgsqlDbType.Text, "", false, text[..nul]);
            case (JsonValueKind.String, FieldType.DateTime) when TryParseInstant(value.GetString()!, out var instant):
                var utc = instant.UtcDateTime;
                var subMicrosecond = utc.Ticks % TimeSpan.TicksPerMicrosecond;
                var floor = DateTime.SpecifyKind(utc.AddTicks(-subMicrosecond), DateTimeKind.Utc);
                return new ScalarParameter(floor, NpgsqlDbType.TimestampTz, "", subMicrosecond == 0, "");
            case (JsonValueKind.Number, FieldType.Number):
                var raw = value.GetRawText();
                return decimal.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var exact)
                    && exact == decimal.Truncate(exact) && exact is >= long.MinValue and <= long.MaxValue
                    ? new ScalarParameter((long)exact, NpgsqlDbType.Bigint, "", true, raw)
                    : new ScalarParameter(raw, NpgsqlDbType.Text, "::numeric", true, raw);
            case (JsonValueKind.True or JsonValueKind.False, FieldType.Boolean):
                return new ScalarParameter(value.GetBoolean(), NpgsqlDbType.Boolean, "", true, "");
            default:
                throw new ArgumentException($"The filter value {value.GetRawText()} does not fit a {type} field ({column.Field}).", nameof(value));
        }
    }

    private static bool TryParseInstant(string text, out DateTimeOffset instant) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out instant);

    /// <summary>The pattern, or null when it holds U+0000 and so can match no stored text.</summary>
    private static string? Pattern(JsonElement value, string parameterName)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            throw new ArgumentException($"A LIKE pattern must be a string, got {value.ValueKind}.", parameterName);
        }

        var pattern = value.GetString()!;
        var trailing = 0;
        for (var i = pattern.Length - 1; i >= 0 && pattern[i] == '\\'; i--)
        {
            trailing++;
        }

        if (trailing % 2 == 1)
        {
            throw new ArgumentException("A LIKE pattern must not end with the escape character '\\'.", parameterName);
        }

        return pattern.Contains('\0', StringComparison.Ordinal) ? null : pattern;
    }

    private string Like(string text, bool ignoreCase, string pattern, Parameters parameters)
    {
        var placeholder = parameters.Add(pattern, NpgsqlDbType.Text);
        return ignoreCase
            ? $"lower({text}{_caseFolding}) LIKE lower({placeholder}{_caseFolding}){LikeEscape}"
            : $"{text} LIKE {placeholder}{LikeEscape}";
    }

    private string JsonCondition(PostgresColumn column, ConditionNode condition, Parameters parameters)
    {
        var value = condition.Value;
        if (value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return condition.Operator switch
            {
                FilterOperator.Eq => $"COALESCE(jsonb_typeof({JsonAccess(column, condition.Path, parameters).Value}), 'null') = 'null'",
                FilterOperator.Neq => $"jsonb_typeof({JsonAccess(column, condition.Path, parameters).Value}) <> 'null'",
                _ => False,
            };
        }

        if (condition.Operator == FilterOperator.Contains)
        {
            // jsonb containment of an array of scalars: true only for an array field holding each value; a GIN index serves it.
            return $"{column.Sql} @> {parameters.Add(value.GetRawText(), NpgsqlDbType.Jsonb)}";
        }

        var access = JsonAccess(column, condition.Path, parameters);

        switch (condition.Operator)
        {
            case FilterOperator.Eq:
                var eq = JsonValue(value);
                return eq.Exact ? $"{access.Value} = {parameters.Add(eq.Json, NpgsqlDbType.Jsonb)}" : False;
            case FilterOperator.Neq:
                var neq = JsonValue(value);
                return neq.Exact
                    ? $"(jsonb_typeof({access.Value}) <> 'null' AND {access.Value} <> {parameters.Add(neq.Json, NpgsqlDbType.Jsonb)})"
                    : $"jsonb_typeof({access.Value}) <> 'null'";
            case FilterOperator.Gt:
            case FilterOperator.Gte:
            case FilterOperator.Lt:
            case FilterOperator.Lte:
                return JsonCompare(access, condition.Operator, JsonValue(value), parameters);
            case FilterOperator.Inq:
            case FilterOperator.Nin:
                var values = JsonValues(value).Where(v => v.Exact).Select(v => v.Json).ToArray();
                var negate = condition.Operator == FilterOperator.Nin;
                if (values.Length == 0)
                {
                    return negate ? $"jsonb_typeof({access.Value}) <> 'null'" : False;
                }

                var array = parameters.Add(values, NpgsqlDbType.Array | NpgsqlDbType.Jsonb);
                return negate
                    ? $"(jsonb_typeof({access.Value}) <> 'null' AND {access.Value} <> ALL({array}))"
                    : $"{access.Value} = ANY({array})";
            case FilterOperator.Between:
                var bounds = JsonValues(value);
                if (bounds.Length != 2)
                {
                    throw new ArgumentException($"'between' on '{string.Join('.', condition.Path)}' needs exactly 2 values.", nameof(condition));
                }

                return $"({JsonCompare(access, FilterOperator.Gte, bounds[0], parameters)} AND {JsonCompare(access, FilterOperator.Lte, bounds[1], parameters)})";
            case FilterOperator.Like:
            case FilterOperator.Ilike:
                var pattern = Pattern(value, nameof(condition));
                return pattern is null
                    ? False
                    : $"(jsonb_typeof({access.Value}) = 'string' AND {Like(access.Text, condition.Operator == FilterOperator.Ilike, pattern, parameters)})";
            default:
                throw new ArgumentException($"Unsupported operator {condition.Operator}.", nameof(condition));
        }
    }

    /// <summary>An order comparison inside JSON: only with a value of the same JSON type; strings by code point, numbers numerically.</summary>
    private static string JsonCompare(JsonPath access, FilterOperator op, JsonParameter value, Parameters parameters)
    {
        var sqlOperator = Operator(op, value.Exact);
        return value.Kind switch
        {
            JsonValueKind.String =>
                $"(jsonb_typeof({access.Value}) = 'string' AND {access.Text}{ByCodePoint} {sqlOperator} {parameters.Add(value.Text!, NpgsqlDbType.Text)})",
            JsonValueKind.Number =>
                $"(jsonb_typeof({access.Value}) = 'number' AND {access.Value} {sqlOperator} {parameters.Add(value.Json, NpgsqlDbType.Jsonb)})",
            _ =>
                $"(jsonb_typeof({access.Value}) = 'boolean' AND {access.Value} {sqlOperator} {parameters.Add(value.Json, NpgsqlDbType.Jsonb)})",
        };
    }

    private static JsonParameter[] JsonValues(JsonElement value) =>
        value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Select(JsonValue).ToArray()
            : throw new ArgumentException($"Expected an array of values, got {value.ValueKind}.", nameof(value));

    private static JsonParameter JsonValue(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                var text = value.GetString()!;
                var nul = text.IndexOf('\0', StringComparison.Ordinal);
                return nul < 0
                    ? new JsonParameter(JsonValueKind.String, JsonSerializer.Serialize(text), text, true)
                    : new JsonParameter(JsonValueKind.String, "", text[..nul], false);
            case JsonValueKind.Number:
                return new JsonParameter(JsonValueKind.Number, value.GetRawText(), null, true);
            case JsonValueKind.True:
            case JsonValueKind.False:
                return new JsonParameter(value.ValueKind, value.GetRawText(), null, true);
            default:
                throw new ArgumentException($"The filter value {value.GetRawText()} does not fit a {FieldType.Json} field.", nameof(value));
        }
    }

    /// <summary>
    /// The jsonb value at the path below the column, and its text; both null when the path is missing or crosses a non-object.
    /// <c>#&gt;</c> indexes arrays by path parts that read as integers, so before each such part the container must be an object.
    /// </summary>
    private static JsonPath JsonAccess(PostgresColumn column, IReadOnlyList<string> path, Parameters parameters)
    {
        if (path.Count == 1)
        {
            return new JsonPath(column.Sql, $"({column.Sql} #>> '{{}}')");
        }

        var segments = path.Skip(1).ToArray();
        var placeholder = parameters.Add(segments, NpgsqlDbType.Array | NpgsqlDbType.Text);
        var guards = new List<string>();
        for (var i = 0; i < segments.Length; i++)
        {
            if (CouldIndexAnArray(segments[i]))
            {
                var container = i == 0 ? column.Sql : $"{column.Sql} #> {parameters.Add(segments[..i], NpgsqlDbType.Array | NpgsqlDbType.Text)}";
                guards.Add($"jsonb_typeof({container}) = 'object'");
            }
        }

        if (guards.Count == 0)
        {
            return new JsonPath($"({column.Sql} #> {placeholder})", $"({column.Sql} #>> {placeholder})");
        }

        var condition = string.Join(" AND ", guards);
        return new JsonPath(
            $"(CASE WHEN {condition} THEN {column.Sql} #> {placeholder} END)",
            $"(CASE WHEN {condition} THEN {column.Sql} #>> {placeholder} END)");
    }

    /// <summary>Whether PostgreSQL could read the path part as an array index (it parses it with strtol).</summary>
    private static bool CouldIndexAnArray(string segment) =>
        segment.Length > 0 && (char.IsAsciiDigit(segment[0]) || segment[0] is '-' or '+' || char.IsWhiteSpace(segment[0]));

    private static string OrderBy(IReadOnlyList<SortOrder> order, PostgresEntityTable table)
    {
        var keys = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var sort in order.Concat(table.Schema.DefaultOrder))
        {
            if (!table.Schema.TryGetField(sort.Field, out var type) || !table.TryGetColumn(sort.Field, out var column))
            {
                throw new ArgumentException($"Cannot order {table.Schema.Name} by unknown field '{sort.Field}'.", nameof(order));
            }

            if (type == FieldType.Json)
            {
                throw new ArgumentException($"Cannot order {table.Schema.Name} by the JSON field '{sort.Field}'.", nameof(order));
            }

            if (seen.Add(sort.Field))
            {
                // PostgreSQL's defaults, NULLS LAST for ASC and NULLS FIRST for DESC, are the evaluator's null ordering.
                var expression = type == FieldType.String ? column.Sql + ByCodePoint : column.Sql;
                keys.Add(expression + (sort.Descending ? " DESC" : " ASC"));
            }
        }

        return string.Join(", ", keys);
    }

    /// <summary>A scalar bound as a parameter: the value (its floor when not <paramref name="Exact"/>), its type and a cast.</summary>
    private sealed record ScalarParameter(object Value, NpgsqlDbType DbType, string Cast, bool Exact, string Text);

    /// <summary>A value inside JSON: its jsonb literal, and for strings the text (its floor when not <paramref name="Exact"/>).</summary>
    private sealed record JsonParameter(JsonValueKind Kind, string Json, string? Text, bool Exact);

    private sealed record JsonPath(string Value, string Text);

    /// <summary>Positional parameters, <c>$1</c> first.</summary>
    private sealed class Parameters
    {
        public List<NpgsqlParameter> List { get; } = [];

        public string Add(object value, NpgsqlDbType type)
        {
            List.Add(new NpgsqlParameter { Value = value, NpgsqlDbType = type });
            return "$" + List.Count.ToString(CultureInfo.InvariantCulture);
        }
    }
}
