namespace TaskService.Gateway.Ui;

/// <summary>
/// OpenID Connect sign-in for the web UI (<c>TaskService:Ui:Oidc</c>). After the identity provider signs the user in, the UI
/// issues the service's own token from the claims named here, so the API checks the same permission codes as for any caller.
/// </summary>
public sealed class UiOidcOptions
{
    /// <summary>The identity provider, such as <c>https://login.example.com/realms/tasks</c>.</summary>
    public string? Authority { get; set; }

    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    /// <summary>Scopes to ask for besides <c>openid</c>.</summary>
    public IList<string> Scopes { get; set; } = ["profile"];

    /// <summary>The claim whose values are the permission codes (a JSON array or repeated claims).</summary>
    public string PermissionsClaim { get; set; } = "permissions";

    /// <summary>The claim that names the user's groups.</summary>
    public string GroupsClaim { get; set; } = "groups";

    /// <summary>The claim that names the user (recorded as assignee and in the history).</summary>
    public string UserIdClaim { get; set; } = "sub";

    /// <summary>Only for a provider on plain HTTP during trials; production providers use HTTPS.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    public bool Configured => !string.IsNullOrWhiteSpace(Authority) && !string.IsNullOrWhiteSpace(ClientId);
}
