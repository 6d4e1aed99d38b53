using System.Text.Json;
using Microsoft.Extensions.Options;
using TaskService.Common;
using TaskService.Errors;
using TaskService.Queries;

namespace TaskService.Gateway.Http;

/// <summary>
/// Reads the LoopBack <c>filter</c> and <c>where</c> query parameters, in their JSON form (<c>filter={"where":...}</c>) or
/// the <c>qs</c> bracket form (<c>filter[where][status]=pending</c>); a bad one is a problem (400) naming what is wrong.
/// </summary>
public static class QueryParameters
{
    public const string FilterName = "filter";
    public const string WhereName = "where";

    // The bracket form is read as the JSON text it spells, so that its nesting is held to MaxJsonDepth as the JSON form's is.
    public static Outcome<QueryFilter> Filter(HttpRequest request, EntitySchema schema)
    {
        var bracket = Read(request, FilterName, schema, isWhere: false);
        return !bracket.IsOk ? bracket.Problem
            : FilterParser.ParseFilter(bracket.Value?.GetRawText() ?? request.Query[FilterName].ToString(), schema, MaxJsonDepth(request));
    }

    public static Outcome<FilterNode?> Where(HttpRequest request, EntitySchema schema)
    {
        var bracket = Read(request, WhereName, schema, isWhere: true);
        return !bracket.IsOk ? bracket.Problem
            : FilterParser.ParseWhere(bracket.Value?.GetRawText() ?? request.Query[WhereName].ToString(), schema, MaxJsonDepth(request));
    }

    /// <summary>
    /// The <c>where</c> of a route that changes or deletes rows. Given empty (<c>where=</c>, often a client's template with nothing
    /// filled in) or as JSON <c>null</c>, it is refused rather than read as no condition, which would match every row;
    /// <c>where={}</c> says that.
    /// </summary>
    public static Outcome<FilterNode?> ChangeWhere(HttpRequest request, EntitySchema schema, string rows)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Query.TryGetValue(WhereName, out var given) && string.IsNullOrWhiteSpace(given.ToString()))
        {
            return Problem.Invalid(WhereName, $"The 'where' parameter is empty; give a condition, or where={{}} to match {rows}.");
        }

        // JSON null (a client that serialized a variable it never set) is no condition either, and would match every row too.
        if (given.ToString().Trim() == "null")
        {
            return Problem.Invalid(WhereName, $"The 'where' parameter is null; give a condition, or where={{}} to match {rows}.");
        }

        return Where(request, schema);
    }

    /// <summary>The <c>cascade</c> flag of the delete routes.</summary>
    public const string CascadeName = "cascade";

    /// <summary>
    /// A true/false query parameter (<c>true</c>, <c>false</c>, any case); absent is null. Read here rather than bound by the
    /// framework, so that a value of the wrong form is a problem naming the parameter, not an exception. Given empty it is refused
    /// rather than taken as absent: on a delete, the default it would fall back to may be the very thing the caller meant to turn off.
    /// </summary>
    public static Outcome<bool?> Flag(HttpRequest request, string name)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.Query.TryGetValue(name, out var given))
        {
            return new Outcome<bool?>(null, null);
        }

        var value = given.ToString();
        if (string.IsNullOrWhiteSpace(value))
        {
            return Problem.Invalid(name, $"The parameter '{name}' is empty; give true or false, or leave it out.");
        }

        return bool.TryParse(value, out var flag)
            ? new Outcome<bool?>(flag, null)
            : Problem.Invalid(name, $"The parameter '{name}' must be true or false, not '{(value.Length <= 100 ? value : value[..100] + "...")}'.");
    }

    /// <summary>True when the request gives <paramref name="name"/> in either form.</summary>
    public static bool Has(HttpRequest request, string name) =>
        request.Query.ContainsKey(name) || request.Query.Keys.Any(k => QueryStringFilter.IsBracketKey(k, name));

    /// <summary>Adds <c>field = value</c> to a where clause, for reads scoped to a parent.</summary>
    public static FilterNode Scope(FilterNode? where, string field, string value)
    {
        var scope = new ConditionNode([field], FilterOperator.Eq, Serialization.JsonElementFactory.From(value));
        return where is null ? scope : new AndNode([scope, where]);
    }

    /// <summary>Restricts a parsed filter to rows whose <paramref name="field"/> equals <paramref name="value"/>.</summary>
    public static QueryFilter Scope(QueryFilter filter, string field, string value) =>
        filter with { Where = Scope(filter.Where, field, value) };

    /// <summary>
    /// The filter of a single-row read, whose <c>fields</c> and <c>include</c> apply (a where is refused).
    /// </summary>
    public static Outcome<QueryFilter> SingleRowFilter(HttpRequest request, EntitySchema schema)
    {
        var filter = Filter(request, schema);
        return filter.Value?.Where is not null
            ? Problem.Invalid(FilterName, "A filter on a read by id may only hold 'fields' and 'include'; 'where' is not allowed here.")
            : filter;
    }

    /// <summary>The fields requested for a single-row read of a collection without relations.</summary>
    public static Outcome<IReadOnlyList<string>?> Fields(HttpRequest request, EntitySchema schema) =>
        SingleRowFilter(request, schema).Select(filter => filter.Fields);

    private static int MaxJsonDepth(HttpRequest request) =>
        request.HttpContext.RequestServices.GetRequiredService<IOptions<LimitsOptions>>().Value.MaxJsonDepth;

    /// <summary>The bracket form of <paramref name="name"/> as JSON, or null when the request does not use it.</summary>
    private static Outcome<JsonElement?> Read(HttpRequest request, string name, EntitySchema schema, bool isWhere)
    {
        var pairs = request.Query
            .Where(p => QueryStringFilter.IsBracketKey(p.Key, name))
            .Select(p => new KeyValuePair<string, IReadOnlyList<string>>(p.Key, p.Value.Select(v => v ?? "").ToArray()))
            .ToArray();
        if (pairs.Length == 0)
        {
            return new Outcome<JsonElement?>(null, null);
        }

        return request.Query.ContainsKey(name)
            ? Problem.Invalid(name, $"The request gives '{name}' both as JSON ({name}=...) and in the bracket form ({pairs[0].Key}=...); use one form.")
            : QueryStringFilter.Build(pairs, name, schema, isWhere);
    }
}
