using Microsoft.Extensions.Options;
using TaskService.Common;
using TaskService.Errors;
using TaskService.Gateway.Http;
using TaskService.Queries;

namespace TaskService.Gateway.Apis;

/// <summary>
/// The rows a bulk PATCH or DELETE changes: every match of its <c>where</c>, at most <c>TaskService:Limits:MaxBulkRows</c>. A
/// larger match is refused as a whole, a 400 naming <c>where</c>, rather than changed in part.
/// </summary>
internal static class BulkMatches
{
    /// <param name="request">The request, whose services hold the limit.</param>
    /// <param name="grains">The grain factory.</param>
    /// <param name="kind">The kind of row changed.</param>
    /// <param name="where">The condition, scoped as the route requires.</param>
    /// <param name="rows">What the rows are, in the refusal ("tasks").</param>
    public static async Task<Outcome<IReadOnlyList<string>>> FindAsync(HttpRequest request, IGrainFactory grains, EntityKind kind, FilterNode? where, string rows)
    {
        var limit = request.HttpContext.RequestServices.GetRequiredService<IOptions<LimitsOptions>>().Value.MaxBulkRows;

        // One row more than the limit tells a match over it from one of exactly its size.
        var ids = await grains.GetGrain<IQueryGrain>(0).FindIdsAsync(kind, where, limit == int.MaxValue ? limit : limit + 1);
        return ids.Count > limit
            ? Problem.Invalid(QueryParameters.WhereName,
                $"The 'where' parameter matches more than {limit} {rows}; narrow it and repeat (TaskService:Limits:MaxBulkRows). Nothing was changed.")
            : Outcome.Of(ids);
    }
}
