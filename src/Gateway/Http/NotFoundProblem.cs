using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace TaskService.Gateway.Http;

/// <summary>A 404 problem answer: the entity asked for does not exist.</summary>
public sealed class NotFoundProblem : ProblemAnswer, IEndpointMetadataProvider
{
    public const string Title = "Not found";

    public NotFoundProblem(ProblemDetails details)
        : base(details)
    {
    }

    public NotFoundProblem(string detail)
        : base(Details(StatusCodes.Status404NotFound, Title, detail))
    {
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Describe(builder, StatusCodes.Status404NotFound);
}
