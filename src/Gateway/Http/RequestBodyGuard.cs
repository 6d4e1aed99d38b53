using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using TaskService.Common;

namespace TaskService.Gateway.Http;

/// <summary>
/// Checks a request's body before anything reads it: at most the route's size limit (413), not compressed (415), JSON when the
/// route reads a body (415), and none at all when the route reads none (400). Runs after routing, so the route's metadata decides.
/// </summary>
public sealed class RequestBodyGuard(RequestDelegate next, IOptions<LimitsOptions> limits)
{
    public Task InvokeAsync(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint is null || !HasBody(context.Request))
        {
            return next(context);
        }

        // The web UI posts forms (a BPMN file among them): the size limit of workflow bodies, and no JSON rule.
        var ui = context.Request.Path.StartsWithSegments("/ui");
        var limit = Limit(limits.Value, endpoint, context.Request.Path);
        if (context.Request.ContentLength > limit)
        {
            return Problem(context, StatusCodes.Status413PayloadTooLarge, "Request body too large",
                $"The request body is {context.Request.ContentLength} bytes; this route takes at most {limit} bytes (TaskService:Limits).");
        }

        var sizeFeature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false })
        {
            sizeFeature.MaxRequestBodySize = limit;
        }
        else
        {
            context.Request.Body = new LimitedRequestStream(context.Request.Body, limit);
        }

        // A compressed body would reach the JSON reader as bytes it cannot read, or be read as something it is not.
        if (Encoded(context.Request) is { } coding)
        {
            context.Response.Headers.AcceptEncoding = "identity";
            return Problem(context, StatusCodes.Status415UnsupportedMediaType, "Unsupported content coding",
                $"The request body is sent with 'Content-Encoding: {Printable(coding)}', which this service does not decode; send it uncompressed, without Content-Encoding.");
        }

        if (ui)
        {
            return next(context);
        }

        // A JSON-reading route reached with another content type is routed to the framework's 415 endpoint, which carries no
        // metadata: so the media type is checked first, and only then whether the route reads a body at all.
        if (!IsJson(context.Request.ContentType))
        {
            return Problem(context, StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                $"The request body must be JSON sent as 'Content-Type: application/json', not '{Printable(context.Request.ContentType)}'.");
        }

        // A JSON body sent with a method the path does not take is routed to the framework's 405 answer (the 415 one is only for
        // other media types), an endpoint that is no route: that answer, with the methods the path takes, says more than a
        // check of a body it never reads.
        if (endpoint is not RouteEndpoint)
        {
            return next(context);
        }

        if (endpoint.Metadata.GetMetadata<IAcceptsMetadata>() is null)
        {
            return RefuseUnreadBodyAsync(context);
        }

        return next(context);
    }

    /// <summary>The request's content coding when it is not the identity (no coding at all); null otherwise.</summary>
    private static string? Encoded(HttpRequest request)
    {
        var listed = request.Headers.GetCommaSeparatedValues(HeaderNames.ContentEncoding);
        return listed.All(coding => coding.Equals("identity", StringComparison.OrdinalIgnoreCase)) ? null : string.Join(", ", listed);
    }

    /// <summary>
    /// A route that reads no body refuses one, since whatever it says would be ignored; an empty JSON object, which many clients
    /// send with every POST, says nothing and passes.
    /// </summary>
    private async Task RefuseUnreadBodyAsync(HttpContext context)
    {
        const int EmptyObjectMaxBytes = 64;
        if (context.Request.ContentLength is > 0 and <= EmptyObjectMaxBytes)
        {
            var buffer = new byte[EmptyObjectMaxBytes];
            var length = 0;
            int read;
            while (length < buffer.Length && (read = await context.Request.Body.ReadAsync(buffer.AsMemory(length), context.RequestAborted)) > 0)
            {
                length += read;
            }

            var text = System.Text.Encoding.UTF8.GetString(buffer, 0, length).Trim();
            if (text.Replace(" ", string.Empty, StringComparison.Ordinal) == "{}")
            {
                await next(context);
                return;
            }
        }

        await Problem(context, StatusCodes.Status400BadRequest, "Unexpected request body",
            $"{context.Request.Method} {context.Request.Path} takes no request body; send none (or an empty JSON object).");
    }

    /// <summary>The body size limit this guard holds the request to, for the exception handler's 413 answer.</summary>
    public static long LimitFor(HttpContext context, Endpoint? endpoint)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Limit(context.RequestServices.GetRequiredService<IOptions<LimitsOptions>>().Value, endpoint, context.Request.Path);
    }

    private static long Limit(LimitsOptions limits, Endpoint? endpoint, PathString path) =>
        endpoint?.Metadata.GetMetadata<LargeRequestBody>() is null && !path.StartsWithSegments("/ui") ? limits.MaxRequestBodyBytes : limits.MaxWorkflowRequestBodyBytes;

    private static bool HasBody(HttpRequest request) =>
        request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);

    private static bool IsJson(string? contentType)
    {
        // The two forms nearly every client sends are known without parsing the header.
        if (string.Equals(contentType, "application/json", StringComparison.OrdinalIgnoreCase)
            || string.Equals(contentType, "application/json; charset=utf-8", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (!Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var media) || media.MediaType.Value is not { } type)
        {
            return false;
        }

        var json = type.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
        var charset = media.Charset.Value;
        return json && (charset is null || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase));
    }

    private static string Printable(string? value) =>
        string.IsNullOrEmpty(value) ? "(none)" : new string([.. value.Take(100).Select(c => char.IsControl(c) || char.IsSurrogate(c) ? '?' : c)]);

    private static Task Problem(HttpContext context, int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail).ExecuteAsync(context);
}
