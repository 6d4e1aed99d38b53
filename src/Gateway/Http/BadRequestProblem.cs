using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace TaskService.Gateway.Http;

/// <summary>A 400 problem answer: the request is wrong; <c>errors</c> names the field.</summary>
public sealed class BadRequestProblem : ProblemAnswer, IEndpointMetadataProvider
{
    public const string Title = "Invalid request";

    public BadRequestProblem(ProblemDetails details)
        : base(details)
    {
    }

    public BadRequestProblem(string detail)
        : base(Details(StatusCodes.Status400BadRequest, Title, detail))
    {
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Describe(builder, StatusCodes.Status400BadRequest);
}
