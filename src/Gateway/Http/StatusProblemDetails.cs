namespace TaskService.Gateway.Http;

/// <summary>
/// Says what is wrong in the problems the framework writes for a status alone, which carry a title and no detail: a request
/// without a valid token or without the permission (whose codes a 403 also lists in <see cref="PermissionsMember"/>), a body
/// that passes its limit while it is read (a chunked one, whose size no header gave), a method the path does not take, a path
/// no route matches. A problem that already has a detail keeps it. A 429 or 431 also gets the type that links its status's
/// definition, as the framework gives the others.
/// </summary>
public static class StatusProblemDetails
{
    /// <summary>The member of a 403 that holds the permission codes the route needs, as its detail words them.</summary>
    public const string PermissionsMember = "permissions";

    public static void Describe(ProblemDetailsContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        // The framework links a type for the statuses of RFC 9110 only; these two are RFC 6585's.
        context.ProblemDetails.Type ??= context.ProblemDetails.Status switch
        {
            StatusCodes.Status429TooManyRequests => "https://tools.ietf.org/html/rfc6585#section-4",
            StatusCodes.Status431RequestHeaderFieldsTooLarge => "https://tools.ietf.org/html/rfc6585#section-5",
            _ => null,
        };

        if (context.ProblemDetails.Detail is not null)
        {
            return;
        }

        var http = context.HttpContext;

        // HEAD is answered wherever GET is (HeadRequests), so a path that takes GET takes HEAD too.
        if (context.ProblemDetails.Status == StatusCodes.Status405MethodNotAllowed && !http.Response.HasStarted)
        {
            var methods = http.Response.Headers.GetCommaSeparatedValues(Microsoft.Net.Http.Headers.HeaderNames.Allow);
            if (methods.Contains(HttpMethods.Get) && !methods.Contains(HttpMethods.Head))
            {
                http.Response.Headers.Allow = string.Join(", ", methods.Append(HttpMethods.Head));
            }
        }

        var needed = context.ProblemDetails.Status == StatusCodes.Status403Forbidden ? Needed(Endpoint(http)) : null;
        if (needed is not null)
        {
            context.ProblemDetails.Extensions[PermissionsMember] = needed;
        }

        context.ProblemDetails.Detail = context.ProblemDetails.Status switch
        {
            StatusCodes.Status401Unauthorized =>
                "This route needs a valid bearer token: send 'Authorization: Bearer <token>' with a token that has not expired.",
            StatusCodes.Status403Forbidden when needed is not null =>
                $"The bearer token's '{Auth.Permissions.ClaimType}' claim lacks what this route needs: {needed}.",
            StatusCodes.Status413PayloadTooLarge =>
                $"The request body is larger than the limit of {RequestBodyGuard.LimitFor(http, Endpoint(http))} bytes (TaskService:Limits).",
            StatusCodes.Status405MethodNotAllowed when http.Response.Headers.Allow is { Count: > 0 } allow =>
                $"This path does not take the request's method; it takes {string.Join(", ", allow.ToArray())}.",
            StatusCodes.Status404NotFound when Endpoint(http) is null =>
                "No route matches this path; the routes are listed in the OpenAPI document at /openapi/v1.json.",
            _ => null,
        };
    }

    /// <summary>The permission codes the route's policies ask for, in words ("16003", or "one of 16016, 16017").</summary>
    private static string? Needed(Endpoint? endpoint)
    {
        var policies = endpoint?.Metadata.GetOrderedMetadata<Microsoft.AspNetCore.Authorization.IAuthorizeData>()
            .Select(data => data.Policy).OfType<string>().Distinct().ToList();
        if (policies is null or { Count: 0 })
        {
            return null;
        }

        // A permission code names its policy; a workflow policy takes any of its codes.
        return string.Join(" and ", policies.Select(policy => Auth.Permissions.Workflow.Accepted.TryGetValue(policy, out var accepted)
            ? $"one of {string.Join(", ", accepted)}"
            : policy));
    }

    private static Endpoint? Endpoint(HttpContext context) => TaskServiceExceptionHandler.Endpoint(context);
}
