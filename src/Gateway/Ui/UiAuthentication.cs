using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using TaskService.Gateway.Auth;

namespace TaskService.Gateway.Ui;

/// <summary>
/// How the web UI knows its user: the service's own bearer token (the one <c>/dev/token</c> issues, or one issued after an
/// OpenID Connect sign-in) kept in an HttpOnly, SameSite=Strict cookie. Pages read it through their own scheme, and the UI
/// passes it on to the API, which checks the permission codes as for any caller.
/// </summary>
public static class UiAuthentication
{
    public const string Scheme = "TaskService.Ui";
    public const string OidcScheme = "TaskService.Ui.Oidc";
    public const string Policy = "TaskService.Ui.SignedIn";
    public const string CookieName = "TaskService.Ui.Token";
    public const string SignInPath = "/ui/signin";

    /// <summary>The development sign-in exists only where <c>/dev/token</c> does: Development with the development secret.</summary>
    public static bool DevelopmentSignInAllowed(IHostEnvironment environment, JwtOptions jwt) =>
        environment.IsDevelopment() && jwt.JwtSecret == JwtOptions.DevelopmentSecret;

    public static void AddUiAuthentication(this IServiceCollection services, UiOptions ui, IConfiguration configuration)
    {
        var authentication = services.AddAuthentication();
        authentication.AddJwtBearer(Scheme, jwt =>
        {
            jwt.MapInboundClaims = false;
            jwt.Events = new JwtBearerEvents
            {
                OnMessageReceived = context =>
                {
                    context.Token = context.Request.Cookies[CookieName];
                    return Task.CompletedTask;
                },
                OnTokenValidated = PermissionClaims.NormalizeAsync,
                OnChallenge = context =>
                {
                    // A page asked for a signed-in user: go to the sign-in page and come back.
                    context.HandleResponse();
                    var back = context.Request.PathBase + context.Request.Path + context.Request.QueryString;
                    context.Response.Redirect($"{SignInPath}?returnUrl={Uri.EscapeDataString(back)}");
                    return Task.CompletedTask;
                },
            };
        });
        services.AddOptions<JwtBearerOptions>(Scheme).Configure<JwtOptions>((jwt, options) =>
            jwt.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = options.JwtIssuer,
                ValidAudience = options.JwtAudience,
                ValidateAudience = !string.IsNullOrEmpty(options.JwtAudience),
                IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(options.JwtSecret)),
                ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                ClockSkew = TimeSpan.FromSeconds(30),
            });

        services.AddAuthorizationBuilder().AddPolicy(Policy, policy => policy.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser());

        if (ui.Oidc.Configured)
        {
            AddOidc(authentication, ui);
        }
    }

    /// <summary>Keeps the token in the UI's cookie: HttpOnly, SameSite=Strict, Secure over HTTPS, for <c>/ui</c> only.</summary>
    public static void WriteTokenCookie(HttpContext context, string token, TimeSpan lifetime) =>
        context.Response.Cookies.Append(CookieName, token, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = "/ui",
            MaxAge = lifetime,
            IsEssential = true,
        });

    public static void DeleteTokenCookie(HttpContext context) =>
        context.Response.Cookies.Delete(CookieName, new CookieOptions { Path = "/ui", Secure = context.Request.IsHttps, SameSite = SameSiteMode.Strict, HttpOnly = true });

    /// <summary>A local return address only (an absolute URL elsewhere would make the sign-in an open redirect).</summary>
    public static string LocalReturnUrl(string? returnUrl) =>
        returnUrl is { Length: > 1 } url && url.StartsWith("/ui", StringComparison.Ordinal) && !url.StartsWith("//", StringComparison.Ordinal) && !url.Contains('\\')
            ? url
            : "/ui";

    private static void AddOidc(AuthenticationBuilder authentication, UiOptions ui)
    {
        var settings = ui.Oidc;
        authentication.AddOpenIdConnect(OidcScheme, oidc =>
        {
            oidc.Authority = settings.Authority;
            oidc.ClientId = settings.ClientId;
            oidc.ClientSecret = settings.ClientSecret;
            oidc.ResponseType = "code";
            oidc.UsePkce = true;
            oidc.MapInboundClaims = false;
            oidc.CallbackPath = "/ui/signin-oidc";
            oidc.SignedOutCallbackPath = "/ui/signout-oidc";
            oidc.RequireHttpsMetadata = settings.RequireHttpsMetadata;
            oidc.GetClaimsFromUserInfoEndpoint = true;
            oidc.SignInScheme = Scheme;
            oidc.Scope.Clear();
            oidc.Scope.Add("openid");
            foreach (var scope in settings.Scopes)
            {
                oidc.Scope.Add(scope);
            }

            oidc.Events = new OpenIdConnectEvents
            {
                // The provider vouched for the user: issue the service's own token from the mapped claims, keep it in the UI's
                // cookie and continue at the page the user asked for. The identity provider's tokens are not kept.
                OnUserInformationReceived = context => SignInFromOidcAsync(context.HttpContext, context.Principal, context.Properties, settings, ui, context.HandleResponse),
                OnTokenValidated = context => !context.Options.GetClaimsFromUserInfoEndpoint
                    ? SignInFromOidcAsync(context.HttpContext, context.Principal, context.Properties, settings, ui, context.HandleResponse)
                    : Task.CompletedTask,
                OnRemoteFailure = context =>
                {
                    context.HandleResponse();
                    context.Response.Redirect($"{SignInPath}?failed=1");
                    return Task.CompletedTask;
                },
            };
        });
    }

    private static async Task SignInFromOidcAsync(
        HttpContext context, ClaimsPrincipal? principal, AuthenticationProperties? properties, UiOidcOptions settings, UiOptions ui, Action handled)
    {
        var user = principal ?? new ClaimsPrincipal();
        var userId = user.FindFirst(settings.UserIdClaim)?.Value ?? user.FindFirst("sub")?.Value ?? "unknown";
        var permissions = user.FindAll(settings.PermissionsClaim).Select(c => c.Value).Distinct(StringComparer.Ordinal).ToArray();
        var groups = user.FindAll(settings.GroupsClaim).Select(c => c.Value).Distinct(StringComparer.Ordinal).ToArray();
        var jwt = context.RequestServices.GetRequiredService<JwtOptions>();
        WriteTokenCookie(context, AuthenticationSetup.CreateToken(jwt, permissions, ui.SignInLifetime, userId, groups), ui.SignInLifetime);
        handled();

        // The provider's redirect came from another site, so a SameSite=Strict cookie is not sent on a redirect from here; a
        // page of our own that moves on (same-site) is.
        var target = System.Net.WebUtility.HtmlEncode(LocalReturnUrl(properties?.RedirectUri));
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync(
            $"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"0;url={target}\"><title>Signed in</title></head>" +
            $"<body><p>Signed in. <a href=\"{target}\">Continue</a></p></body></html>");
    }

    /// <summary>The permission codes of a signed-in user, for showing what a sign-in carries.</summary>
    public static IReadOnlyList<string> PermissionCodes(this ClaimsPrincipal user) =>
        user.FindAll(Permissions.ClaimType).Select(c => c.Value).ToArray();
}
