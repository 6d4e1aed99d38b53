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
        builder.Services.AddSingleton(_ => new NpgsqlDataSourceBuilder(connectionString) { Name = "task-service" }.Build());
        builder.Services.AddSingleton<PostgresTaskServiceStore>();
        builder.Services.AddOptions<StoreCacheOptions>().BindConfiguration(StoreCacheOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<ITaskServiceStore>(services =>
        {
            var options = services.GetRequiredService<IOptions<StoreCacheOptions>>();
            var store = services.GetRequiredService<PostgresTaskServiceStore>();
            return options.Value.Ttl > TimeSpan.Zero
                ? new CachingTaskServiceStore(store, options, services.GetRequiredService<TimeProvider>())
                : store;
        });
        return builder;
    }
}
