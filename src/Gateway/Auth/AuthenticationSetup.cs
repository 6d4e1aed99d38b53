using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace TaskService.Gateway.Auth;

/// <summary>Bearer-token authentication and one authorization policy per permission code.</summary>
public static class AuthenticationSetup
{
    public static IServiceCollection AddTaskServiceAuth(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var options = ReadJwtOptions(configuration);
        if (string.IsNullOrEmpty(options.JwtSecret) && environment.IsDevelopment())
        {
            options.JwtSecret = JwtOptions.DevelopmentSecret;
        }

        if (options.JwtSecret == JwtOptions.DevelopmentSecret && !environment.IsDevelopment())
        {
            throw new InvalidOperationException(
                $"Auth:JwtSecret is the development secret, but the environment is '{environment.EnvironmentName}'. " +
                "Set JWT_SECRET (or Auth:JwtSecret) to a secret of your own of at least 32 bytes.");
        }

        if (string.IsNullOrEmpty(options.JwtSecret) || Encoding.UTF8.GetByteCount(options.JwtSecret) < 32)
        {
            throw new InvalidOperationException("Auth:JwtSecret (or JWT_SECRET) must be set to a secret of at least 32 bytes.");
        }

        if (string.IsNullOrEmpty(options.JwtIssuer))
        {
            throw new InvalidOperationException("Auth:JwtIssuer (or JWT_ISSUER) must be set to the issuer your tokens carry.");
        }

        services.AddSingleton(options);

        // The bearer scheme as AddJwtBearer sets it up, with a handler that takes a remembered token's short way (see it).
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<JwtBearerOptions>, JwtBearerPostConfigureOptions>());
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddScheme<JwtBearerOptions, RememberingJwtBearerHandler>(JwtBearerDefaults.AuthenticationScheme, jwt =>
            {
                jwt.MapInboundClaims = false;

                // Nothing reads the token back from the ticket; saving it cost every request a copy.
                jwt.SaveToken = false;

                // Each token is validated in full once and then remembered until it expires (see the handler).
                jwt.TokenHandlers.Clear();
                jwt.TokenHandlers.Add(new CachingJsonWebTokenHandler(TimeProvider.System) { MapInboundClaims = false });
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = options.JwtIssuer,
                    ValidateIssuer = true,
                    ValidAudience = options.JwtAudience,
                    ValidateAudience = !string.IsNullOrEmpty(options.JwtAudience),
                    IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(options.JwtSecret)),
                    ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                    ValidateLifetime = true,
                    ClockSkew = TimeSpan.FromSeconds(30),
                };
                jwt.Events = new JwtBearerEvents { OnTokenValidated = PermissionClaims.NormalizeAsync };
            });

        var authorization = services.AddAuthorizationBuilder();
        foreach (var code in Permissions.All)
        {
            authorization.AddPolicy(code, policy => policy.RequireAuthenticatedUser().RequireClaim(Permissions.ClaimType, code));
        }

        authorization.AddPolicy(Permissions.ViewDashboard, policy => policy.RequireAuthenticatedUser().RequireClaim(Permissions.ClaimType, Permissions.ViewDashboard));
        foreach (var (policy, accepted) in Permissions.Workflow.Accepted)
        {
            authorization.AddPolicy(policy, p => p.RequireAuthenticatedUser().RequireClaim(Permissions.ClaimType, accepted));
        }

        return services;
    }

    /// <summary>
    /// Issues a token for the configured secret and issuer, with the permission codes as a JSON array of strings (the form
    /// <see cref="PermissionClaims"/> accepts, even for one code); used by the development token endpoint and tests.
    /// </summary>
    public static string CreateToken(
        JwtOptions options, IEnumerable<string> permissions, TimeSpan lifetime, string subject = "developer", IEnumerable<string>? groups = null)
    {
        var now = DateTime.UtcNow;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = options.JwtIssuer,
            Audience = options.JwtAudience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(options.JwtSecret)), SecurityAlgorithms.HmacSha256),
            Claims = new Dictionary<string, object>
            {
                ["sub"] = subject,
                [Permissions.ClaimType] = permissions.ToArray(),
            },
        };
        if (groups is not null)
        {
            descriptor.Claims[new InboxOptions().GroupsClaim] = groups.ToArray();
        }

        return new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().CreateToken(descriptor);
    }

    private static JwtOptions ReadJwtOptions(IConfiguration configuration)
    {
        var options = configuration.GetSection(JwtOptions.SectionName).Get<JwtOptions>() ?? new JwtOptions();
        options.JwtSecret = configuration["JWT_SECRET"] is { Length: > 0 } secret ? secret : options.JwtSecret;
        options.JwtIssuer = configuration["JWT_ISSUER"] is { Length: > 0 } issuer ? issuer
            : options.JwtIssuer is { Length: > 0 } configured ? configured
            : JwtOptions.DefaultIssuer;
        return options;
    }
}
