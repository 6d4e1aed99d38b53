using System.Net;

namespace TaskService.Api.Tests.Hardening;

/// <summary><c>/dev/token</c> exists only in Development and only while the signing secret is the built-in development secret.</summary>
public sealed class DevelopmentTokenTests
{
    [Fact]
    public async Task DevelopmentWithAConfiguredSecretHasNoDevelopmentToken()
    {
        await using var factory = new TaskServiceApiFactory { EnvironmentName = "Development" };

        var response = await factory.CreateAnonymousClient().GetAsync("/dev/token");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task DevelopmentWithTheBuiltInSecretHandsOutTokensSignedWithIt()
    {
        await using var factory = new TaskServiceApiFactory { EnvironmentName = "Development", Overrides = { ["Auth:JwtSecret"] = "" } };

        var response = await factory.CreateAnonymousClient().GetAsync("/dev/token");

        await response.AssertStatusAsync(HttpStatusCode.OK);
        var token = (await response.Content.ReadAsStringAsync()).Trim('"');
        var validated = await new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().ValidateTokenAsync(token, new Microsoft.IdentityModel.Tokens.TokenValidationParameters
        {
            ValidateIssuer = false,
            ValidateAudience = false,
            IssuerSigningKey = new Microsoft.IdentityModel.Tokens.SymmetricSecurityKey(System.Text.Encoding.UTF8.GetBytes(TaskService.Gateway.Auth.JwtOptions.DevelopmentSecret)),
        });
        Assert.True(validated.IsValid, validated.Exception?.Message);
    }

    [Fact]
    public async Task ADevelopmentTokenOutsideItsBoundsIs400NamingTheParameterNotAQuietlyDifferentToken()
    {
        // One service for every case: each started in Development takes the configured port.
        await using var factory = new TaskServiceApiFactory { EnvironmentName = "Development", Overrides = { ["Auth:JwtSecret"] = "" } };
        var client = factory.CreateAnonymousClient();

        foreach (var (query, parameter) in new[] { ("hours=0", "hours"), ("hours=-5", "hours"), ("hours=721", "hours"), ("hours=ten", "hours"), ("sub=%00", "sub") })
        {
            await (await client.GetAsync($"/dev/token?{query}")).AssertBadRequestNamingAsync(parameter);
        }
    }
}
