using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TaskService.Storage;
using TaskService.Storage.Postgres;

namespace TaskService.Hosting;

public static class PostgresStoreExtensions
{
    /// <summary>Serves the task service's tables from PostgreSQL (schema <c>main</c>, created by the migrations).</summary>
    public static ISiloBuilder AddPostgresStore(this ISiloBuilder builder, string connectionString)
    {
        builder.Services.AddSingleton(_ => new NpgsqlDataSourceBuilder(connectionString) { Name = "task-service" }.Build());
        builder.Services.AddSingleton<ITaskServiceStore, PostgresTaskServiceStore>();
        return builder;
    }
}
