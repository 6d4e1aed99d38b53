using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using TaskService.Gateway.Auth;

namespace TaskService.Camunda.Tests.Hosting;

/// <summary>
/// A single-node TaskService with its defaults, the embedded engine among them, beside the Camunda-configured one: the same
/// requests go to both, so that their outcomes can be compared.
/// </summary>
public sealed class EmbeddedEngineFactory : WebApplicationFactory<TaskService.Silo.Program>
{
    private const string Secret = "embedded-tests-signing-secret-0123456789-abcdefghij";
    private const string Issuer = "task-service-tests";

    private readonly int _siloPort = FreePorts.Next();
    private readonly int _gatewayPort = FreePorts.Next();

    /// <summary>A client whose bearer token carries exactly the given permission codes.</summary>
    public HttpClient CreateClient(params string[] permissions)
    {
        var client = base.CreateClient();
        var token = AuthenticationSetup.CreateToken(new JwtOptions { JwtSecret = Secret, JwtIssuer = Issuer }, permissions, TimeSpan.FromHours(1));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Auth:JwtSecret", Secret);
        builder.UseSetting("Auth:JwtIssuer", Issuer);
        builder.UseSetting("Orleans:Endpoints:SiloPort", _siloPort.ToString());
        builder.UseSetting("Orleans:Endpoints:GatewayPort", _gatewayPort.ToString());
        builder.UseSetting("TaskService:Workflows:Engine", "embedded");
    }
}
