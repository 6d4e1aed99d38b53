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
        builder.Services.AddKeyedSingleton(GroupCommitSource, (_, _) => CreateDataSource(connectionString, groupCommit: true));
        builder.Services.AddSingleton(services => new PostgresTaskServiceStore(
            services.GetRequiredService<NpgsqlDataSource>(),
            services.GetService<TimeProvider>(),
            services.GetRequiredKeyedService<NpgsqlDataSource>(GroupCommitSource)));
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

    /// <summary>The service key of the data source that group commit (<see cref="PostgresCommandBatcher"/>) runs on.</summary>
    public const string GroupCommitSource = "task-service-group-commit";

    /// <summary>
    /// The store's data source. The event path runs the same few statements thousands of times a second; prepared once per
    /// connection, PostgreSQL no longer parses and plans each again. A connection string that sets <c>Max Auto Prepare</c>
    /// (0 turns it off) keeps its own value.
    /// </summary>
    /// <param name="groupCommit">
    /// The data source of the store's group commit, which runs only the event path's fixed statements (writes, and the reads of
    /// an activation), hundreds of batches a second. Its connections go back to the pool without a reset (seven statements
    /// each time), as the store keeps no session state, and it holds as many connections as group commit runs batches at once.
    /// The queries of the API (filters, pages) run on the other data source.
    /// </param>
    public static NpgsqlDataSource CreateDataSource(string connectionString, bool groupCommit = false)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString) { Name = groupCommit ? GroupCommitSource : "task-service" };
        // Read as plain key=value pairs: Npgsql's own builder reports every keyword it knows as present.
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        if (!Given(given, "MaxAutoPrepare"))
        {
            builder.ConnectionStringBuilder.MaxAutoPrepare = DefaultMaxAutoPrepare;
        }

        if (groupCommit)
        {
            if (!Given(given, "NoResetOnClose"))
            {
                builder.ConnectionStringBuilder.NoResetOnClose = true;
            }

            // As many connections as batches run at once: the pool hands out its idle connections in turn, so connections
            // left over from a burst would spread the same statements over many server processes, each with cold caches.
            if (!Given(given, "MaxPoolSize", "MaximumPoolSize"))
            {
                builder.ConnectionStringBuilder.MaxPoolSize = PostgresTaskServiceStore.GroupCommitConnections;
            }
        }

        return builder.Build();
    }

    /// <summary>Whether the connection string sets a keyword, under any of its names, spaces left out.</summary>
    private static bool Given(System.Data.Common.DbConnectionStringBuilder given, params string[] names) =>
        given.Keys.Cast<string>().Any(key => names.Any(name => key.Replace(" ", "", StringComparison.Ordinal).Equals(name, StringComparison.OrdinalIgnoreCase)));
}
