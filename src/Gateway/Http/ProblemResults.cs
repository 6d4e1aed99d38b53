using Microsoft.AspNetCore.Http.HttpResults;

namespace TaskService.Gateway.Http;

/// <summary>Problem answers the endpoints return directly.</summary>
public static class ProblemResults
{
    /// <summary>A 404 written as <c>application/problem+json</c>.</summary>
    public static ProblemHttpResult NotFound(string entity, string id) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Not found",
        detail: $"{char.ToUpperInvariant(entity[0])}{entity[1..]} '{id}' does not exist.");
}
