using Microsoft.AspNetCore.Http.HttpResults;
using TaskService.Gateway.Auth;
using TaskService.Gateway.Http;

namespace TaskService.Gateway.Apis;

/// <summary><c>GET /dev/token</c>: a bearer token with every permission. Mapped only in the Development environment.</summary>
public static class DevelopmentTokenApi
{
    public static IEndpointRouteBuilder MapDevelopmentTokenApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/dev/token", Issue).WithTags("Development").AllowAnonymous().AcceptsQuery("permissions", "hours", "sub", "groups");
        return app;
    }

    /// <summary>
    /// Returns the token as plain text, so <c>TOKEN=$(curl -s .../dev/token)</c> works. <c>sub</c> names the user (default
    /// <c>developer</c>) and <c>groups</c> (comma-separated) fills the groups claim the user-task inbox reads.
    /// </summary>
    public static ContentHttpResult Issue(JwtOptions options, string? permissions, int? hours, string? sub, string? groups)
    {
        var codes = string.IsNullOrWhiteSpace(permissions)
            ? [.. Permissions.All, "1", "2", "3", "4", "5"]
            : permissions.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var token = AuthenticationSetup.CreateToken(options, codes, TimeSpan.FromHours(Math.Clamp(hours ?? 12, 1, 24 * 30)),
            string.IsNullOrWhiteSpace(sub) ? "developer" : sub,
            groups?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return TypedResults.Text(token, "text/plain");
    }
}
