using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using TaskService.Common;

namespace TaskService.Gateway.Http;

/// <summary>
/// Holds a request's headers to <see cref="LimitsOptions.MaxRequestHeaderCount"/> and <see cref="LimitsOptions.MaxRequestHeadersBytes"/>
/// with a problem document (431) that names the setting. Kestrel's own limits are set above them (<see cref="ApplyTo"/>): Kestrel
/// answers a request it refuses with a bare status and no body, so only requests far past these limits get that answer.
/// </summary>
public sealed class RequestHeadersGuard(RequestDelegate next, IOptions<LimitsOptions> limits)
{
    /// <summary>How many times the service's limits Kestrel's are: between the two, the service answers with a problem document.</summary>
    public const int KestrelHeadroom = 2;

    public Task InvokeAsync(HttpContext context)
    {
        var settings = limits.Value;
        long lines = 0, bytes = 0;
        foreach (var header in context.Request.Headers)
        {
            foreach (var value in header.Value)
            {
                // As a header line: name, ": ", value, CRLF.
                lines++;
                bytes += header.Key.Length + 4 + (value?.Length ?? 0);
            }
        }

        if (lines > settings.MaxRequestHeaderCount)
        {
            return Problem(context, $"The request has {lines} header lines; at most {settings.MaxRequestHeaderCount} are accepted (TaskService:Limits:MaxRequestHeaderCount).");
        }

        if (bytes > settings.MaxRequestHeadersBytes)
        {
            return Problem(context, $"The request's headers are {bytes} bytes; at most {settings.MaxRequestHeadersBytes} are accepted (TaskService:Limits:MaxRequestHeadersBytes).");
        }

        return next(context);
    }

    /// <summary>
    /// Raises Kestrel's limits on request headers and the request line to what the service's limits admit, with room above them
    /// (<see cref="KestrelHeadroom"/>) for this guard to answer in words. The request line carries a <c>filter</c> and a
    /// <c>where</c> of up to <see cref="LimitsOptions.MaxFilterLength"/> characters each, percent-encoded (up to 9 bytes a
    /// character), besides the path and the other parameters: a filter within its limit is never cut off by Kestrel's.
    /// Limits configured higher for Kestrel stay as they are.
    /// </summary>
    public static void ApplyTo(KestrelServerLimits kestrel, LimitsOptions limits)
    {
        static int Clamp(long value) => (int)Math.Min(value, int.MaxValue / 2);

        kestrel.MaxRequestHeaderCount = Math.Max(kestrel.MaxRequestHeaderCount, Clamp((long)KestrelHeadroom * limits.MaxRequestHeaderCount));
        kestrel.MaxRequestHeadersTotalSize = Math.Max(kestrel.MaxRequestHeadersTotalSize, Clamp((long)KestrelHeadroom * limits.MaxRequestHeadersBytes));
        kestrel.MaxRequestLineSize = Math.Max(kestrel.MaxRequestLineSize, Clamp(2L * 9 * limits.MaxFilterLength + 8 * 1024));
        var needed = Math.Max(kestrel.MaxRequestLineSize, kestrel.MaxRequestHeadersTotalSize);
        if (kestrel.MaxRequestBufferSize is { } buffer && buffer < needed)
        {
            kestrel.MaxRequestBufferSize = needed;
        }
    }

    private static Task Problem(HttpContext context, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status431RequestHeaderFieldsTooLarge, title: "Request headers too large", detail: detail)
            .ExecuteAsync(context);
}
