using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace TaskService.Gateway.Http;

/// <summary>A 403 problem answer: the caller may not do this to this entity.</summary>
public sealed class ForbiddenProblem : ProblemAnswer, IEndpointMetadataProvider
{
    public const string Title = "Forbidden";

    public ForbiddenProblem(ProblemDetails details)
        : base(details)
    {
    }

    public ForbiddenProblem(string detail)
        : base(Details(StatusCodes.Status403Forbidden, Title, detail))
    {
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Describe(builder, StatusCodes.Status403Forbidden);
}
