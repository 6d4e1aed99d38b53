namespace TaskService.Gateway.Ui;

/// <summary>The web UI at <c>/ui</c>. Bound from <c>TaskService:Ui</c>.</summary>
public sealed class UiOptions
{
    public const string SectionName = "TaskService:Ui";

    /// <summary>Serve the UI at all (on by default).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Where the UI's server side reaches the HTTP API, such as <c>http://127.0.0.1:8080</c>. Unset: the first address this
    /// process listens on.
    /// </summary>
    public Uri? ApiBaseAddress { get; set; }

    /// <summary>How long a sign-in lasts before the UI asks again.</summary>
    public TimeSpan SignInLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>OpenID Connect sign-in; off unless <see cref="UiOidcOptions.Authority"/> and a client id are set.</summary>
    public UiOidcOptions Oidc { get; set; } = new();
}
