using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace TaskService.Gateway.Auth;

/// <summary>
/// The bearer handler with a short way for a token its <see cref="CachingJsonWebTokenHandler"/> remembers: one lookup by the
/// text in the <c>Authorization</c> header, and the remembered identity, instead of the full pipeline's copy of the token, of
/// the validation parameters and of its events for every request. The short way grants exactly what the full one granted that
/// token: its identity, already normalized, and the ticket's issue and expiry times (neither way saves the token itself in the
/// ticket). Everything else (no header, several, another scheme, a token not remembered or no longer valid, the challenge and
/// the 403) is the full handler's.
/// </summary>
/// <remarks>
/// It logs under the framework handler's category (<c>Microsoft.AspNetCore.Authentication.JwtBearer.JwtBearerHandler</c>), so the
/// level that quiets ASP.NET Core quiets it too: under its own name, every request with a bad token wrote two Information lines,
/// one with the token library's stack trace.
/// </remarks>
public sealed class RememberingJwtBearerHandler(IOptionsMonitor<JwtBearerOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : JwtBearerHandler(options, new FrameworkCategory(logger), encoder)
{
    private const string Prefix = "Bearer ";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (Options.TokenHandlers is [CachingJsonWebTokenHandler remembered]
            && Request.Headers.Authorization is { Count: 1 } values
            && values[0] is { } header
            && header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase)
            && remembered.TryGetRemembered(header.AsSpan(Prefix.Length).Trim(), out var identity, out var token))
        {
            // The ticket's lifetime as the full handler writes it.
            var properties = new AuthenticationProperties
            {
                ExpiresUtc = token.ValidTo == DateTime.MinValue ? null : token.ValidTo,
                IssuedUtc = token.ValidFrom == DateTime.MinValue ? null : token.ValidFrom,
            };
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), properties, Scheme.Name)));
        }

        return base.HandleAuthenticateAsync();
    }

    /// <summary>Creates every logger of the handler under the category of the framework's own bearer handler.</summary>
    private sealed class FrameworkCategory(ILoggerFactory inner) : ILoggerFactory
    {
        private static readonly string Category = typeof(JwtBearerHandler).FullName!;

        public ILogger CreateLogger(string categoryName) => inner.CreateLogger(Category);

        public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

        // The factory is the host's: it is not this wrapper's to dispose.
        public void Dispose()
        {
        }
    }
}
