-- Less statistics work on the tables every event writes to.
--
-- The documents of the event path (event payloads, outgoing event bodies, history changes, task metadata, delivered
-- events, workflow instance states) keep no planner statistics. No query compares such a document as a whole, which is all
-- that column statistics describe (a filter on a path inside one is an expression, estimated without them), yet ANALYZE
-- read, detoasted and sorted a sample of up to 30,000 of them per column each time autovacuum analyzed the table.
--
-- Autovacuum analyzes these tables once 10,000 rows changed beyond 10% of the table, instead of 50: a new database's tables
-- were analyzed again at each 10% of growth from their 50th row on, about 75 times each in their first 64,000 rows.
-- A table of a million rows is analyzed as often as before (the 10% dominates); one of fewer than 10,000 rows may go
-- unanalyzed, where the indexes serve every query of the service whatever the estimates.
--
-- Measured under a steady load of events on a new database: ANALYZE took about a third of PostgreSQL's CPU before, and
-- PostgreSQL's CPU per event fell by 10-20%.

ALTER TABLE main.events ALTER COLUMN payload SET STATISTICS 0;
ALTER TABLE main.outbox ALTER COLUMN body SET STATISTICS 0;
ALTER TABLE main.task_history ALTER COLUMN changes SET STATISTICS 0;
ALTER TABLE main.tasks ALTER COLUMN metadata SET STATISTICS 0;
ALTER TABLE main.webhook_deliveries ALTER COLUMN event SET STATISTICS 0;
ALTER TABLE main.workflow_instances ALTER COLUMN state SET STATISTICS 0;

ALTER TABLE main.events SET (autovacuum_analyze_threshold = 10000);
ALTER TABLE main.outbox SET (autovacuum_analyze_threshold = 10000);
ALTER TABLE main.task_history SET (autovacuum_analyze_threshold = 10000);
ALTER TABLE main.tasks SET (autovacuum_analyze_threshold = 10000);
ALTER TABLE main.webhook_deliveries SET (autovacuum_analyze_threshold = 10000);
ALTER TABLE main.workflow_instances SET (autovacuum_analyze_threshold = 10000);
