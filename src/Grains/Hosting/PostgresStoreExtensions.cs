using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using TaskService.Storage;
using TaskService.Storage.Caching;
using TaskService.Storage.Postgres;

namespace TaskService.Hosting;

public static class PostgresStoreExtensions
{
    /// <summary>
    /// Serves the task service's tables from PostgreSQL (schema <c>main</c>, created by the migrations), with the read-mostly rows
    /// every event needs cached in the silo (<see cref="StoreCacheOptions"/>).
    /// </summary>
    public static ISiloBuilder AddPostgresStore(this ISiloBuilder builder, string connectionString)
    {
        builder.Services.AddSingleton(_ => CreateDataSource(connectionString));
        builder.Services.AddSingleton<PostgresTaskServiceStore>();
        builder.Services.AddOptions<StoreCacheOptions>().BindConfiguration(StoreCacheOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.AddGrainService<StoreCacheService>();
        builder.Services.AddSingleton<IStoreCacheBroadcast, StoreCacheBroadcast>();
        builder.Services.AddSingleton<ITaskServiceStore>(services =>
        {
            var options = services.GetRequiredService<IOptions<StoreCacheOptions>>();
            var store = services.GetRequiredService<PostgresTaskServiceStore>();
            return options.Value.Ttl > TimeSpan.Zero
                ? new CachingTaskServiceStore(store, options, services.GetRequiredService<TimeProvider>(), services.GetRequiredService<IStoreCacheBroadcast>())
                : store;
        });
        return builder;
    }

    /// <summary>Statements the store runs often kept prepared per connection, unless the connection string says otherwise.</summary>
    public const int DefaultMaxAutoPrepare = 64;

    /// <summary>
    /// The store's data source. The event path runs the same few statements thousands of times a second; prepared once per
    /// connection, PostgreSQL no longer parses and plans each again. A connection string that sets <c>Max Auto Prepare</c>
    /// (0 turns it off) keeps its own value.
    /// </summary>
    public static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString) { Name = "task-service" };
        // Read as plain key=value pairs: Npgsql's own builder reports every keyword it knows as present.
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        if (!given.Keys.Cast<string>().Any(key => key.Replace(" ", "", StringComparison.Ordinal).Equals("MaxAutoPrepare", StringComparison.OrdinalIgnoreCase)))
        {
            builder.ConnectionStringBuilder.MaxAutoPrepare = DefaultMaxAutoPrepare;
        }

        return builder.Build();
    }
}
