using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;

namespace TaskService.Gateway.Auth;

/// <summary>
/// Reads the permission codes of a validated token exactly as the original's tokens carry them: a claim named
/// <c>permissions</c> (case-sensitive) holding a JSON array of strings. Any other form (a single string, a number, an array of
/// numbers, <c>Permissions</c>) grants nothing, so a token minted for another system cannot be read as more than it says.
/// </summary>
public static class PermissionClaims
{
    /// <summary>Marks an identity <see cref="Normalize"/> has already rewritten (copies keep the mark).</summary>
    internal const string NormalizedLabel = "task-service:permissions-normalized";

    public static Task NormalizeAsync(TokenValidatedContext context)
    {
        if (context.Principal?.Identity is ClaimsIdentity identity && identity.Label != NormalizedLabel)
        {
            Normalize(identity, context.SecurityToken);
        }

        return Task.CompletedTask;
    }

    /// <summary>Rewrites the permission claims of <paramref name="identity"/> from the raw payload of <paramref name="token"/>.</summary>
    public static void Normalize(ClaimsIdentity identity, Microsoft.IdentityModel.Tokens.SecurityToken? token)
    {
        // The framework splits an array claim into one claim per item and compares claim types ignoring case; drop them all and
        // add back only what the raw payload holds in the accepted form. One pass to find them; the new claims name this identity
        // as their subject, so adding them does not copy them again.
        string? issuer = null;
        List<Claim>? split = null;
        foreach (var claim in identity.Claims)
        {
            if (string.Equals(claim.Type, Permissions.ClaimType, StringComparison.OrdinalIgnoreCase))
            {
                (split ??= []).Add(claim);
            }
            else
            {
                issuer ??= claim.Issuer;
            }
        }

        if (split is not null)
        {
            foreach (var claim in split)
            {
                identity.RemoveClaim(claim);
            }
        }

        if (token is JsonWebToken jwt && jwt.TryGetPayloadValue<JsonElement>(Permissions.ClaimType, out var value) &&
            value.ValueKind == JsonValueKind.Array && AllStrings(value))
        {
            foreach (var item in value.EnumerateArray())
            {
                identity.AddClaim(new Claim(Permissions.ClaimType, item.GetString()!, ClaimValueTypes.String, issuer, issuer, identity));
            }
        }

        identity.Label = NormalizedLabel;
    }

    private static bool AllStrings(JsonElement array)
    {
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                return false;
            }
        }

        return true;
    }
}
