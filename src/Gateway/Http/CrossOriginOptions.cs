namespace TaskService.Gateway.Http;

/// <summary>
/// Which web origins may call the HTTP API from a browser, bound from <c>TaskService:Cors</c>. None by default: a page on another
/// origin gets no CORS headers and its browser withholds the answers. Listed origins get them, and their preflight
/// (<c>OPTIONS</c>) is answered 204; <c>*</c> alone lets every origin in. No cookies are involved (the API authenticates by
/// bearer token or API key in headers), so credentialed requests are never allowed.
/// </summary>
public sealed class CrossOriginOptions
{
    public const string SectionName = "TaskService:Cors";

    /// <summary>Origins as a browser sends them (<c>https://app.example.com</c>, a port when not the default), or <c>*</c> alone.</summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>How long a browser may keep a preflight's answer.</summary>
    public TimeSpan PreflightMaxAge { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>What is wrong with the settings, in words that name them; null when they hold.</summary>
    public string? Problem()
    {
        if (AllowedOrigins.Contains("*") && AllowedOrigins.Length > 1)
        {
            return $"{SectionName}:AllowedOrigins lists '*' beside other origins; give '*' alone to let every origin in, or the origins without it.";
        }

        foreach (var origin in AllowedOrigins)
        {
            if (origin == "*")
            {
                continue;
            }

            // An origin is exactly a URL's scheme, host and port: no path, not even a trailing slash.
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
                || uri.GetLeftPart(UriPartial.Authority) != origin)
            {
                return $"{SectionName}:AllowedOrigins holds '{origin}', which is not an origin: give the scheme, host and port only, such as https://app.example.com.";
            }
        }

        return PreflightMaxAge < TimeSpan.Zero || PreflightMaxAge > TimeSpan.FromDays(1)
            ? $"{SectionName}:PreflightMaxAge must be from 0 to 1.00:00:00."
            : null;
    }
}
