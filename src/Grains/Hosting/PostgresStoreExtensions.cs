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
    /// an activation). Its sessions plan each prepared statement once, for all values (<c>plan_cache_mode</c>
    /// <c>force_generic_plan</c>): left to choose, PostgreSQL plans the statements that take arrays anew on every execution, as
    /// it cannot tell their row counts without the values, and planning the statement that creates a task with its outgoing
    /// event cost more than running it. Its connections go back to the pool without a reset, as the store keeps no session
    /// state. The queries of the API (filters, pages) run on the other data source, where each plan suits its values.
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
            var options = builder.ConnectionStringBuilder.Options;
            builder.ConnectionStringBuilder.Options = string.IsNullOrWhiteSpace(options)
                ? GenericPlansOption
                : $"{options} {GenericPlansOption}";
            if (!Given(given, "NoResetOnClose"))
            {
                builder.ConnectionStringBuilder.NoResetOnClose = true;
            }
        }

        return builder.Build();
    }

    /// <summary>The session setting of the group-commit data source's connections (a later setting in Options wins).</summary>
    internal const string GenericPlansOption = "-c plan_cache_mode=force_generic_plan";

    private static bool Given(System.Data.Common.DbConnectionStringBuilder given, string keyword) =>
        given.Keys.Cast<string>().Any(key => key.Replace(" ", "", StringComparison.Ordinal).Equals(keyword, StringComparison.OrdinalIgnoreCase));
}
