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
    public static Task NormalizeAsync(TokenValidatedContext context)
    {
        if (context.Principal?.Identity is not ClaimsIdentity identity)
        {
            return Task.CompletedTask;
        }

        // The framework splits an array claim into one claim per item and compares claim types ignoring case; drop them all and
        // add back only what the raw payload holds in the accepted form.
        foreach (var claim in identity.Claims.Where(c => string.Equals(c.Type, Permissions.ClaimType, StringComparison.OrdinalIgnoreCase)).ToList())
        {
            identity.RemoveClaim(claim);
        }

        foreach (var code in Codes(context.SecurityToken))
        {
            identity.AddClaim(new Claim(Permissions.ClaimType, code, ClaimValueTypes.String, identity.Claims.FirstOrDefault()?.Issuer));
        }

        return Task.CompletedTask;
    }

    private static IEnumerable<string> Codes(Microsoft.IdentityModel.Tokens.SecurityToken token)
    {
        if (token is not JsonWebToken jwt || !jwt.TryGetPayloadValue<JsonElement>(Permissions.ClaimType, out var value) ||
            value.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        var codes = new List<string>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                return [];
            }

            codes.Add(item.GetString()!);
        }

        return codes;
    }
}
