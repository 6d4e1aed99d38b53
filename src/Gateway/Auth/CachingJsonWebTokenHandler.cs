using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace TaskService.Gateway.Auth;

/// <summary>
/// Validates bearer tokens as <see cref="JsonWebTokenHandler"/> does and remembers each valid one, with its identity already
/// normalized (<see cref="PermissionClaims"/>), until it expires. A client sends the same token with every request, and
/// parsing it, checking its signature and turning its payload into claims was the largest cost of a trigger after the work
/// itself. Only tokens that passed full validation are remembered, under their exact text (signature included), and only
/// until their <c>exp</c> (without the clock skew the full check allows) or <see cref="MaxAge"/>, whichever comes first;
/// after that they are validated again. The remembered identity is a <see cref="SharedClaimsIdentity"/>: every request with that
/// token gets the same instance, whose claims cannot be added or removed, and which is already marked normalized, so
/// <see cref="PermissionClaims.NormalizeAsync"/> leaves it as it is. The validation parameters are fixed
/// at start, so a remembered answer is the answer validation would give; at most <see cref="Capacity"/> tokens are kept.
/// </summary>
public sealed class CachingJsonWebTokenHandler(TimeProvider time) : JsonWebTokenHandler
{
    public const int Capacity = 1024;

    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, Validated> _validated = new(StringComparer.Ordinal);

    /// <summary>
    /// The identity of <paramref name="token"/> (its exact text) when it passed full validation and is still remembered, without
    /// copying the token out of the header it came in: a request with a remembered token is authenticated by this lookup alone.
    /// <paramref name="validated"/> is the token as its validation read it.
    /// </summary>
    public bool TryGetRemembered(ReadOnlySpan<char> token, [NotNullWhen(true)] out ClaimsIdentity? identity, [NotNullWhen(true)] out SecurityToken? validated)
    {
        if (_validated.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(token, out var known) && time.GetUtcNow() < known.Until)
        {
            identity = known.Identity;
            validated = known.Token;
            return true;
        }

        identity = null;
        validated = null;
        return false;
    }

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        var now = time.GetUtcNow();
        if (token is not null && _validated.TryGetValue(token, out var known))
        {
            if (now < known.Until)
            {
                return known.Result();
            }

            _validated.TryRemove(KeyValuePair.Create(token, known));
        }

        var result = await base.ValidateTokenAsync(token, validationParameters);
        if (token is null || !result.IsValid || result.SecurityToken is not JsonWebToken jwt || result.ClaimsIdentity is not { } identity)
        {
            return result;
        }

        PermissionClaims.Normalize(identity, jwt);
        var until = new DateTimeOffset(DateTime.SpecifyKind(jwt.ValidTo, DateTimeKind.Utc));
        if (until > now + MaxAge)
        {
            until = now + MaxAge;
        }

        if (until > now)
        {
            if (_validated.Count >= Capacity)
            {
                // Bounded: many distinct valid tokens at once start the cache afresh rather than grow it.
                _validated.Clear();
            }

            _validated[token] = new Validated(jwt, new SharedClaimsIdentity(identity), result.Issuer, result.TokenType, until);
        }

        return result;
    }

    private sealed record Validated(JsonWebToken Token, ClaimsIdentity Identity, string Issuer, string TokenType, DateTimeOffset Until)
    {
        public TokenValidationResult Result() => new()
        {
            IsValid = true,
            SecurityToken = Token,
            ClaimsIdentity = Identity,
            Issuer = Issuer,
            TokenType = TokenType,
        };
    }
}
