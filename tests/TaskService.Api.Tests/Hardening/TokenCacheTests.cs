using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TaskService.Gateway.Auth;

namespace TaskService.Api.Tests.Hardening;

/// <summary>A validated bearer token is remembered until it expires; nothing else is accepted on its account.</summary>
public sealed class TokenCacheTests
{
    private const string Issuer = "token-cache-tests";
    private static int s_fullRuns;

    private static int FullRuns => Volatile.Read(ref s_fullRuns);

    private static readonly SymmetricSecurityKey Key = new(Encoding.UTF8.GetBytes("token-cache-tests-secret-of-at-least-32-bytes"));

    [Fact]
    public async Task ARepeatedTokenIsValidatedOnceAndItsRequestsShareOneNormalizedIdentityNoneCanChange()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var handler = new CachingJsonWebTokenHandler(clock) { MapInboundClaims = false };
        var (parameters, checks) = Parameters();
        var token = Token(DateTime.UtcNow.AddMinutes(10), Permissions.ViewTask, Permissions.TriggerEvent);

        var first = await handler.ValidateTokenAsync(token, parameters);
        var second = await handler.ValidateTokenAsync(token, parameters);
        var third = await handler.ValidateTokenAsync(token, parameters);

        Assert.True(first.IsValid);
        Assert.True(second.IsValid);
        Assert.Single(checks);
        Assert.Same(second.ClaimsIdentity, third.ClaimsIdentity);
        Assert.IsType<JsonWebToken>(second.SecurityToken);
        foreach (var identity in new[] { first.ClaimsIdentity, second.ClaimsIdentity })
        {
            Assert.Equal([Permissions.ViewTask, Permissions.TriggerEvent], PermissionCodes(identity));
            Assert.Equal("claims-test", identity.FindFirst("sub")?.Value);
            Assert.Null(identity.FindFirst("SUB"));
            Assert.Equal(first.ClaimsIdentity.Label, identity.Label);
            Assert.NotNull(identity.Label);
        }

        // No request can change what the next one is granted: the shared identity refuses every change of its claims.
        var shared = second.ClaimsIdentity;
        Assert.Throws<InvalidOperationException>(() => shared.AddClaim(new Claim(Permissions.ClaimType, Permissions.DeleteTask)));
        Assert.Throws<InvalidOperationException>(() => shared.AddClaims([new Claim(Permissions.ClaimType, Permissions.DeleteTask)]));
        Assert.Throws<InvalidOperationException>(() => shared.RemoveClaim(shared.FindFirst(Permissions.ClaimType)));
        Assert.False(shared.TryRemoveClaim(shared.FindFirst(Permissions.ClaimType)));

        // The bearer handler's event step leaves it as it is (it is already normalized).
        await PermissionClaims.NormalizeAsync(TokenValidated(shared, second.SecurityToken));

        // A copy can be changed, and that does not reach the shared one either.
        var copy = shared.Clone();
        copy.AddClaim(new Claim(Permissions.ClaimType, Permissions.DeleteTask));
        var fourth = await handler.ValidateTokenAsync(token, parameters);
        Assert.Same(shared, fourth.ClaimsIdentity);
        Assert.Equal([Permissions.ViewTask, Permissions.TriggerEvent], PermissionCodes(fourth.ClaimsIdentity));
        Assert.Single(checks);
    }

    [Fact]
    public async Task AnExpiredEntryIsValidatedAgain()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var handler = new CachingJsonWebTokenHandler(clock) { MapInboundClaims = false };
        var (parameters, checks) = Parameters();
        var token = Token(DateTime.UtcNow.AddMinutes(2), Permissions.ViewTask);

        Assert.True((await handler.ValidateTokenAsync(token, parameters)).IsValid);
        clock.Now += TimeSpan.FromMinutes(3);
        await handler.ValidateTokenAsync(token, parameters);

        Assert.Equal(2, checks.Count);
    }

    [Fact]
    public async Task NoEntryOutlivesTheMaximumAge()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var handler = new CachingJsonWebTokenHandler(clock) { MapInboundClaims = false };
        var (parameters, checks) = Parameters();
        var token = Token(DateTime.UtcNow.AddHours(2), Permissions.ViewTask);

        await handler.ValidateTokenAsync(token, parameters);
        clock.Now += CachingJsonWebTokenHandler.MaxAge + TimeSpan.FromSeconds(1);
        await handler.ValidateTokenAsync(token, parameters);

        Assert.Equal(2, checks.Count);
    }

    [Fact]
    public async Task AnAlteredTokenIsNotAcceptedOnTheOriginalsAccount()
    {
        var handler = new CachingJsonWebTokenHandler(TimeProvider.System) { MapInboundClaims = false };
        var (parameters, _) = Parameters();
        var token = Token(DateTime.UtcNow.AddMinutes(10), Permissions.ViewTask);
        Assert.True((await handler.ValidateTokenAsync(token, parameters)).IsValid);

        var other = Token(DateTime.UtcNow.AddMinutes(10), Permissions.DeleteTask);
        var (parts, otherParts) = (token.Split('.'), other.Split('.'));
        var forged = $"{parts[0]}.{otherParts[1]}.{parts[2]}";
        var result = await handler.ValidateTokenAsync(forged, parameters);

        Assert.False(result.IsValid);
    }

    [Fact]
    public async Task ARefusedTokenIsNotRemembered()
    {
        var handler = new CachingJsonWebTokenHandler(TimeProvider.System) { MapInboundClaims = false };
        var (parameters, checks) = Parameters();
        var expired = Token(DateTime.UtcNow.AddMinutes(-10), Permissions.ViewTask, notBefore: DateTime.UtcNow.AddMinutes(-20));

        Assert.False((await handler.ValidateTokenAsync(expired, parameters)).IsValid);
        Assert.False((await handler.ValidateTokenAsync(expired, parameters)).IsValid);
    }

    [Fact]
    public async Task TheBearerHandlerGrantsARememberedTokenWhatItsValidationGrantedAndNothingAfterItsEntryEnds()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var cache = new CachingJsonWebTokenHandler(clock) { MapInboundClaims = false };
        var (parameters, checks) = Parameters();
        var token = Token(DateTime.UtcNow.AddMinutes(2), Permissions.ViewTask, Permissions.TriggerEvent);

        var first = await AuthenticateAsync(cache, parameters, $"Bearer {token}");
        var fullRuns = FullRuns;
        var second = await AuthenticateAsync(cache, parameters, $"bearer   {token}  ");

        // The remembered token took the short way: the handler's full pipeline (its events) did not run for it.
        Assert.Equal(fullRuns, FullRuns);

        Assert.True(first.Succeeded);
        Assert.True(second.Succeeded);
        Assert.Single(checks);
        Assert.Equal(JwtBearerDefaults.AuthenticationScheme, second.Ticket!.AuthenticationScheme);
        Assert.NotSame(first.Principal!.Identity, second.Principal!.Identity);
        Assert.Same(second.Principal.Identity, (await AuthenticateAsync(cache, parameters, $"Bearer {token}")).Principal!.Identity);
        foreach (var result in new[] { first, second })
        {
            Assert.Equal([Permissions.ViewTask, Permissions.TriggerEvent], PermissionCodes((ClaimsIdentity)result.Principal!.Identity!));
            Assert.Equal("claims-test", result.Principal.FindFirst("sub")?.Value);
        }

        Assert.Equal(first.Properties!.Items.OrderBy(i => i.Key), second.Properties!.Items.OrderBy(i => i.Key));
        Assert.NotNull(second.Properties.ExpiresUtc);
        Assert.False(second.Properties.Items.ContainsKey(".Token.access_token"));

        // Neither a changed token nor one header among several is taken for the remembered one.
        var parts = token.Split('.');
        var forged = $"{parts[0]}.{Token(DateTime.UtcNow.AddMinutes(2), Permissions.DeleteTask).Split('.')[1]}.{parts[2]}";
        Assert.False((await AuthenticateAsync(cache, parameters, $"Bearer {forged}")).Succeeded);
        Assert.False((await AuthenticateAsync(cache, parameters, $"Bearer {token}", $"Bearer {token}")).Succeeded);
        Assert.False((await AuthenticateAsync(cache, parameters, $"Basic {token}")).Succeeded);
        Assert.Single(checks);

        // Once its entry ends, the token goes through full validation again.
        clock.Now += TimeSpan.FromMinutes(3);
        await AuthenticateAsync(cache, parameters, $"Bearer {token}");
        Assert.Equal(2, checks.Count);
    }

    private static async Task<AuthenticateResult> AuthenticateAsync(
        CachingJsonWebTokenHandler cache, TokenValidationParameters parameters, params string[] authorization)
    {
        var options = new JwtBearerOptions
        {
            MapInboundClaims = false,
            SaveToken = false,
            TokenValidationParameters = parameters,
            Events = new JwtBearerEvents { OnMessageReceived = _ => { Interlocked.Increment(ref s_fullRuns); return Task.CompletedTask; } },
        };
        options.TokenHandlers.Clear();
        options.TokenHandlers.Add(cache);
        var handler = new RememberingJwtBearerHandler(new FixedOptions(options), NullLoggerFactory.Instance, UrlEncoder.Default);
        var context = new DefaultHttpContext();
        context.Request.Headers.Authorization = authorization;
        await handler.InitializeAsync(new AuthenticationScheme(JwtBearerDefaults.AuthenticationScheme, null, typeof(RememberingJwtBearerHandler)), context);
        return await handler.AuthenticateAsync();
    }

    private static TokenValidatedContext TokenValidated(ClaimsIdentity identity, SecurityToken token)
    {
        var scheme = new AuthenticationScheme(JwtBearerDefaults.AuthenticationScheme, null, typeof(JwtBearerHandler));
        return new TokenValidatedContext(new DefaultHttpContext(), scheme, new JwtBearerOptions())
        {
            Principal = new ClaimsPrincipal(identity),
            SecurityToken = token,
        };
    }

    private static string[] PermissionCodes(ClaimsIdentity identity) =>
        [.. identity.FindAll(Permissions.ClaimType).Select(c => c.Value)];

    private static (TokenValidationParameters Parameters, List<DateTime?> Checks) Parameters()
    {
        var checks = new List<DateTime?>();
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = Issuer,
            ValidateAudience = false,
            IssuerSigningKey = Key,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ClockSkew = TimeSpan.FromSeconds(30),
            LifetimeValidator = (notBefore, expires, token, p) =>
            {
                checks.Add(expires);
                return expires > DateTime.UtcNow;
            },
        };
        return (parameters, checks);
    }

    private static string Token(DateTime expires, string permission, string? second = null, DateTime? notBefore = null) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            NotBefore = notBefore,
            Expires = expires,
            SigningCredentials = new SigningCredentials(Key, SecurityAlgorithms.HmacSha256),
            Claims = new Dictionary<string, object>
            {
                ["sub"] = "claims-test",
                [Permissions.ClaimType] = second is null ? new[] { permission } : new[] { permission, second },
            },
        });

    private sealed class FixedOptions(JwtBearerOptions options) : IOptionsMonitor<JwtBearerOptions>
    {
        public JwtBearerOptions CurrentValue => options;

        public JwtBearerOptions Get(string? name) => options;

        public IDisposable? OnChange(Action<JwtBearerOptions, string?> listener) => null;
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
