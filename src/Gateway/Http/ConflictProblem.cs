using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace TaskService.Gateway.Http;

/// <summary>A 409 problem answer: the request contradicts the entity's current state.</summary>
public sealed class ConflictProblem : ProblemAnswer, IEndpointMetadataProvider
{
    public const string Title = "Conflict";

    public ConflictProblem(ProblemDetails details)
        : base(details)
    {
    }

    public ConflictProblem(string detail)
        : base(Details(StatusCodes.Status409Conflict, Title, detail))
    {
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Describe(builder, StatusCodes.Status409Conflict);
}
