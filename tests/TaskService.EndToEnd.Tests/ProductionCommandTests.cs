using System.Net;
using System.Security.Cryptography;

namespace TaskService.EndToEnd.Tests;

/// <summary>
/// The README's production commands, run as written against a PostgreSQL database of their own: they run the Production
/// environment, where the development token endpoint does not exist. In the service's collection: its <c>dotnet run</c> builds
/// the silo project, which must not happen while the collection's own <c>dotnet run</c> builds it.
/// </summary>
[Collection(ServiceCollection.Name)]
public sealed class ProductionCommandTests
{
    [Fact]
    public async Task TheReadmeProductionCommandsRunInProductionWithoutTheDevelopmentToken()
    {
        var commands = Readme.ProductionRunCommands();
        Assert.Equal(2, commands.Count);
        Assert.Contains("migrate", commands[0]);

        var environment = await EnvironmentAsync();
        await using (var migrate = ChildProcess.Start("bash", ["-euo", "pipefail", "-c", commands[0]], environment))
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            await migrate.Process.WaitForExitAsync(timeout.Token);
            Assert.True(migrate.Process.ExitCode == 0, $"'{commands[0]}' failed:\n{migrate.Output}");
        }

        await using var silo = ChildProcess.Start("bash", ["-euo", "pipefail", "-c", "exec " + commands[1]], environment);
        var baseUrl = environment["Urls"];
        await silo.WaitUntilReadyAsync($"{baseUrl}/health/ready", TimeSpan.FromMinutes(3));

        // The host logs its environment once it has started, which can be a moment after the first answer.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!silo.Output.Contains("Hosting environment:", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        var output = silo.Output;
        var environmentLine = output.IndexOf("Hosting environment: Production", StringComparison.Ordinal);
        Assert.True(environmentLine >= 0, output);

        // The first lines are the host's own (where it listens, that it started, the environment): nothing at Information before them.
        var informationBefore = output[..environmentLine].Split('\n')
            .Where(line => line.StartsWith("info: ", StringComparison.Ordinal) && !line.StartsWith("info: Microsoft.Hosting.Lifetime[", StringComparison.Ordinal))
            .ToList();
        Assert.True(informationBefore.Count == 0, output);
        using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/dev/token")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/tasks")).StatusCode);
    }

    /// <summary>The variables the README exports, with values for this machine, plus free ports.</summary>
    private static async Task<Dictionary<string, string>> EnvironmentAsync()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync("production");
        var ports = FreePorts.Take(3);
        return new Dictionary<string, string>
        {
            ["ConnectionStrings__TaskService"] = connectionString,
            ["TaskService__Secrets__Key"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["JWT_SECRET"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)),
            ["JWT_ISSUER"] = "production-test",
            ["Urls"] = $"http://127.0.0.1:{ports[0]}",
            ["Orleans__Endpoints__SiloPort"] = ports[1].ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Orleans__Endpoints__GatewayPort"] = ports[2].ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
    }
}
