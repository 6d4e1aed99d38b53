using System.Net.Http.Headers;
using TaskService.Gateway.Auth;

namespace TaskService.Testing;

/// <summary>
/// A development token, built up the way a test describes its caller:
/// <c>TestToken.Signed(jwt).For("alice").InGroups("finance").With(Permissions.ViewTask)</c>. Signed with the service's own
/// development token code (<see cref="AuthenticationSetup.CreateToken"/>), so it is what the service accepts.
/// </summary>
public sealed record TestToken
{
    private TestToken(JwtOptions jwt) => Jwt = jwt;

    public JwtOptions Jwt { get; }

    /// <summary>The user the token names (its <c>sub</c>).</summary>
    public string Subject { get; init; } = "developer";

    public IReadOnlyList<string> Permissions { get; init; } = [];

    /// <summary>The <c>groups</c> claim; none when null.</summary>
    public IReadOnlyList<string>? Groups { get; init; }

    public TimeSpan Lifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>A token signed with <paramref name="jwt"/>'s secret and issuer, for the default user, with no permissions.</summary>
    public static TestToken Signed(JwtOptions jwt) => new(jwt);

    public TestToken For(string subject) => this with { Subject = subject };

    /// <summary>The token with exactly these permission codes.</summary>
    public TestToken With(params IEnumerable<string> permissions) => this with { Permissions = [.. permissions] };

    /// <summary>The token with every permission of the task service.</summary>
    public TestToken WithAllPermissions() => With(TaskService.Gateway.Auth.Permissions.All);

    public TestToken InGroups(params IEnumerable<string> groups) => this with { Groups = [.. groups] };

    public TestToken ValidFor(TimeSpan lifetime) => this with { Lifetime = lifetime };

    /// <summary>The signed token text.</summary>
    public string Build() => AuthenticationSetup.CreateToken(Jwt, Permissions, Lifetime, Subject, Groups);

    /// <summary>The <c>Authorization: Bearer ...</c> header value carrying the token.</summary>
    public AuthenticationHeaderValue Header() => new("Bearer", Build());

    /// <summary>Makes <paramref name="client"/> send the token with every request; returns the client.</summary>
    public HttpClient Authorize(HttpClient client)
    {
        client.DefaultRequestHeaders.Authorization = Header();
        return client;
    }

    public override string ToString() => Build();
}
