using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TaskService.Gateway.Auth;

namespace TaskService.Api.Tests.Hardening;

/// <summary>The permission codes count only as the original's tokens carry them: <c>permissions</c>, an array of strings.</summary>
[Collection(ApiCollection.Name)]
public sealed class PermissionClaimTests(TaskServiceApiFactory factory)
{
    public static TheoryData<string, object> RefusedForms => new()
    {
        { "permissions", Permissions.ViewTask },
        { "permissions", 16003 },
        { "permissions", new[] { 16003 } },
        { "permissions", new object[] { Permissions.ViewTask, 16003 } },
        { "permissions", new Dictionary<string, object> { ["code"] = Permissions.ViewTask } },
        { "Permissions", new[] { Permissions.ViewTask } },
        { "PERMISSIONS", new[] { Permissions.ViewTask } },
        { "permission", new[] { Permissions.ViewTask } },
    };

    [Theory]
    [MemberData(nameof(RefusedForms))]
    public async Task AnyOtherFormOfThePermissionsClaimGrantsNothing(string claim, object value)
    {
        var response = await ClientWith(claim, value).GetAsync("/tasks/count");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task AnArrayOfStringsGrantsItsCodesEvenWithOneCode()
    {
        var response = await ClientWith("permissions", new[] { Permissions.ViewTask }).GetAsync("/tasks/count");
        await response.AssertStatusAsync(HttpStatusCode.OK);

        response = await ClientWith("permissions", new[] { Permissions.ViewEvent }).GetAsync("/tasks/count");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    private HttpClient ClientWith(string claim, object value)
    {
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = TaskServiceApiFactory.Issuer,
            Expires = DateTime.UtcNow.AddMinutes(5),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(TaskServiceApiFactory.Secret)), SecurityAlgorithms.HmacSha256),
            Claims = new Dictionary<string, object> { ["sub"] = "claims-test", [claim] = value },
        };
        var client = factory.CreateAnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", new JsonWebTokenHandler().CreateToken(descriptor));
        return client;
    }
}
