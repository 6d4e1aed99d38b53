using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using TaskService.Gateway.Http;
using TaskService.Queries;

namespace TaskService.Gateway.Apis;

/// <summary>The list and count reads every area serves the same way: parse <c>filter</c> or <c>where</c>, ask the query grain.</summary>
internal static class QueryAnswers
{
    /// <summary>The rows the <c>filter</c> parameter selects, or a 400 naming what is wrong with it.</summary>
    public static async Task<Results<Ok<IReadOnlyList<JsonElement>>, BadRequestProblem>> ListAsync(
        HttpRequest request, IGrainFactory grains, EntityKind kind, EntitySchema schema)
    {
        var filter = QueryParameters.Filter(request, schema);
        return filter.IsOk ? TypedResults.Ok(await grains.GetGrain<IQueryGrain>(0).ListAsync(kind, filter.Value!)) : filter.Problem.ToBadRequest();
    }

    /// <summary>The count of rows the <c>where</c> parameter selects, or a 400 naming what is wrong with it.</summary>
    public static async Task<Results<Ok<CountResult>, BadRequestProblem>> CountAsync(
        HttpRequest request, IGrainFactory grains, EntityKind kind, EntitySchema schema)
    {
        var where = QueryParameters.Where(request, schema);
        return where.IsOk ? TypedResults.Ok(new CountResult(await grains.GetGrain<IQueryGrain>(0).CountAsync(kind, where.Value))) : where.Problem.ToBadRequest();
    }

    /// <summary>One row by id with the filter's <c>fields</c> and <c>include</c>: 404 when there is none, 400 for a bad filter.</summary>
    public static async Task<Results<Ok<JsonElement>, BadRequestProblem, NotFoundProblem>> GetAsync(
        string id, HttpRequest request, IGrainFactory grains, EntityKind kind, EntitySchema schema, string entity)
    {
        var filter = QueryParameters.SingleRowFilter(request, schema);
        if (!filter.IsOk)
        {
            return filter.Problem.ToBadRequest();
        }

        return await grains.GetGrain<IQueryGrain>(0).GetFilteredAsync(kind, id, filter.Value!) is { } row
            ? TypedResults.Ok(row)
            : ProblemAnswers.NotFound(entity, id);
    }
}
