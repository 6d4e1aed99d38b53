using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace TaskService.Postgres.Tests;

/// <summary>
/// A silo started in the Production environment with a setting it cannot work with, or on a database it cannot use, stops at
/// once with exit code 1 and one message that names the setting (or the command) that fixes it: no unhandled exception, no
/// stack trace, no abort.
/// </summary>
public sealed class SiloStartFailureTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task ASiloOnADatabaseWithoutTheMigrationsStopsAndSaysToRunMigrate()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync("unmigrated");
        try
        {
            var run = await RunSiloAsync(new() { ["ConnectionStrings__TaskService"] = connectionString });

            AssertStoppedCleanly(run);
            Assert.Contains("migrate", run.Error);
            Assert.Contains("TaskService:Database:MigrateOnStart", run.Error);
            Assert.Contains("not applied", run.Error);
        }
        finally
        {
            await PostgresServer.DropDatabaseAsync(connectionString);
        }
    }

    [Theory]
    [InlineData("TaskService__Webhooks__Timeout", "banana", "TaskService:Webhooks:Timeout", "00:00:10")]
    [InlineData("TaskService__Webhooks__MaxAttempts", "0", "TaskService:Webhooks:MaxAttempts", "between 1 and 1000")]
    [InlineData("Orleans__Endpoints__SiloPort", "99999", "Orleans:Endpoints:SiloPort", "65535")]
    [InlineData("Orleans__Endpoints__GatewayPort", "-1", "Orleans:Endpoints:GatewayPort", "65535")]
    [InlineData("ConnectionStrings__TaskService", "nonsense", "ConnectionStrings:TaskService", "Host=")]
    [InlineData("ConnectionStrings__TaskService", "Host=127.0.0.1;Port=1;Database=none;Username=none;Timeout=3", "ConnectionStrings:TaskService", "127.0.0.1:1")]
    [InlineData("JWT_SECRET", "short", "JWT_SECRET", "32 bytes")]
    public async Task ABadSettingStopsTheStartNamingTheSettingWithoutAStackTrace(string variable, string value, string setting, string fix)
    {
        var run = await RunSiloAsync(new() { [variable] = value });

        AssertStoppedCleanly(run);
        Assert.Contains(setting, run.Error);
        Assert.Contains(fix, run.Error);
    }

    /// <summary>Checked before the silo connects to anything: no database, broker, queue or engine is needed.</summary>
    [Theory]
    [InlineData("TaskService__Workflows__Engine=camunda", "TaskService:Camunda:BaseUrl is required", "http://camunda:8080")]
    [InlineData("TaskService__Workflows__Engine=camunda;TaskService__Camunda__BaseUrl=camunda:8080", "TaskService:Camunda:BaseUrl must be an absolute http or https URL", "http://camunda:8080")]
    [InlineData("TaskService__Workflows__Engine=camunda;TaskService__Camunda__BaseUrl=http://127.0.0.1:5179;TaskService__Camunda__Username=demo", "TaskService:Camunda:Password", "set both")]
    [InlineData("TaskService__Kafka__Outgoing__Enabled=true;TaskService__Kafka__Outgoing__Topic=events", "TaskService:Kafka:BootstrapServers is required", "host:port")]
    [InlineData("TaskService__Kafka__Incoming__Enabled=true;TaskService__Kafka__BootstrapServers=kafka;TaskService__Kafka__Incoming__Topics__0=sow.update", "TaskService:Kafka:BootstrapServers holds 'kafka'", "host:port")]
    [InlineData("TaskService__Kafka__Outgoing__Enabled=true;TaskService__Kafka__BootstrapServers=127.0.0.1:5179;TaskService__Kafka__Outgoing__Topic=task/events", "TaskService:Kafka:Outgoing:Topic", "letters, digits")]
    [InlineData("TaskService__Sqs__Incoming__Enabled=true", "TaskService:Sqs:Incoming:Queues", "queue name or URL")]
    [InlineData("TaskService__Sqs__Outgoing__Enabled=true;TaskService__Sqs__Outgoing__Queue=https://sqs.eu-west-1.amazonaws.com/123456789012", "TaskService:Sqs:Outgoing:Queue", "https://sqs.<region>.amazonaws.com/<account>/<queue>")]
    [InlineData("TaskService__Sqs__Outgoing__Enabled=true;TaskService__Sqs__Outgoing__Queue=events;TaskService__Sqs__Region=Ireland", "TaskService:Sqs:Region", "eu-west-1")]
    public async Task AConnectorEnabledWithAMissingOrMalformedSettingStopsTheStartNamingIt(string settings, string setting, string fix)
    {
        var run = await RunSiloAsync(settings.Split(';').Select(s => s.Split('=', 2)).ToDictionary(s => s[0], s => s[1]));

        AssertStoppedCleanly(run);
        Assert.Contains(setting, run.Error);
        Assert.Contains(fix, run.Error);
        Assert.DoesNotContain("\n   at ", run.Output);
    }

    [Fact]
    public async Task AnHttpPortInUseStopsTheStartNamingTheSettings()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var run = await RunSiloAsync(new() { ["Urls"] = $"http://127.0.0.1:{port}" });

        AssertStoppedCleanly(run);
        Assert.Contains($"127.0.0.1:{port}", run.Error);
        Assert.Contains("Urls", run.Error);
    }

    private static void AssertStoppedCleanly(SiloCommand.Result run)
    {
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.StartsWith("TaskService did not start: ", run.Error.Split('\n').Last(line => line.Trim().Length > 0));
        Assert.DoesNotContain("Unhandled exception", run.Output + run.Error);
        Assert.DoesNotContain("\n   at ", run.Error);
    }

    private static Task<SiloCommand.Result> RunSiloAsync(Dictionary<string, string> settings)
    {
        var ports = FreePorts.Take(3);
        var environment = new Dictionary<string, string?>
        {
            ["ConnectionStrings__TaskService"] = null,
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["JWT_SECRET"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)),
            ["TaskService__Secrets__Key"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Urls"] = $"http://127.0.0.1:{ports[0]}",
            ["Orleans__Endpoints__SiloPort"] = ports[1].ToString(CultureInfo.InvariantCulture),
            ["Orleans__Endpoints__GatewayPort"] = ports[2].ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (name, value) in settings)
        {
            environment[name] = value;
        }

        return SiloCommand.RunAsync([], environment, Deadline);
    }
}
