using Npgsql;

namespace TaskService.Postgres.Tests.Durability;

/// <summary>
/// Takes Orleans' reminder table out of service (renames it), so that registering a reminder fails while everything else in the
/// database keeps working: what a grain sees when the silo owning its reminders is unreachable, as during a failover. Disposing
/// (or <see cref="EndAsync"/>) puts the table back.
/// </summary>
public sealed class ReminderTableOutage : IAsyncDisposable
{
    private const string Table = "orleansreminderstable";
    private const string OfflineName = "orleansreminderstable_offline";

    private readonly string _connectionString;
    private bool _ended;

    private ReminderTableOutage(string connectionString) => _connectionString = connectionString;

    public static async Task<ReminderTableOutage> BeginAsync(string connectionString)
    {
        await ExecuteAsync(connectionString, $"ALTER TABLE {Table} RENAME TO {OfflineName}");
        return new ReminderTableOutage(connectionString);
    }

    /// <summary>How many reminders were registered during the outage (none can be).</summary>
    public Task<long> OfflineRowsAsync() => Sql.ScalarAsync<long>(_connectionString, $"SELECT count(*) FROM {OfflineName}");

    public async Task EndAsync()
    {
        if (!_ended)
        {
            await ExecuteAsync(_connectionString, $"ALTER TABLE {OfflineName} RENAME TO {Table}");
            _ended = true;
        }
    }

    public async ValueTask DisposeAsync() => await EndAsync();

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
