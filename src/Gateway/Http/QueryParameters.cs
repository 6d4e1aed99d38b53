using TaskService.Queries;

namespace TaskService.Gateway.Http;

/// <summary>Reads the LoopBack <c>filter</c> and <c>where</c> query parameters; a bad one is a 400 naming the problem.</summary>
public static class QueryParameters
{
    public static QueryFilter Filter(HttpRequest request, EntitySchema schema) =>
        FilterParser.ParseFilter(request.Query["filter"].ToString(), schema);

    public static FilterNode? Where(HttpRequest request, EntitySchema schema) =>
        FilterParser.ParseWhere(request.Query["where"].ToString(), schema);

    /// <summary>Adds <c>field = value</c> to a where clause, for reads scoped to a parent.</summary>
    public static FilterNode Scope(FilterNode? where, string field, string value)
    {
        var scope = new ConditionNode([field], FilterOperator.Eq, Serialization.JsonElementFactory.From(value));
        return where is null ? scope : new AndNode([scope, where]);
    }

    /// <summary>Restricts a parsed filter to rows whose <paramref name="field"/> equals <paramref name="value"/>.</summary>
    public static QueryFilter Scope(QueryFilter filter, string field, string value) =>
        filter with { Where = Scope(filter.Where, field, value) };

    /// <summary>The fields requested for a single-row read (the <c>fields</c> part of <c>filter</c>; a where is refused).</summary>
    public static IReadOnlyList<string>? Fields(HttpRequest request, EntitySchema schema)
    {
        var filter = Filter(request, schema);
        if (filter.Where is not null)
        {
            throw Errors.TaskServiceException.Invalid("filter", "A filter on a read by id may only hold 'fields'; 'where' is not allowed here.");
        }

        return filter.Fields;
    }
}
