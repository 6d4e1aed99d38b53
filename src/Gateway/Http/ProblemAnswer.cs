using Microsoft.AspNetCore.Mvc;

namespace TaskService.Gateway.Http;

/// <summary>
/// An RFC 7807 answer of one status, written through the problem details service as <c>application/problem+json</c>. Each status
/// has its own sealed type, so a handler's <c>Results&lt;...&gt;</c> tells the OpenAPI document which problems a route answers.
/// </summary>
public abstract class ProblemAnswer : IResult, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<ProblemDetails>, IContentTypeHttpResult
{
    public const string MediaType = "application/problem+json";

    private protected ProblemAnswer(ProblemDetails details) => Value = details;

    public ProblemDetails Value { get; }

    object? IValueHttpResult.Value => Value;

    public int StatusCode => Value.Status ?? StatusCodes.Status400BadRequest;

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    public string ContentType => MediaType;

    public Task ExecuteAsync(HttpContext httpContext) => TypedResults.Problem(Value).ExecuteAsync(httpContext);

    private protected static void Describe(EndpointBuilder builder, int status)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(status, typeof(ProblemDetails), [MediaType]));
    }

    private protected static ProblemDetails Details(int status, string title, string detail) =>
        new() { Status = status, Title = title, Detail = detail };
}
