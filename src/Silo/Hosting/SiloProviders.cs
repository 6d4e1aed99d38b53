using Orleans.Configuration;
using Orleans.Storage;
using TaskService.Connectors.Kafka;
using TaskService.Connectors.Sqs;
using TaskService.Hosting;
using TaskService.Webhooks;

namespace TaskService.Silo.Hosting;

/// <summary>
/// Chooses the silo's providers from configuration: without a connection string the embedded defaults (localhost clustering,
/// memory storage, streams and reminders, in-memory store); with <c>ConnectionStrings:TaskService</c> PostgreSQL for clustering,
/// grain storage (including the streams' pub-sub store), reminders and the task service store. Either way, Kafka in (the
/// <c>kafka</c> stream provider) and out (an outgoing connector) are added when <c>TaskService:Kafka</c> enables them, and SQS
/// in (receivers) and out when <c>TaskService:Sqs</c> does.
/// </summary>
public static class SiloProviders
{
    public const string ConnectionStringName = "TaskService";
    public const string Invariant = "Npgsql";

    public static ISiloBuilder UseConfiguredProviders(this ISiloBuilder silo, IConfiguration configuration)
    {
        var settings = configuration.GetSection("Orleans").Get<ClusterSettings>() ?? new ClusterSettings();
        settings.Endpoints.Validate();
        var connectionString = configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            silo.UseLocalhostClustering(settings.Endpoints.SiloPort, settings.Endpoints.GatewayPort);
            silo.UseEmbeddedProviders();
            silo.AddTaskServiceKafka(configuration);
            silo.AddTaskServiceSqs(configuration);
            return silo;
        }

        silo.Configure<ClusterOptions>(options =>
        {
            options.ClusterId = settings.ClusterId;
            options.ServiceId = settings.ServiceId;
        });
        silo.ConfigureEndpoints(settings.ResolveAdvertisedAddress(), settings.Endpoints.SiloPort, settings.Endpoints.GatewayPort, listenOnAnyHostAddress: true);
        silo.UseAdoNetClustering(options =>
        {
            options.Invariant = Invariant;
            options.ConnectionString = connectionString;
        });
        foreach (var storage in new[] { "PubSubStore", WebhookSubscriptionGrain.StorageName })
        {
            silo.AddAdoNetGrainStorage(storage, options =>
            {
                options.Invariant = Invariant;
                options.ConnectionString = connectionString;
            });

            // Orleans' own serializer, which round-trips every [GenerateSerializer] type (JsonElement payloads included, through
            // their surrogate); the provider's default JSON serializer would write a JsonElement as its ValueKind alone.
            silo.Services.AddOptions<AdoNetGrainStorageOptions>(storage)
                .Configure<Orleans.Serialization.Serializer>((options, serializer) => options.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer));
        }

        silo.UseAdoNetReminderService(options =>
        {
            options.Invariant = Invariant;
            options.ConnectionString = connectionString;
        });
        silo.AddIncomingEventStreams();
        silo.AddPostgresStore(connectionString);
        silo.AddTaskServiceKafka(configuration);
        silo.AddTaskServiceSqs(configuration);
        return silo;
    }
}
