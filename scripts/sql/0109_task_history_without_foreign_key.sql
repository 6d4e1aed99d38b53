-- A task's history rows are written in the transaction that writes the task or its change, by the store alone, and go with
-- the task when the store deletes it (in the same transaction). The foreign key to main.tasks checked each history row
-- again: a lookup of the task and a lock on its row (a WAL record) for every row, which on the event path is one of each per
-- event. Dropping it is a change of the catalog only.
ALTER TABLE main.task_history DROP CONSTRAINT fk_task_history_tasks;
