namespace TaskService.Gateway.Auth;

/// <summary>
/// How bearer tokens are checked: HS256 with a shared secret and an issuer, as the original's JWT_SECRET and JWT_ISSUER.
/// Bound from the <c>Auth</c> section; the environment variables JWT_SECRET and JWT_ISSUER override it.
/// </summary>
public sealed class JwtOptions
{
    public const string SectionName = "Auth";

    /// <summary>The secret of the development configuration. The service refuses to run with it outside Development.</summary>
    public const string DevelopmentSecret = "task-service-development-secret-do-not-use-in-production";

    /// <summary>The issuer expected when none is configured.</summary>
    public const string DefaultIssuer = "task-service";

    /// <summary>The HMAC key; at least 32 bytes.</summary>
    public string JwtSecret { get; set; } = string.Empty;

    public string JwtIssuer { get; set; } = DefaultIssuer;

    /// <summary>When set, tokens must carry this audience.</summary>
    public string? JwtAudience { get; set; }
}
