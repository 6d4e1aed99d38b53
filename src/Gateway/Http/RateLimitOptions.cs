namespace TaskService.Gateway.Http;

/// <summary>
/// Request rate limits of the HTTP API, bound from <c>TaskService:RateLimits</c>: a token bucket per caller (client app by its
/// <c>x-api-key</c>, else the bearer token's subject, else the remote address). Over the limit, a request is answered 429 with
/// <c>Retry-After</c>.
/// </summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "TaskService:RateLimits";

    public bool Enabled { get; set; } = true;

    /// <summary>Requests per second each caller may make on average.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 1_000_000)]
    public int PermitsPerSecond { get; set; } = 1000;

    /// <summary>Requests a caller may make at once above the average (the bucket's size).</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 10_000_000)]
    public int Burst { get; set; } = 2000;
}
