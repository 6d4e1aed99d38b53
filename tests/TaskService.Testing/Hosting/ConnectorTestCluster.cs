using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.TestingHost;
using Orleans.TestingHost.Logging;
using TaskService.Hosting;
using TaskService.Storage;

namespace TaskService.Testing.Hosting;

/// <summary>
/// In-process TaskService silos on the embedded providers plus one connector (Kafka, SQS) added from configuration, the way
/// the silo's provider setup adds it. Every silo gets the given settings and store; each writes its log to a file of its own
/// under the test output's <c>logs</c> folder, quiet but for the connector.
/// </summary>
public static class ConnectorTestCluster
{
    /// <param name="name">Names the log files.</param>
    /// <param name="silos">How many silos.</param>
    /// <param name="settings">The configuration every silo and the connector read.</param>
    /// <param name="store">The task service store of every silo (shared, so that it outlives restarts as a database would).</param>
    /// <param name="connectorLogCategory">The log category logged at Information; everything else logs warnings only.</param>
    /// <param name="addConnector">Adds the connector to a silo, given the settings as configuration.</param>
    public static InProcessTestCluster Build(
        string name,
        int silos,
        IReadOnlyDictionary<string, string?> settings,
        ITaskServiceStore store,
        string connectorLogCategory,
        Action<ISiloBuilder, IConfiguration> addConnector)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var logs = Path.Combine(AppContext.BaseDirectory, "logs");
        Directory.CreateDirectory(logs);
        var builder = new InProcessTestClusterBuilder((short)silos);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSiloHost((options, host) =>
        {
            host.Configuration.AddInMemoryCollection(settings);
            host.Logging.ClearProviders()
                .AddFile(Path.Combine(logs, $"{name}-{options.SiloName}-{DateTime.UtcNow:HHmmss}.log"))
                .SetMinimumLevel(LogLevel.Information)
                .AddFilter("Orleans", LogLevel.Warning)
                .AddFilter("Microsoft", LogLevel.Warning)
                .AddFilter("Polly", LogLevel.Warning)
                .AddFilter("TaskService", LogLevel.Warning)
                .AddFilter(connectorLogCategory, LogLevel.Information);
        });
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddSingleton(store);
            silo.UseEmbeddedProviders().AddTaskService();
            addConnector(silo, configuration);
        });
        builder.ConfigureClientHost(host => host.Logging.ClearProviders());
        return builder.Build();
    }
}
