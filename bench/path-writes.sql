-- The database writes of the event path for a batch of :batch events, as group commit makes them, for pgbench
-- (scripts/bench.sh --ceiling): how many events per second PostgreSQL itself carries on this machine, with no silo and no
-- load process. Three transactions, as three batches: the events recorded; their instances and their tasks, each task with
-- its history entry, its task-created outbox row and its delivery row; the routed notes, the delivery outcomes. Rows are
-- copies of one row of each table of a database the benchmark filled (the ceiling_* tables); ids are new each time.
\set r random(1, 1000000000)
BEGIN;
WITH ins AS (
    INSERT INTO main.events (id, "key", payload, source, description, "timestamp")
    SELECT 'e' || :r || '-' || :client_id || '-' || g, "key", payload, source, description, "timestamp"
    FROM ceiling_events, generate_series(1, :batch) AS g
    ON CONFLICT DO NOTHING
    RETURNING id, "timestamp")
INSERT INTO main.unrouted_events (id, "timestamp") SELECT id, "timestamp" FROM ins;
COMMIT;
BEGIN;
INSERT INTO main.workflow_instances (id, workflow_id, process_id, "version", status, incidents, created_on, modified_on, ended_on, state, due_on)
SELECT 'i' || :r || '-' || :client_id || '-' || g, workflow_id, process_id, "version", status, incidents, created_on, modified_on, ended_on, state, due_on
FROM ceiling_instances, generate_series(1, :batch) AS g;
WITH t AS (
    INSERT INTO main.tasks (id, "key", name, description, status, priority, severity, "type", assignee_id, start_date, due_date, end_date,
                            metadata, external_id, notes, event_id, created_on, modified_on, created_by, modified_by, deleted, deleted_on, deleted_by)
    SELECT 't' || :r || '-' || :client_id || '-' || g, "key", name, description, status, priority, severity, "type", assignee_id, start_date,
           due_date, end_date, metadata, external_id, notes, 'e' || :r || '-' || :client_id || '-' || g, created_on, modified_on, created_by,
           modified_by, deleted, deleted_on, deleted_by
    FROM ceiling_tasks, generate_series(1, :batch) AS g
    RETURNING id),
h AS (
    INSERT INTO main.task_history (id, task_id, user_task_id, action, changes, by_user, changed_on, position)
    SELECT 'h' || t.id, t.id, user_task_id, action, changes, by_user, changed_on, position FROM ceiling_history, t
    RETURNING 1),
o AS (
    INSERT INTO main.outbox (event_id, event_key, body, created_on, claimed_until, dispatched_on)
    SELECT 'o' || t.id, event_key, body, created_on, claimed_until, now() FROM ceiling_outbox, t
    RETURNING event_id)
INSERT INTO main.webhook_deliveries (id, subscription_id, client_app_id, event_id, event_type, event, status, attempts, next_attempt_at, created_on, modified_on)
SELECT 'd' || o.event_id, subscription_id, client_app_id, o.event_id, event_type, event, 'pending', 0, now(), now(), now()
FROM ceiling_deliveries, o;
COMMIT;
BEGIN;
DELETE FROM main.unrouted_events WHERE id = ANY (ARRAY(SELECT 'e' || :r || '-' || :client_id || '-' || g FROM generate_series(1, :batch) AS g));
UPDATE main.webhook_deliveries
   SET status = 'delivered', attempts = 1, next_attempt_at = NULL, last_status_code = 204, last_duration_ms = 1, modified_on = now(),
       delivered_on = now(), last_attempted_on = now()
 WHERE id = ANY (ARRAY(SELECT 'dot' || :r || '-' || :client_id || '-' || g FROM generate_series(1, :batch) AS g));
COMMIT;
