using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
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
        builder.Services.AddOptions<GroupCommitOptions>().BindConfiguration(GroupCommitOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(services => new PostgresTaskServiceStore(
            services.GetRequiredService<NpgsqlDataSource>(),
            services.GetService<TimeProvider>(),
            services.GetRequiredKeyedService<NpgsqlDataSource>(GroupCommitSource),
            services.GetRequiredService<IOptions<GroupCommitOptions>>().Value.CommitDelay));
        // Ids and keys longer than the store's columns would be accepted and then refused: such limits stop the start.
        builder.Services.AddOptions<Common.LimitsOptions>().ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<Common.LimitsOptions>, PostgresLimitsValidator>());
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
    /// The write buffer of a group-commit connection, unless the connection string sets one: a batch of the event path (about
    /// 30-40 writes at the maximum, with their events' JSON) goes to the server in one send instead of one per 8 KB (Npgsql's
    /// default), and the server reads it without waiting for the rest between pieces. In eight closed-loop pairs of 15,000
    /// events on 2 cores: 4,094 against 3,772 events/s on average (medians 4,167 and 3,837), and 0.41 against 0.44 ms of the
    /// machine's CPU per event.
    /// </summary>
    public const int DefaultGroupCommitWriteBufferSize = 64 * 1024;

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
    /// each time), as the store keeps no session state, it writes each batch from a buffer of
    /// <see cref="DefaultGroupCommitWriteBufferSize"/>, it holds as many connections as group commit runs batches at once, and
    /// its sessions plan no sequential scan where an index serves (<c>enable_seqscan=off</c>) and plan each prepared statement
    /// once (<c>plan_cache_mode=force_generic_plan</c>), unless the connection string's <c>Options</c> set them.
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

            // Plans that use the indexes whatever size the tables had when PostgreSQL planned them. A prepared statement runs on
            // a generic plan from its sixth run on a connection, made from the statistics of that moment; made while a table was
            // small (a new database analyzed in its first minute, or main.unrouted_events, which never holds many rows), it
            // scans the whole table, and keeps doing so while the table grows until the next ANALYZE of it. In benchmark runs on
            // new databases, recording an event read every event recorded before it (another run did the same on main.tasks):
            // PostgreSQL's CPU per event rose from about 0.3 ms to 1.4-2.3 ms and the silo carried 570-870 events/s instead of
            // about 2,500. Every statement of this source finds its rows by an index (ids, keys, the outbox's pending rows); one
            // with no usable index still scans the table, as before.
            AddOption(builder.ConnectionStringBuilder, "enable_seqscan", "off");

            // Generic plans from a statement's first run on, and no planning after that. By default PostgreSQL plans a prepared
            // statement anew for each run until a generic plan looks as cheap as the runs' own plans, and it weighs this again at
            // every run: with batches of every size, the statement that records events was planned at one run in four (0.28 ms
            // each) and the delivery outcomes' at one in five, which pg_stat_statements counted as about 10 µs of PostgreSQL's
            // time per event at half load. These statements take their rows as arrays and find them by index (above), so one
            // plan serves every batch. In eight closed-loop pairs of 15,000 events, PostgreSQL's CPU per event divided by the
            // silo's was lower in seven: 1.025 against 1.076 on average (events/s 3,208 against 3,094, within the host's noise).
            AddOption(builder.ConnectionStringBuilder, "plan_cache_mode", "force_generic_plan");

            if (!Given(given, "WriteBufferSize"))
            {
                builder.ConnectionStringBuilder.WriteBufferSize = DefaultGroupCommitWriteBufferSize;
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

    /// <summary>Adds <c>-c setting=value</c> to the sessions' options, unless the connection string's options set it.</summary>
    private static void AddOption(NpgsqlConnectionStringBuilder connection, string setting, string value)
    {
        if (!(connection.Options ?? "").Contains(setting, StringComparison.OrdinalIgnoreCase))
        {
            connection.Options = $"{connection.Options} -c {setting}={value}".TrimStart();
        }
    }

    /// <summary>Whether the connection string sets a keyword, under any of its names, spaces left out.</summary>
    private static bool Given(System.Data.Common.DbConnectionStringBuilder given, params string[] names) =>
        given.Keys.Cast<string>().Any(key => names.Any(name => key.Replace(" ", "", StringComparison.Ordinal).Equals(name, StringComparison.OrdinalIgnoreCase)));
}
