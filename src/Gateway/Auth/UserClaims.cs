using System.Security.Claims;

namespace TaskService.Gateway.Auth;

/// <summary>Who the caller is, as the audit fields record it: the <c>sub</c> claim of the bearer token.</summary>
public static class UserClaims
{
    public const string SubjectClaim = "sub";

    /// <summary>The token's <c>sub</c>, or null when the request carries no signed-in user.</summary>
    public static string? UserId(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.Identity?.IsAuthenticated == true ? user.FindFirst(SubjectClaim)?.Value : null;
    }

    /// <summary>The groups the token's <paramref name="claim"/> names (an array claim arrives as one claim per item), distinct.</summary>
    public static IReadOnlyList<string> Groups(this ClaimsPrincipal user, string claim)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.Identity?.IsAuthenticated == true
            ? user.FindAll(claim).Select(c => c.Value).Where(g => g.Length > 0).Distinct(StringComparer.Ordinal).ToArray()
            : [];
    }
}
