using System.Text.Json;
using Npgsql;
using TaskService.Events;
using TaskService.Serialization;
using TaskService.Tasks;
using TaskService.Webhooks;
using TaskService.Workflows;
using static TaskService.Storage.Postgres.PostgresRows;

namespace TaskService.Storage.Postgres;

public sealed partial class PostgresTaskServiceStore
{
    /// <summary>
    /// New tasks: each with its first history entry, its outgoing events and their delivery rows, written only when the task's
    /// id is not there yet. The tasks of all writes in a batch go in one statement (<see cref="NewTasksStatement"/>).
    /// </summary>
    private Task<TaskCreation> CreateTaskAsync(
        TaskRecord task,
        TaskHistoryEntry created,
        IReadOnlyList<OutgoingEvent> outbox,
        TimeSpan? lease,
        IReadOnlyList<QueuedDelivery>? deliveries,
        bool dispatched)
    {
        var rows = new OutboxRows(outbox, lease, deliveries, dispatched, _time.GetUtcNow());
        var values = new NewTask(
        [
            task.Id, task.Key, task.Name, task.Description, EnumText(task.Status), task.Priority, task.Severity, task.Type,
            task.AssigneeId, JsonOrNull(task.Metadata), task.ExternalId, task.Notes, task.EventId, task.CreatedBy, task.ModifiedBy,
            task.DeletedBy, created.Id, created.UserTaskId, created.Action,
            created.Changes is null ? null : JsonSerializer.Serialize(created.Changes, ContractJson.Options), created.By,
        ],
        [task.StartDate, task.DueDate, task.EndDate, task.CreatedOn, task.ModifiedOn, task.DeletedOn, created.On],
        task.Deleted,
        created.Position,
        rows);
        return _batcher.RunMergedAsync(
            "task",
            NewTasksStatement.Instance,
            values,
            static reader => (Kind: reader.GetInt32(1), Sequence: reader.GetInt64(2), Id: reader.GetString(3)),
            written => rows.Outcome(written, createsTask: true));
    }

    /// <summary>One write of <see cref="NewTasksStatement"/>: a task's values as <see cref="NewTasksStatement"/> reads them.</summary>
    /// <param name="Texts">The task's texts and JSON, then its first history entry's (<see cref="NewTasksStatement.TextsPerTask"/>).</param>
    /// <param name="Instants">The task's instants, then its history entry's (<see cref="NewTasksStatement.InstantsPerTask"/>).</param>
    private sealed record NewTask(string?[] Texts, DateTimeOffset?[] Instants, bool Deleted, int Position, OutboxRows Outbox);

    /// <summary>
    /// The tasks of one or more writes, as one multi-row statement: PostgreSQL sets up a statement's four inserts (the task
    /// with its indexes, its history entry, its outgoing event and its delivery rows) once for all of them. A new task's values
    /// come in flat arrays rather than a parameter per column (a parameter is an object of its own, and a new task leaves most
    /// columns null). Its parameters: $1 the tasks' texts (<see cref="TextsPerTask"/> each), $2 their instants
    /// (<see cref="InstantsPerTask"/> each), $3 whether each is deleted, $4 each history entry's position; $5 the outgoing
    /// events' id, key and JSON, $6 the task (write) of each, $7 each one's creation, claim and dispatch instants; $8 the
    /// delivery rows' id, subscription, client app and event id, $9 each one's next attempt and creation, $10 the write of each.
    /// A task whose id comes twice is written for its first write only, with that write's events and rows; the other write
    /// gets no row, as if it ran after the first. Each row returned is (write, 0, seq, event id) for an outbox entry added,
    /// (write, 1, seq, delivery id) for a delivery row, (write, 2, 0, task id) for a task.
    /// </summary>
    /// <remarks>
    /// The rows come from <c>unnest ... WITH ORDINALITY</c> of a one-per-row array, not <c>generate_series</c>: see
    /// <see cref="OutboxStatement"/>.
    /// </remarks>
    private sealed class NewTasksStatement : IMergedStatement
    {
        public const int TextsPerTask = 21;
        public const int InstantsPerTask = 7;

        public static readonly NewTasksStatement Instance = new();

        /// <summary>The values of <see cref="TaskColumns"/>, from the row <c>t</c> of a task.</summary>
        private static readonly string[] TaskValues =
        [
            "$1[t.a + 1]", "$1[t.a + 2]", "$1[t.a + 3]", "$1[t.a + 4]", "$1[t.a + 5]", "$1[t.a + 6]", "$1[t.a + 7]", "$1[t.a + 8]",
            "$1[t.a + 9]", "$2[t.b + 1]", "$2[t.b + 2]", "$2[t.b + 3]", "$1[t.a + 10]::jsonb", "$1[t.a + 11]", "$2[t.b + 4]",
            "$2[t.b + 5]", "$1[t.a + 12]", "$1[t.a + 13]", "$1[t.a + 14]", "$1[t.a + 15]", "t.deleted", "$2[t.b + 6]", "$1[t.a + 16]",
        ];

        private static readonly string Sql = $"""
            WITH t AS (
                SELECT DISTINCT ON (id) n, id, a, b, deleted FROM (
                    SELECT s.i - 1 AS n, ($1::text[])[(s.i - 1) * {TextsPerTask} + 1] AS id, (s.i - 1) * {TextsPerTask} AS a,
                           (s.i - 1) * {InstantsPerTask} AS b, s.deleted
                    FROM unnest($3::boolean[]) WITH ORDINALITY AS s (deleted, i)) AS tasks
                ORDER BY id, n),
            created AS (
                INSERT INTO main.tasks ({string.Join(", ", TaskColumns)})
                SELECT {string.Join(", ", TaskValues)} FROM t ORDER BY t.n
                ON CONFLICT (id) DO NOTHING
                RETURNING id),
            history AS (
                INSERT INTO main.task_history (id, task_id, user_task_id, action, changes, by_user, changed_on, position)
                SELECT $1[t.a + 17], c.id, $1[t.a + 18], $1[t.a + 19], $1[t.a + 20]::jsonb, $1[t.a + 21], $2[t.b + 7], ($4::int[])[t.n + 1]
                FROM created AS c JOIN t ON t.id = c.id ORDER BY t.n
                RETURNING task_id),
            ev AS (
                SELECT DISTINCT ON (event_id) event_id, event_key, body, n, k FROM (
                    SELECT ($5::text[])[e.k * 3 - 2] AS event_id, ($5::text[])[e.k * 3 - 1] AS event_key, ($5::text[])[e.k * 3] AS body, e.n, e.k
                    FROM unnest($6::int[]) WITH ORDINALITY AS e (n, k)) AS events
                ORDER BY event_id, k),
            outbox AS (
                INSERT INTO main.outbox (event_id, event_key, body, created_on, claimed_until, dispatched_on)
                SELECT ev.event_id, ev.event_key, ev.body::jsonb, ($7::timestamptz[])[ev.k * 3 - 2], $7[ev.k * 3 - 1], $7[ev.k * 3]
                FROM ev JOIN t ON t.n = ev.n JOIN created AS c ON c.id = t.id
                ORDER BY ev.k
                ON CONFLICT (event_id) DO NOTHING
                RETURNING seq, event_id),
            dv AS (
                SELECT DISTINCT ON (id) id, subscription_id, client_app_id, event_id, next_attempt_at, created_on, n, k FROM (
                    SELECT ($8::text[])[r.k * 4 - 3] AS id, ($8::text[])[r.k * 4 - 2] AS subscription_id,
                           ($8::text[])[r.k * 4 - 1] AS client_app_id, ($8::text[])[r.k * 4] AS event_id,
                           ($9::timestamptz[])[r.k * 2 - 1] AS next_attempt_at, ($9::timestamptz[])[r.k * 2] AS created_on, r.n, r.k
                    FROM unnest($10::int[]) WITH ORDINALITY AS r (n, k)) AS rows
                ORDER BY id, k),
            deliveries AS (
                INSERT INTO main.webhook_deliveries
                    (id, subscription_id, client_app_id, event_id, event_type, event, redelivery_of, status, attempts, next_attempt_at, created_on, modified_on)
                SELECT dv.id, dv.subscription_id, dv.client_app_id, ev.event_id, ev.event_key, ev.body::json, NULL, 'pending', 0, dv.next_attempt_at, dv.created_on, dv.created_on
                FROM dv JOIN ev ON ev.event_id = dv.event_id
                WHERE dv.event_id IN (SELECT event_id FROM outbox)
                ORDER BY dv.k
                ON CONFLICT (id) DO NOTHING
                RETURNING id, seq)
            SELECT ev.n, 0, o.seq, o.event_id FROM outbox AS o JOIN ev ON ev.event_id = o.event_id
            UNION ALL SELECT dv.n, 1, d.seq, d.id FROM deliveries AS d JOIN dv ON dv.id = d.id
            UNION ALL SELECT t.n, 2, 0::bigint, h.task_id FROM history AS h JOIN t ON t.id = h.task_id
            """;

        public NpgsqlBatchCommand Build(IReadOnlyList<object?> values)
        {
            int events = 0, rows = 0;
            foreach (var value in values)
            {
                var write = (NewTask)value!;
                events += write.Outbox.EventCount;
                rows += write.Outbox.RowCount;
            }

            var texts = new string?[values.Count * TextsPerTask];
            var instants = new DateTimeOffset?[values.Count * InstantsPerTask];
            var deleted = new bool[values.Count];
            var positions = new int[values.Count];
            var eventTexts = new string?[events * 3];
            var eventInstants = new DateTimeOffset?[events * 3];
            var eventWrites = new int[events];
            var rowTexts = new string?[rows * 4];
            var rowInstants = new DateTimeOffset?[rows * 2];
            var rowWrites = new int[rows];
            int e = 0, r = 0;
            for (var n = 0; n < values.Count; n++)
            {
                var write = (NewTask)values[n]!;
                write.Texts.CopyTo(texts, n * TextsPerTask);
                write.Instants.CopyTo(instants, n * InstantsPerTask);
                deleted[n] = write.Deleted;
                positions[n] = write.Position;
                var outbox = write.Outbox;
                outbox.EventTexts.CopyTo(eventTexts, e * 3);
                outbox.EventInstants.CopyTo(eventInstants, e * 3);
                eventWrites.AsSpan(e, outbox.EventCount).Fill(n);
                e += outbox.EventCount;
                outbox.RowTexts.CopyTo(rowTexts, r * 4);
                outbox.RowInstants.CopyTo(rowInstants, r * 2);
                rowWrites.AsSpan(r, outbox.RowCount).Fill(n);
                r += outbox.RowCount;
            }

            return BatchCommand(Sql,
                NullableTextArray(texts), InstantArray(instants), BooleanArray(deleted), IntegerArray(positions),
                NullableTextArray(eventTexts), IntegerArray(eventWrites), InstantArray(eventInstants),
                NullableTextArray(rowTexts), InstantArray(rowInstants), IntegerArray(rowWrites));
        }
    }

    /// <summary>
    /// Events recorded, in one statement for all writes of a batch: each event is written with its row in
    /// main.unrouted_events, where it waits until it is routed, unless its id is there. Its parameters: $1 the events' ids,
    /// $2 their keys, $3 their payloads' JSON, $4 their sources, $5 their descriptions, $6 their timestamps. Each row returned
    /// is (write, 0 | 1 | 2), read by <see cref="Read"/>: New (0) for the first write of an id not there before; Routed (2) for an id there and
    /// no longer waiting; Unrouted (1) for one there and still waiting, and for a later write of an id that an earlier write of
    /// the batch records (as if it ran after it). The lookups run only for an event that was not new, and see the tables as
    /// they were before the statement (another silo's event with the same id, not committed yet, is not routed either).
    /// </summary>
    /// <remarks>
    /// Against a statement per event in the same batch: 40-55% less PostgreSQL CPU per event recorded (pgbench, 8 events per
    /// transaction), since PostgreSQL sets up the statement, its two inserts and their indexes once for the batch.
    /// </remarks>
    private sealed class NewEventsStatement : IMergedStatement
    {
        public static readonly NewEventsStatement Instance = new();

        private const string Sql = """
            WITH e AS (
                SELECT u.n - 1 AS n, u.id, u.key, u.payload, u.source, u.description, u.ts
                FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[])
                     WITH ORDINALITY AS u (id, key, payload, source, description, ts, n)),
            firsts AS (SELECT DISTINCT ON (id) n, id FROM e ORDER BY id, n),
            inserted AS (
                INSERT INTO main.events (id, "key", payload, source, description, "timestamp")
                SELECT e.id, e.key, e.payload::jsonb, e.source, e.description, e.ts FROM firsts AS f JOIN e ON e.n = f.n ORDER BY f.id
                ON CONFLICT (id) DO NOTHING
                RETURNING id, "timestamp"),
            waiting AS (INSERT INTO main.unrouted_events (id, "timestamp") SELECT id, "timestamp" FROM inserted)
            SELECT e.n, CASE
                WHEN f.n IS NOT NULL AND EXISTS (SELECT 1 FROM inserted AS i WHERE i.id = e.id) THEN 0
                WHEN EXISTS (SELECT 1 FROM main.events AS r WHERE r.id = e.id)
                     AND NOT EXISTS (SELECT 1 FROM main.unrouted_events AS w WHERE w.id = e.id) THEN 2
                ELSE 1 END
            FROM e LEFT JOIN firsts AS f ON f.n = e.n
            """;

        /// <summary>What the statement answers for one write.</summary>
        public static EventRecording Read(NpgsqlDataReader reader) => reader.GetInt32(1) switch
        {
            0 => EventRecording.New,
            2 => EventRecording.Routed,
            _ => EventRecording.Unrouted,
        };

        public NpgsqlBatchCommand Build(IReadOnlyList<object?> values)
        {
            var ids = new string?[values.Count];
            var keys = new string?[values.Count];
            var payloads = new string?[values.Count];
            var sources = new string?[values.Count];
            var descriptions = new string?[values.Count];
            var timestamps = new long[values.Count];
            for (var n = 0; n < values.Count; n++)
            {
                var record = (EventRecord)values[n]!;
                ids[n] = record.Id;
                keys[n] = record.Key;
                payloads[n] = RequiredJsonText(record.Payload);
                sources[n] = record.Source;
                descriptions[n] = record.Description;
                timestamps[n] = record.Timestamp;
            }

            return BatchCommand(Sql,
                NullableTextArray(ids), NullableTextArray(keys), NullableTextArray(payloads), NullableTextArray(sources),
                NullableTextArray(descriptions), BigIntArray(timestamps));
        }
    }

    /// <summary>
    /// New workflow instances, each written unless its id is there, in one statement for all writes of a batch; see
    /// <see cref="WorkflowInstancePacked"/> for a write's values. Its parameters: $1 the instances' texts (4 each), $2 their
    /// integers (2 each), $3 their instants (4 each), $4 their states. An id that comes twice is written for its first write
    /// only. Each row returned is (write, id) for an instance written.
    /// </summary>
    private sealed class NewInstancesStatement : IMergedStatement
    {
        public static readonly NewInstancesStatement Instance = new();

        private static readonly string Sql = $"""
            WITH i AS (
                SELECT DISTINCT ON (id) n, id, a, b, c, state FROM (
                    SELECT s.k - 1 AS n, ($1::text[])[(s.k - 1) * 4 + 1] AS id, (s.k - 1) * 4 AS a, (s.k - 1) * 2 AS b, (s.k - 1) * 4 AS c, s.state
                    FROM unnest($4::text[]) WITH ORDINALITY AS s (state, k)) AS instances
                ORDER BY id, n),
            created AS (
                INSERT INTO main.workflow_instances ({string.Join(", ", WorkflowInstanceColumns)})
                SELECT {string.Join(", ", WorkflowInstancePacked).Replace("$1[", "($1::text[])[i.a + ", StringComparison.Ordinal)
                    .Replace("$2[", "($2::int[])[i.b + ", StringComparison.Ordinal).Replace("$3[", "($3::timestamptz[])[i.c + ", StringComparison.Ordinal)
                    .Replace("$4", "i.state::jsonb", StringComparison.Ordinal)}
                FROM i ORDER BY i.n
                ON CONFLICT (id) DO NOTHING
                RETURNING id)
            SELECT i.n, c.id FROM created AS c JOIN i ON i.id = c.id
            """;

        public NpgsqlBatchCommand Build(IReadOnlyList<object?> values)
        {
            var texts = new string?[values.Count * 4];
            var integers = new int[values.Count * 2];
            var instants = new DateTimeOffset?[values.Count * 4];
            var states = new string?[values.Count];
            for (var n = 0; n < values.Count; n++)
            {
                var (summary, state, dueOn) = ((WorkflowInstanceSummary, string, DateTimeOffset?))values[n]!;
                texts[n * 4] = summary.Id;
                texts[(n * 4) + 1] = summary.WorkflowId;
                texts[(n * 4) + 2] = summary.ProcessId;
                texts[(n * 4) + 3] = EnumText(summary.Status);
                integers[n * 2] = summary.Version;
                integers[(n * 2) + 1] = summary.Incidents;
                instants[n * 4] = summary.CreatedOn;
                instants[(n * 4) + 1] = summary.ModifiedOn;
                instants[(n * 4) + 2] = summary.EndedOn;
                instants[(n * 4) + 3] = dueOn;
                states[n] = state;
            }

            return BatchCommand(Sql, NullableTextArray(texts), IntegerArray(integers), InstantArray(instants), NullableTextArray(states));
        }
    }
}
