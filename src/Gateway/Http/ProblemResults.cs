using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace TaskService.Gateway.Http;

/// <summary>Problem answers the endpoints return directly.</summary>
public static class ProblemResults
{
    public static NotFound<ProblemDetails> NotFound(string entity, string id) => TypedResults.NotFound(new ProblemDetails
    {
        Status = StatusCodes.Status404NotFound,
        Title = "Not found",
        Detail = $"{char.ToUpperInvariant(entity[0])}{entity[1..]} '{id}' does not exist.",
    });
}
