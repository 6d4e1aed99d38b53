using DbUp.Engine;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using TaskService.Storage.Postgres;

namespace TaskService.Postgres.Tests;

public sealed class MigrationTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>
{
    /// <summary>Every migration script, in the order they are applied.</summary>
    internal static readonly string[] Scripts =
    [
        "0001_orleans_main.sql",
        "0002_orleans_clustering.sql",
        "0003_orleans_persistence.sql",
        "0004_orleans_reminders.sql",
        "0100_task_service_schema.sql",
        "0101_workflow_instance_due.sql",
        "0102_task_soft_delete.sql",
        "0103_webhook_deliveries.sql",
        "0104_client_app_secret_rotation.sql",
        "0105_user_task_inbox.sql",
        "0106_mapping_workflow_soft_delete.sql",
        "0107_unrouted_events.sql",
        "0108_delivered_attempt_on_the_delivery.sql",
        "0109_task_history_without_foreign_key.sql",
        "0110_task_indexes_of_set_values.sql",
        "0111_text_columns_as_wide_as_the_api.sql",
        "0112_document_columns_without_statistics.sql",
    ];

    // Every key the Orleans 10.4.2 ADO.NET providers look up (clustering, grain storage, reminders).
    private static readonly string[] OrleansQueryKeys =
    [
        "CleanupDefunctSiloEntriesKey", "CleanupDefunctSiloEntryKey", "ClearStorageKey", "DeleteMembershipTableEntriesKey",
        "DeleteReminderRowKey", "DeleteReminderRowsKey", "DeleteStorageKey", "GatewaysQueryKey", "InsertMembershipKey",
        "InsertMembershipVersionKey", "MembershipReadAllKey", "MembershipReadRowKey", "ReadFromStorageKey", "ReadRangeRows1Key",
        "ReadRangeRows2Key", "ReadReminderRowKey", "ReadReminderRowsKey", "UpdateIAmAlivetimeKey", "UpdateMembershipKey",
        "UpsertReminderRowKey", "WriteToStorageKey",
    ];

    [Fact]
    public void TheEmbeddedScriptsAreTheNumberedFilesOfScriptsSql()
    {
        var files = Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "scripts", "sql"), "*.sql")
            .Select(Path.GetFileName)
            .Order(StringComparer.Ordinal);

        Assert.Equal(files, DatabaseMigrator.ScriptNames);
        Assert.All(DatabaseMigrator.ScriptNames, name => Assert.Matches(@"^\d{4}_[a-z0-9_]+\.sql$", name));
    }

    [Fact]
    public async Task AnEmptyDatabaseGetsEveryScriptInOrderAndTheJournalRecordsThem()
    {
        Assert.Equal(Scripts, database.Migration.Applied);
        Assert.Empty(database.Migration.AlreadyApplied);

        var journal = await QueryAsync("SELECT scriptname FROM main.schema_versions ORDER BY schemaversionsid");
        Assert.Equal(Scripts, journal);
    }

    [Fact]
    public async Task TheIndexesOfTaskFieldsSetLaterHoldOnlyTasksWithAValue()
    {
        var definitions = await QueryAsync("""
            SELECT indexname || ': ' || pg_get_expr(i.indpred, i.indrelid)
            FROM pg_indexes AS x JOIN pg_index AS i ON i.indexrelid = (x.schemaname || '.' || x.indexname)::regclass
            WHERE x.schemaname = 'main' AND x.indexname IN ('ix_tasks_assignee_id', 'ix_tasks_due_date', 'ix_tasks_external_id')
            ORDER BY 1
            """);

        Assert.Equal(
            [
                "ix_tasks_assignee_id: (assignee_id IS NOT NULL)",
                "ix_tasks_due_date: (due_date IS NOT NULL)",
                "ix_tasks_external_id: (external_id IS NOT NULL)",
            ],
            definitions);
    }

    [Fact]
    public async Task TheEventPathsDocumentsKeepNoStatisticsAndItsTablesAreAnalyzedAfter10000Changes()
    {
        var documents = await QueryAsync("""
            SELECT c.relname || '.' || a.attname || ':' || a.attstattarget
            FROM pg_attribute AS a JOIN pg_class AS c ON c.oid = a.attrelid JOIN pg_namespace AS n ON n.oid = c.relnamespace
            WHERE n.nspname = 'main' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped AND a.attstattarget = 0
            ORDER BY 1
            """);
        Assert.Equal(
            [
                "events.payload:0", "outbox.body:0", "task_history.changes:0", "tasks.metadata:0", "webhook_deliveries.event:0",
                "workflow_instances.state:0",
            ],
            documents);

        var settings = await QueryAsync("""
            SELECT c.relname || ':' || array_to_string(c.reloptions, ',')
            FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
            WHERE n.nspname = 'main' AND c.relkind = 'r' AND c.reloptions IS NOT NULL
            ORDER BY 1
            """);
        Assert.Equal(
            [
                "events:autovacuum_analyze_threshold=10000", "outbox:autovacuum_analyze_threshold=10000",
                "task_history:autovacuum_analyze_threshold=10000", "tasks:autovacuum_analyze_threshold=10000",
                "webhook_deliveries:autovacuum_analyze_threshold=10000", "workflow_instances:autovacuum_analyze_threshold=10000",
            ],
            settings);
    }

    [Fact]
    public async Task TheTaskServiceTablesExistInSchemaMain()
    {
        var tables = await QueryAsync("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1");

        Assert.Equal(
            [
                "client_apps", "event_workflows", "events", "outbox", "schema_versions", "task_history", "task_workflows", "tasks", "unrouted_events", "user_tasks",
                "webhook_deliveries", "webhook_delivery_attempt_rows", "webhook_delivery_attempts", "webhook_subscriptions", "workflow_instances", "workflow_versions", "workflows",
            ],
            tables);

        // The types the original got wrong are fixed.
        var types = await QueryAsync("""
            SELECT table_name || '.' || column_name || ':' || data_type
            FROM information_schema.columns
            WHERE table_schema = 'main' AND (table_name, column_name) IN (('events', 'timestamp'), ('events', 'payload'), ('tasks', 'metadata'))
            ORDER BY 1
            """);
        Assert.Equal(["events.payload:jsonb", "events.timestamp:bigint", "tasks.metadata:jsonb"], types);
    }

    [Fact]
    public async Task TheOrleansTablesExistAndOrleansQueryHoldsEveryQueryTheProvidersAskFor()
    {
        var tables = await QueryAsync("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1");
        Assert.Equal(
            ["orleansmembershiptable", "orleansmembershipversiontable", "orleansquery", "orleansreminderstable", "orleansstorage"],
            tables);

        var keys = await QueryAsync("SELECT QueryKey FROM OrleansQuery ORDER BY QueryKey COLLATE \"C\"");
        Assert.Equal(OrleansQueryKeys.Order(StringComparer.Ordinal), keys);

        var empty = await QueryAsync("SELECT QueryKey FROM OrleansQuery WHERE length(trim(QueryText)) < 20");
        Assert.Empty(empty);
    }

    [Fact]
    public async Task ApplyingTheMigrationsAgainAppliesNothingAndChangesNothing()
    {
        var before = await DatabaseSnapshot.TakeAsync(database.ConnectionString);

        var again = await DatabaseMigrator.MigrateAsync(database.ConnectionString, NullLogger.Instance);

        Assert.True(again.WasUpToDate);
        Assert.Empty(again.Applied);
        Assert.Equal(Scripts, again.AlreadyApplied);
        var after = await DatabaseSnapshot.TakeAsync(database.ConnectionString);
        Assert.Equal(before, after);
        Assert.Contains("orleansquery", before, StringComparison.OrdinalIgnoreCase); // the snapshot saw the tables
    }

    [Fact]
    public async Task SilosMigratingTogetherApplyEachScriptOnce()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync("concurrent");
        try
        {
            var runs = await Task.WhenAll(Enumerable.Range(0, 4)
                .Select(_ => Task.Run(() => DatabaseMigrator.MigrateAsync(connectionString, NullLogger.Instance))));

            // The advisory lock lets one run apply everything; the others wait for it and then find nothing to do.
            Assert.Single(runs, r => !r.WasUpToDate);
            Assert.Equal(Scripts, runs.Single(r => !r.WasUpToDate).Applied);
            Assert.All(runs.Where(r => r.WasUpToDate), r => Assert.Equal(Scripts, r.AlreadyApplied));
            Assert.Equal(Scripts, await QueryAsync("SELECT scriptname FROM main.schema_versions ORDER BY schemaversionsid", connectionString));
        }
        finally
        {
            await PostgresServer.DropDatabaseAsync(connectionString);
        }
    }

    [Fact]
    public async Task EventsNotYetRoutedWhenTheWaitingTableArrivesStillWaitAndRoutedOnesDoNot()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync("unrouted");
        try
        {
            var scripts = DatabaseMigrator.LoadEmbeddedScripts();
            var before = scripts.TakeWhile(s => s.Name != "0107_unrouted_events.sql").ToList();
            await DatabaseMigrator.MigrateAsync(connectionString, before, NullLogger.Instance, CancellationToken.None);
            await ExecuteAsync(connectionString, """
                INSERT INTO main.events (id, "key", "timestamp", routed_on) VALUES
                    ('routed', 'k', 1, now()), ('waiting-1', 'k', 2, NULL), ('waiting-2', 'k', 3, NULL)
                """);

            var through0107 = scripts.Where(s => string.CompareOrdinal(s.Name, "0107_unrouted_events.sql") <= 0).ToList();
            var upgrade = await DatabaseMigrator.MigrateAsync(connectionString, through0107, NullLogger.Instance, CancellationToken.None);

            Assert.Equal(["0107_unrouted_events.sql"], upgrade.Applied);
            Assert.Equal(["waiting-1:2", "waiting-2:3"], await QueryAsync("SELECT id || ':' || \"timestamp\" FROM main.unrouted_events ORDER BY id", connectionString));
            Assert.Equal(3, (await QueryAsync("SELECT id FROM main.events", connectionString)).Count);
            Assert.Empty(await QueryAsync(
                "SELECT column_name::text FROM information_schema.columns WHERE table_schema = 'main' AND table_name = 'events' AND column_name = 'routed_on'",
                connectionString));
        }
        finally
        {
            await PostgresServer.DropDatabaseAsync(connectionString);
        }
    }

    [Fact]
    public async Task AttemptsWrittenBeforeDeliveredAttemptsMovedToTheirDeliveryAreListedOnceAfterIt()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync("attempts");
        try
        {
            var scripts = DatabaseMigrator.LoadEmbeddedScripts();
            var before = scripts.TakeWhile(s => s.Name != "0108_delivered_attempt_on_the_delivery.sql").ToList();
            await DatabaseMigrator.MigrateAsync(connectionString, before, NullLogger.Instance, CancellationToken.None);
            await ExecuteAsync(connectionString, """
                INSERT INTO main.webhook_deliveries (id, subscription_id, client_app_id, event_id, event_type, event, status, attempts,
                                                     last_status_code, last_duration_ms, created_on, modified_on, delivered_on)
                VALUES ('d1', 's', 'a', 'e1', 'task-created', '{}', 'delivered', 2, 204, 5, now(), now(), now());
                INSERT INTO main.webhook_delivery_attempts (id, delivery_id, subscription_id, attempt, attempted_on, status_code, duration_ms, error)
                VALUES ('d1/1', 'd1', 's', 1, now(), 503, 4, 'The receiver answered 503.'), ('d1/2', 'd1', 's', 2, now(), 204, 5, NULL);
                """);

            var upgrade = await DatabaseMigrator.MigrateAsync(connectionString, scripts, NullLogger.Instance, CancellationToken.None);

            Assert.Equal("0108_delivered_attempt_on_the_delivery.sql", upgrade.Applied[0]);
            Assert.Equal(["d1/1:503", "d1/2:204"], await QueryAsync("SELECT id || ':' || status_code FROM main.webhook_delivery_attempts ORDER BY id", connectionString));
        }
        finally
        {
            await PostgresServer.DropDatabaseAsync(connectionString);
        }
    }

    [Fact]
    public async Task AFailingScriptIsRolledBackWholeAndTheErrorNamesItAndTheFix()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync("failing");
        try
        {
            SqlScript[] scripts =
            [
                new("0001_first.sql", "CREATE TABLE public.first_table (id integer PRIMARY KEY);"),
                new("0002_broken.sql", "CREATE TABLE public.half_done (id integer);\nCREATE TABLE public.first_table (id integer);"),
                new("0003_never.sql", "CREATE TABLE public.never_table (id integer);"),
            ];

            var error = await Assert.ThrowsAsync<MigrationException>(
                () => DatabaseMigrator.MigrateAsync(connectionString, scripts, NullLogger.Instance, CancellationToken.None));

            Assert.Equal("0002_broken.sql", error.Script);
            Assert.Contains("Migration script 0002_broken.sql failed", error.Message);
            Assert.Contains("rolled back", error.Message);
            Assert.Contains("42P07", error.Message); // duplicate table
            Assert.True(
                error.Message.Contains("at line 2 of the script, in statement 2 `CREATE TABLE public.first_table (id integer)`", StringComparison.Ordinal),
                error.Message);
            Assert.Contains("Fix:", error.Message);
            Assert.Contains(DatabaseMigrator.MigrateCommand, error.Message);

            // Nothing of the failed script stays; the script before it is applied and recorded; the one after never ran.
            var tables = await QueryAsync("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1", connectionString);
            Assert.Equal(["first_table"], tables);
            Assert.Equal(["0001_first.sql"], await QueryAsync("SELECT scriptname FROM main.schema_versions", connectionString));
        }
        finally
        {
            await PostgresServer.DropDatabaseAsync(connectionString);
        }
    }

    [Fact]
    public async Task AnUnreachableServerIsReportedWithTheFix()
    {
        var unreachable = new NpgsqlConnectionStringBuilder(PostgresServer.AdminConnectionString) { Port = 1, Timeout = 5 }.ConnectionString;

        var error = await Assert.ThrowsAsync<MigrationException>(() => DatabaseMigrator.MigrateAsync(unreachable, NullLogger.Instance));

        Assert.Null(error.Script);
        Assert.Contains("Cannot reach PostgreSQL database ", error.Message);
        Assert.Contains(":1/", error.Message);
        Assert.Contains("Fix:", error.Message);
        Assert.DoesNotContain(new NpgsqlConnectionStringBuilder(PostgresServer.AdminConnectionString).Password ?? "no password", error.Message);
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private Task<List<string>> QueryAsync(string sql) => QueryAsync(sql, database.ConnectionString);

    private static async Task<List<string>> QueryAsync(string sql, string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }
}
