namespace TaskService.Gateway.Http;

/// <summary>
/// Answers HEAD wherever GET is answered, as HTTP asks of every general-purpose server (RFC 9110, 9.3.2): the request goes
/// through the pipeline as a GET, with the same authentication, permissions and limits, and the server sends the status and
/// headers without the body. A monitor's <c>HEAD /tasks/count</c> or <c>HEAD /openapi/v1.json</c> then gets GET's answer, not
/// 405 (the health endpoints took any method already).
/// </summary>
public static class HeadRequests
{
    /// <summary>Runs HEAD requests as GET from here on; Kestrel still knows the request as HEAD and sends no body.</summary>
    public static IApplicationBuilder UseHeadAsGet(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (HttpMethods.IsHead(context.Request.Method))
        {
            context.Request.Method = HttpMethods.Get;
        }

        return next(context);
    });
}
