using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace TaskService.Gateway.Http;

/// <summary>ASP.NET Core's rate limiter, partitioned per caller; see <see cref="RateLimitOptions"/>.</summary>
public static class RateLimitingSetup
{
    public static IServiceCollection AddTaskServiceRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(RateLimitOptions.SectionName).Get<RateLimitOptions>() ?? new RateLimitOptions();
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = RejectAsync;
            if (!options.Enabled)
            {
                return;
            }

            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                RateLimitPartition.GetTokenBucketLimiter(Caller(context), _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = options.Burst,
                    TokensPerPeriod = options.PermitsPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }));
        });
        return services;
    }

    /// <summary>
    /// Who is asking: a signed-in caller by the token's subject (and client app, on the routes that name one); anyone else by the
    /// remote address, so that headers an anonymous caller makes up cannot open new buckets.
    /// </summary>
    private static string Caller(HttpContext context)
    {
        if (context.User.Identity?.IsAuthenticated == true && context.User.FindFirst("sub")?.Value is { } subject)
        {
            return context.Request.Headers[ApiKeyAuthentication.ApiKeyHeader].ToString() is { Length: > 0 and <= 200 } apiKey
                ? $"sub:{subject}|app:{apiKey}"
                : "sub:" + subject;
        }

        return "ip:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
    }

    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
        rejected.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        await TypedResults.Problem(
            statusCode: StatusCodes.Status429TooManyRequests,
            title: "Too many requests",
            detail: $"This caller has made more requests than TaskService:RateLimits allows; retry after {retryAfter} s.").ExecuteAsync(rejected.HttpContext);
    }
}
