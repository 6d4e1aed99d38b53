-- A task is mostly created without an assignee, a due date or a workflow of its own (external_id) and given them later, if
-- ever. Their indexes kept an entry for each such task all the same: three index writes of every task created, on the event
-- path among them, for entries no query reads. They now hold only the tasks that have a value. A filter that compares one of
-- these fields with values (eq, inq, like) still reads its index, since such a comparison is never true of a NULL; a filter
-- for tasks without a value (for example {"assigneeId": null}) reads other indexes or the table.
DROP INDEX main.ix_tasks_assignee_id;
CREATE INDEX ix_tasks_assignee_id ON main.tasks (assignee_id, status) WHERE assignee_id IS NOT NULL;
DROP INDEX main.ix_tasks_due_date;
CREATE INDEX ix_tasks_due_date ON main.tasks (due_date) WHERE due_date IS NOT NULL;
DROP INDEX main.ix_tasks_external_id;
CREATE INDEX ix_tasks_external_id ON main.tasks (external_id) WHERE external_id IS NOT NULL;
