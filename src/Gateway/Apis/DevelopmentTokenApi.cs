using Microsoft.AspNetCore.Http.HttpResults;
using TaskService.Gateway.Auth;
using TaskService.Gateway.Http;

namespace TaskService.Gateway.Apis;

/// <summary><c>GET /dev/token</c>: a bearer token with every permission. Mapped only in the Development environment.</summary>
public static class DevelopmentTokenApi
{
    private const int MinHours = 1;
    private const int MaxHours = 24 * 30;

    public static IEndpointRouteBuilder MapDevelopmentTokenApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/dev/token", Issue).WithTags("Development").AllowAnonymous().AcceptsQuery("permissions", "hours", "sub", "groups");
        return app;
    }

    /// <summary>
    /// Returns the token as plain text, so <c>TOKEN=$(curl -s .../dev/token)</c> works. <c>sub</c> names the user (default
    /// <c>developer</c>) and <c>groups</c> (comma-separated) fills the groups claim the user-task inbox reads.
    /// </summary>
    public static Results<ContentHttpResult, BadRequestProblem> Issue(
        JwtOptions options, RequestFieldChecks check, string? permissions, string? hours, string? sub, string? groups)
    {
        // Read here rather than bound as a number, so that a value of the wrong form is a problem naming it, not an exception.
        int? lifetime = null;
        if (!string.IsNullOrEmpty(hours))
        {
            if (!int.TryParse(hours, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var given))
            {
                return ProblemAnswers.Invalid("hours", $"The parameter 'hours' must be a whole number within range, not '{(hours.Length <= 100 ? hours : hours[..100] + "...")}'.");
            }

            if (given is < MinHours or > MaxHours)
            {
                return ProblemAnswers.Invalid("hours", $"The parameter 'hours' must be from {MinHours} to {MaxHours}, not {given}.");
            }

            lifetime = given;
        }

        if (check.Key(sub, "sub") is { } invalidSubject)
        {
            return invalidSubject.ToBadRequest();
        }

        var codes = string.IsNullOrWhiteSpace(permissions)
            ? [.. Permissions.All, "1", "2", "3", "4", "5"]
            : permissions.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var token = AuthenticationSetup.CreateToken(options, codes, TimeSpan.FromHours(lifetime ?? 12),
            string.IsNullOrWhiteSpace(sub) ? "developer" : sub,
            groups?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return TypedResults.Text(token, "text/plain");
    }
}
