using Npgsql;

namespace TaskService.Benchmarks;

/// <summary>
/// The benchmark's own database on the given server (created empty, dropped at the end), and the server-side counters that
/// say how much database work an event costs.
/// </summary>
internal sealed class BenchmarkDatabase(string adminConnectionString, string connectionString, string name)
{
    public string ConnectionString => connectionString;

    public string Name => name;

    public static async Task<BenchmarkDatabase> CreateAsync(string adminConnectionString, string runId)
    {
        var name = $"taskservice_bench_{runId}";
        await using (var connection = new NpgsqlConnection(adminConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        var connectionString = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = name }.ConnectionString;
        return new BenchmarkDatabase(adminConnectionString, connectionString, name);
    }

    /// <summary>
    /// The next transaction id of the server. Every transaction that writes takes one, so the difference between two readings
    /// is the number of writing transactions in between (plus one for the first reading itself).
    /// </summary>
    public async Task<long> NextTransactionIdAsync()
    {
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pg_current_xact_id()::text::bigint", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// Commits, rollbacks and row changes per table in the benchmark's database since it was created. Read after the silo
    /// stopped: a server backend reports its counters when it ends at the latest.
    /// </summary>
    public async Task<DatabaseActivity> ReadActivityAsync()
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        long commits, rollbacks;
        await using (var database = new NpgsqlCommand(
            "SELECT xact_commit, xact_rollback FROM pg_stat_database WHERE datname = current_database()", connection))
        await using (var reader = await database.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            commits = reader.GetInt64(0);
            rollbacks = reader.GetInt64(1);
        }

        var tables = new List<TableActivity>();
        await using (var command = new NpgsqlCommand(
            """
            SELECT schemaname || '.' || relname, n_tup_ins, n_tup_upd, n_tup_del, seq_scan, coalesce(idx_scan, 0)
            FROM pg_stat_user_tables
            WHERE n_tup_ins + n_tup_upd + n_tup_del > 0
            ORDER BY n_tup_ins + n_tup_upd + n_tup_del DESC
            """, connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(new TableActivity(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5)));
            }
        }

        return new DatabaseActivity(commits, rollbacks, tables);
    }

    /// <summary>
    /// How many events reached each stage so far (see <see cref="StageCounts"/>). Read once a second while the service runs on
    /// the same server, so the progress lines take their counts from PostgreSQL's table statistics (rows inserted, which a
    /// backend reports about once a second) and count only the rows still waiting, through their small tables and indexes:
    /// counting the rows of four growing tables every second cost the server about 4% of its time during a run, which the
    /// run's figures would count as the service's. <paramref name="exact"/> counts every table instead, for the last line of a
    /// phase.
    /// </summary>
    public async Task<StageCounts> ReadStagesAsync(bool exact, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(exact
            ? """
              SELECT e.n, e.n - u.n, i.n, t.n, o.n, o.n - p.n
              FROM (SELECT count(*) AS n FROM main.events) AS e,
                   (SELECT count(*) AS n FROM main.unrouted_events) AS u,
                   (SELECT count(*) AS n FROM main.workflow_instances) AS i,
                   (SELECT count(*) AS n FROM main.tasks) AS t,
                   (SELECT count(*) AS n FROM main.outbox) AS o,
                   (SELECT count(*) AS n FROM main.outbox WHERE dispatched_on IS NULL) AS p
              """
            : """
              SELECT s.events, s.events - u.n, s.instances, s.tasks, s.outbox, s.outbox - p.n
              FROM (SELECT coalesce(sum(n_tup_ins) FILTER (WHERE relname = 'events'), 0)::bigint AS events,
                           coalesce(sum(n_tup_ins) FILTER (WHERE relname = 'workflow_instances'), 0)::bigint AS instances,
                           coalesce(sum(n_tup_ins) FILTER (WHERE relname = 'tasks'), 0)::bigint AS tasks,
                           coalesce(sum(n_tup_ins) FILTER (WHERE relname = 'outbox'), 0)::bigint AS outbox
                    FROM pg_stat_user_tables WHERE schemaname = 'main') AS s,
                   (SELECT count(*) AS n FROM main.unrouted_events) AS u,
                   (SELECT count(*) AS n FROM main.outbox WHERE dispatched_on IS NULL) AS p
              """, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new StageCounts(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5));
    }

    /// <summary>The server's version and the settings that decide what a commit costs.</summary>
    public async Task<ServerSettings> ReadServerSettingsAsync()
    {
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT current_setting('server_version'), current_setting('fsync'), current_setting('synchronous_commit'), current_setting('max_connections')",
            connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new ServerSettings(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3));
    }

    public async Task DropAsync()
    {
        await using (var probe = new NpgsqlConnection(connectionString))
        {
            NpgsqlConnection.ClearPool(probe);
        }

        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
