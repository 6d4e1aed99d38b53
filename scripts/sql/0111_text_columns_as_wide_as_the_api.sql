-- Columns narrower than what the API takes for them become text, so that PostgreSQL keeps every value the service accepts
-- (the embedded store always did): a task's priority and severity (varchar(100)) and type (varchar(200)) are names, which
-- the API takes up to TaskService:Limits:MaxNameLength (500); a webhook URL (varchar(2000)) up to MaxUrlLength (2048); who
-- made, changed or deleted a row, an assignee and the author of a history entry are the caller's token subject, which no
-- limit bounds but the request's headers; a workflow's process id comes from its BPMN. Each of these made PostgreSQL
-- refuse the write with an error where the request was valid. The limits stay in the service, where they are named.
-- varchar to text keeps every value and index as it is: PostgreSQL rewrites neither the tables nor their indexes.

ALTER TABLE main.tasks
    ALTER COLUMN priority TYPE text,
    ALTER COLUMN severity TYPE text,
    ALTER COLUMN "type" TYPE text,
    ALTER COLUMN created_by TYPE text,
    ALTER COLUMN modified_by TYPE text,
    ALTER COLUMN deleted_by TYPE text;

ALTER TABLE main.user_tasks
    ALTER COLUMN assignee TYPE text,
    ALTER COLUMN created_by TYPE text,
    ALTER COLUMN modified_by TYPE text,
    ALTER COLUMN deleted_by TYPE text;

ALTER TABLE main.task_history
    ALTER COLUMN by_user TYPE text;

ALTER TABLE main.event_workflows
    ALTER COLUMN created_by TYPE text,
    ALTER COLUMN modified_by TYPE text,
    ALTER COLUMN deleted_by TYPE text;

ALTER TABLE main.task_workflows
    ALTER COLUMN created_by TYPE text,
    ALTER COLUMN modified_by TYPE text,
    ALTER COLUMN deleted_by TYPE text;

ALTER TABLE main.workflows
    ALTER COLUMN external_identifier TYPE text,
    ALTER COLUMN created_by TYPE text,
    ALTER COLUMN modified_by TYPE text,
    ALTER COLUMN deleted_by TYPE text;

ALTER TABLE main.workflow_versions
    ALTER COLUMN external_workflow_id TYPE text;

ALTER TABLE main.workflow_instances
    ALTER COLUMN process_id TYPE text;

ALTER TABLE main.webhook_subscriptions
    ALTER COLUMN url TYPE text;
