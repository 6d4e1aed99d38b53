-- The task service's own tables, in schema "main", with the table and column names of @sourceloop/task-service's migrations
-- so that existing data can be moved. Fixed against the original: event timestamps are bigint (milliseconds since the epoch),
-- payloads and metadata are jsonb, ids are text (TaskService derives ids from what created them), and every table people
-- filter or sort has indexes for those columns.

CREATE SCHEMA IF NOT EXISTS main;

CREATE TABLE main.events (
    id           varchar(200)  NOT NULL,
    "key"        varchar(500)  NOT NULL,
    description  text          NULL,
    source       text          NULL,
    payload      jsonb         NOT NULL DEFAULT '{}'::jsonb,
    "timestamp"  bigint        NOT NULL,
    -- Added by TaskService: when the event's mapped workflows were started. An event recorded but not yet routed (its silo
    -- went down in between) is routed again by any silo; starting workflows is idempotent.
    routed_on    timestamptz   NULL,
    CONSTRAINT pk_events_id PRIMARY KEY (id)
);
CREATE INDEX ix_events_unrouted ON main.events ("timestamp") WHERE routed_on IS NULL;
CREATE INDEX ix_events_key_timestamp ON main.events ("key", "timestamp", id);
CREATE INDEX ix_events_timestamp ON main.events ("timestamp", id);
CREATE INDEX ix_events_source ON main.events (source);

CREATE TABLE main.tasks (
    id           varchar(64)   NOT NULL,
    "key"        varchar(500)  NOT NULL,
    name         text          NOT NULL,
    description  text          NULL,
    status       varchar(20)   NOT NULL DEFAULT 'pending',
    priority     varchar(100)  NULL,
    severity     varchar(100)  NULL,
    "type"       varchar(200)  NULL,
    assignee_id  varchar(200)  NULL,
    start_date   timestamptz   NULL,
    due_date     timestamptz   NULL,
    end_date     timestamptz   NULL,
    metadata     jsonb         NULL,
    external_id  varchar(200)  NULL,
    notes        text          NULL,
    event_id     varchar(200)  NULL,
    created_on   timestamptz   NOT NULL,
    modified_on  timestamptz   NOT NULL,
    created_by   varchar(200)  NULL,
    modified_by  varchar(200)  NULL,
    CONSTRAINT pk_tasks_id PRIMARY KEY (id),
    CONSTRAINT ck_tasks_status CHECK (status IN ('pending', 'in progress', 'completed'))
);
CREATE INDEX ix_tasks_created_on ON main.tasks (created_on, id);
CREATE INDEX ix_tasks_key ON main.tasks ("key", created_on);
CREATE INDEX ix_tasks_status ON main.tasks (status, created_on);
CREATE INDEX ix_tasks_assignee_id ON main.tasks (assignee_id, status);
CREATE INDEX ix_tasks_due_date ON main.tasks (due_date);
CREATE INDEX ix_tasks_external_id ON main.tasks (external_id);

CREATE TABLE main.user_tasks (
    id                varchar(64)   NOT NULL,
    task_id           varchar(64)   NOT NULL,
    name              text          NOT NULL,
    status            varchar(20)   NOT NULL DEFAULT 'pending',
    external_id       varchar(200)  NOT NULL,
    assignee          varchar(200)  NULL,
    candidate_groups  jsonb         NULL,
    due_date          timestamptz   NULL,
    created_on        timestamptz   NOT NULL,
    modified_on       timestamptz   NOT NULL,
    created_by        varchar(200)  NULL,
    modified_by       varchar(200)  NULL,
    CONSTRAINT pk_user_tasks_id PRIMARY KEY (id),
    CONSTRAINT fk_user_tasks_tasks FOREIGN KEY (task_id) REFERENCES main.tasks (id) ON DELETE CASCADE,
    CONSTRAINT ck_user_tasks_status CHECK (status IN ('pending', 'completed'))
);
CREATE INDEX ix_user_tasks_task_id ON main.user_tasks (task_id, created_on, id);
CREATE INDEX ix_user_tasks_status ON main.user_tasks (status, created_on);
CREATE INDEX ix_user_tasks_assignee ON main.user_tasks (assignee, status);
CREATE INDEX ix_user_tasks_external_id ON main.user_tasks (external_id);

CREATE TABLE main.event_workflows (
    id            varchar(64)   NOT NULL,
    event_key     varchar(500)  NOT NULL,
    workflow_key  varchar(500)  NOT NULL,
    created_on    timestamptz   NOT NULL,
    modified_on   timestamptz   NOT NULL,
    CONSTRAINT pk_event_workflows_id PRIMARY KEY (id),
    CONSTRAINT uq_event_workflows_keys UNIQUE (event_key, workflow_key)
);

CREATE TABLE main.task_workflows (
    id            varchar(64)   NOT NULL,
    task_key      varchar(500)  NOT NULL,
    workflow_key  varchar(500)  NOT NULL,
    created_on    timestamptz   NOT NULL,
    modified_on   timestamptz   NOT NULL,
    CONSTRAINT pk_task_workflows_id PRIMARY KEY (id),
    CONSTRAINT uq_task_workflows_keys UNIQUE (task_key, workflow_key)
);

CREATE TABLE main.workflows (
    id                   varchar(64)   NOT NULL,
    name                 text          NOT NULL,
    description          text          NULL,
    external_identifier  varchar(500)  NOT NULL,
    provider             varchar(50)   NOT NULL,
    workflow_version     integer       NOT NULL,
    inputschema          jsonb         NOT NULL DEFAULT '{}'::jsonb,
    created_on           timestamptz   NOT NULL,
    modified_on          timestamptz   NOT NULL,
    created_by           varchar(200)  NULL,
    modified_by          varchar(200)  NULL,
    CONSTRAINT pk_workflows_id PRIMARY KEY (id),
    CONSTRAINT uq_workflows_external_identifier UNIQUE (external_identifier)
);
CREATE INDEX ix_workflows_created_on ON main.workflows (created_on, id);

CREATE TABLE main.workflow_versions (
    workflow_id           varchar(64)   NOT NULL,
    "version"             integer       NOT NULL,
    bpmn_diagram          text          NOT NULL,
    external_workflow_id  varchar(500)  NOT NULL,
    inputschema           jsonb         NOT NULL DEFAULT '{}'::jsonb,
    created_on            timestamptz   NOT NULL,
    CONSTRAINT pk_workflow_versions PRIMARY KEY (workflow_id, "version"),
    CONSTRAINT fk_workflow_versions_workflows FOREIGN KEY (workflow_id) REFERENCES main.workflows (id) ON DELETE CASCADE
);

-- Added by TaskService: the queryable row of each embedded workflow instance, with its engine state.
CREATE TABLE main.workflow_instances (
    id           varchar(64)   NOT NULL,
    workflow_id  varchar(64)   NOT NULL,
    process_id   varchar(500)  NOT NULL,
    "version"    integer       NOT NULL,
    status       varchar(20)   NOT NULL,
    incidents    integer       NOT NULL DEFAULT 0,
    state        jsonb         NULL,
    created_on   timestamptz   NOT NULL,
    modified_on  timestamptz   NOT NULL,
    ended_on     timestamptz   NULL,
    CONSTRAINT pk_workflow_instances_id PRIMARY KEY (id)
);
CREATE INDEX ix_workflow_instances_workflow ON main.workflow_instances (workflow_id, status, "version");
CREATE INDEX ix_workflow_instances_created_on ON main.workflow_instances (created_on, id);
CREATE INDEX ix_workflow_instances_incidents ON main.workflow_instances (incidents) WHERE incidents > 0;

CREATE TABLE main.client_apps (
    id          varchar(64)   NOT NULL,
    name        text          NOT NULL,
    api_key     varchar(200)  NOT NULL,
    -- The secret, encrypted with the configured key (AES-GCM); never stored in plain text.
    api_secret  text          NOT NULL,
    created_on  timestamptz   NOT NULL,
    CONSTRAINT pk_client_apps_id PRIMARY KEY (id),
    CONSTRAINT uq_client_apps_api_key UNIQUE (api_key)
);

CREATE TABLE main.webhook_subscriptions (
    id             varchar(64)    NOT NULL,
    "key"          varchar(500)   NOT NULL,
    url            varchar(2000)  NOT NULL,
    -- Added by TaskService: the client app that owns the subscription and whose secret signs its deliveries.
    client_app_id  varchar(64)    NOT NULL,
    status         varchar(20)    NOT NULL DEFAULT 'active',
    status_reason  text           NULL,
    created_on     timestamptz    NOT NULL,
    modified_on    timestamptz    NOT NULL,
    CONSTRAINT pk_webhook_subscriptions_id PRIMARY KEY (id),
    CONSTRAINT fk_webhook_subscriptions_client_apps FOREIGN KEY (client_app_id) REFERENCES main.client_apps (id) ON DELETE CASCADE
);
CREATE INDEX ix_webhook_subscriptions_key ON main.webhook_subscriptions ("key", status);
CREATE INDEX ix_webhook_subscriptions_client_app ON main.webhook_subscriptions (client_app_id, created_on);

-- Added by TaskService: outgoing events, written in the same transaction as the change that caused them and delivered at
-- least once by the outbox dispatcher. A row is claimed for a while (claimed_until) so that silos do not send it together.
CREATE TABLE main.outbox (
    seq            bigint GENERATED ALWAYS AS IDENTITY,
    event_id       varchar(200)  NOT NULL,
    event_key      varchar(200)  NOT NULL,
    body           jsonb         NOT NULL,
    created_on     timestamptz   NOT NULL DEFAULT now(),
    claimed_until  timestamptz   NULL,
    dispatched_on  timestamptz   NULL,
    CONSTRAINT pk_outbox PRIMARY KEY (seq),
    CONSTRAINT uq_outbox_event_id UNIQUE (event_id)
);
CREATE INDEX ix_outbox_pending ON main.outbox (seq) WHERE dispatched_on IS NULL;
