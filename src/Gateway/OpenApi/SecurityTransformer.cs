using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace TaskService.Gateway.OpenApi;

/// <summary>
/// The bearer token every route needs (HS256, permission codes in the <c>permissions</c> claim), and the client app's
/// <c>x-api-key</c> / <c>x-api-secret</c> headers the webhook routes need besides.
/// </summary>
internal sealed class SecurityTransformer : IOpenApiDocumentTransformer
{
    private const string Bearer = "Bearer";
    private const string ApiKey = "ApiKey";
    private const string ApiSecret = "ApiSecret";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[Bearer] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "An HS256 JWT whose 'permissions' claim (an array of strings) holds the route's permission code.",
        };
        document.Components.SecuritySchemes[ApiKey] = Header("x-api-key", "The API key of the client app (from POST /client-apps).");
        document.Components.SecuritySchemes[ApiSecret] = Header("x-api-secret", "The API secret of the client app (shown once, by POST /client-apps).");

        foreach (var (path, item) in document.Paths)
        {
            foreach (var (_, operation) in item.Operations ?? [])
            {
                var requirement = new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Bearer, document)] = [] };
                if (UsesClientAppCredentials(path))
                {
                    requirement[new OpenApiSecuritySchemeReference(ApiKey, document)] = [];
                    requirement[new OpenApiSecuritySchemeReference(ApiSecret, document)] = [];
                }

                operation.Security = [requirement];
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>The routes that also need the client app's credentials: the webhook routes and the secret rotation.</summary>
    internal static bool UsesClientAppCredentials(string path) =>
        path.StartsWith("/webhooks", StringComparison.Ordinal) || path.EndsWith("/rotate-secret", StringComparison.Ordinal);

    private static OpenApiSecurityScheme Header(string name, string description) => new()
    {
        Type = SecuritySchemeType.ApiKey,
        In = ParameterLocation.Header,
        Name = name,
        Description = description,
    };
}
