using Npgsql;

namespace TaskService.Postgres.Tests.Store;

/// <summary>Reads the task service tables directly, to check what the store wrote and that nothing was dropped.</summary>
internal static class StoreTables
{
    public static readonly string[] All =
    [
        "main.events", "main.tasks", "main.user_tasks", "main.event_workflows", "main.task_workflows", "main.workflows",
        "main.workflow_versions", "main.workflow_instances", "main.client_apps", "main.webhook_subscriptions", "main.outbox",
        "main.webhook_deliveries", "main.webhook_delivery_attempts", "main.webhook_delivery_attempt_rows",
    ];

    /// <summary>The tables of <see cref="All"/> that exist.</summary>
    public static async Task<IReadOnlyList<string>> ExistingAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand("SELECT t FROM unnest($1::text[]) AS t WHERE to_regclass(t) IS NOT NULL ORDER BY t");
        command.Parameters.Add(new NpgsqlParameter { Value = All });
        var existing = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            existing.Add(reader.GetString(0));
        }

        return existing;
    }

    public static async Task<T?> ScalarAsync<T>(NpgsqlDataSource dataSource, string sql, params object[] parameters)
    {
        await using var command = dataSource.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)value;
    }
}
