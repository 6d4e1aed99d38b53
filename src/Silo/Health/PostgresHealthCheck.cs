using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using TaskService.Storage.Postgres;

namespace TaskService.Silo.Health;

/// <summary>Ready when PostgreSQL answers and every migration script of this build has been applied.</summary>
public sealed class PostgresHealthCheck(string connectionString) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand(
                $"SELECT scriptname FROM {DatabaseMigrator.JournalSchema}.{DatabaseMigrator.JournalTable}", connection);
            var applied = new HashSet<string>(StringComparer.Ordinal);
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    applied.Add(reader.GetString(0));
                }
            }

            var pending = DatabaseMigrator.ScriptNames.Where(name => !applied.Contains(name)).ToList();
            return pending.Count == 0
                ? HealthCheckResult.Healthy($"PostgreSQL {connection.DataSource} answers; all {applied.Count} migrations applied.")
                : HealthCheckResult.Unhealthy($"{pending.Count} migration(s) not applied ({string.Join(", ", pending.Take(3))}); run '{DatabaseMigrator.MigrateCommand}' or set TaskService:Database:MigrateOnStart.");
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return HealthCheckResult.Unhealthy($"The database has no migrations applied; run '{DatabaseMigrator.MigrateCommand}'.");
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException or InvalidOperationException or OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"PostgreSQL cannot be reached: {exception.Message}");
        }
    }
}
