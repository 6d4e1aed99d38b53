using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace TaskService.Gateway.Http;

/// <summary>
/// Writes a health report as JSON: the overall status and, for each check, its status, the reason in words and how long it took.
/// No exception text or stack trace is written; the reason is the check's own description.
/// </summary>
public static class HealthResponseWriter
{
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            status = report.Status.ToString(),
            durationMs = Math.Round(report.TotalDuration.TotalMilliseconds, 1),
            checks = report.Entries.Select(entry => new
            {
                name = entry.Key,
                status = entry.Value.Status.ToString(),
                description = entry.Value.Description ?? (entry.Value.Exception is null ? null : "The check failed; see the service's log."),
                durationMs = Math.Round(entry.Value.Duration.TotalMilliseconds, 1),
            }),
        };
        return JsonSerializer.SerializeAsync(context.Response.Body, body, JsonOptions, context.RequestAborted);
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
}
