-- Audit fields and soft delete, as the original's models give them (UserModifiableEntity with loopback4-soft-delete), for
-- workflows and for event and task mappings. Workflow versions have neither in the original (its WorkflowVersion is a plain
-- entity) and have none here.
--
-- A deleted row keeps its keys but does not hold them: the unique keys become partial indexes over live rows, so a workflow
-- with the process id of a deleted one, or a mapping with the keys of a deleted one, can be created again. The indexes keep
-- the constraint names, which the service reports a conflict by.

ALTER TABLE main.workflows
    ADD COLUMN deleted     boolean       NOT NULL DEFAULT false,
    ADD COLUMN deleted_on  timestamptz   NULL,
    ADD COLUMN deleted_by  varchar(200)  NULL;
ALTER TABLE main.workflows DROP CONSTRAINT uq_workflows_external_identifier;
CREATE UNIQUE INDEX uq_workflows_external_identifier ON main.workflows (external_identifier) WHERE NOT deleted;

ALTER TABLE main.event_workflows
    ADD COLUMN created_by  varchar(200)  NULL,
    ADD COLUMN modified_by varchar(200)  NULL,
    ADD COLUMN deleted     boolean       NOT NULL DEFAULT false,
    ADD COLUMN deleted_on  timestamptz   NULL,
    ADD COLUMN deleted_by  varchar(200)  NULL;
ALTER TABLE main.event_workflows DROP CONSTRAINT uq_event_workflows_keys;
CREATE UNIQUE INDEX uq_event_workflows_keys ON main.event_workflows (event_key, workflow_key) WHERE NOT deleted;

ALTER TABLE main.task_workflows
    ADD COLUMN created_by  varchar(200)  NULL,
    ADD COLUMN modified_by varchar(200)  NULL,
    ADD COLUMN deleted     boolean       NOT NULL DEFAULT false,
    ADD COLUMN deleted_on  timestamptz   NULL,
    ADD COLUMN deleted_by  varchar(200)  NULL;
ALTER TABLE main.task_workflows DROP CONSTRAINT uq_task_workflows_keys;
CREATE UNIQUE INDEX uq_task_workflows_keys ON main.task_workflows (task_key, workflow_key) WHERE NOT deleted;
