-- The user-task inbox, forms and task history.
--
-- user_tasks.form: the user task's form (camunda:formData of its BPMN element) that completing it is checked against.
-- The inbox ("mine": assigned to the caller, or unassigned and offered to one of the caller's groups) reads live pending
-- user tasks by assignee, by candidate group (jsonb containment, GIN) and orders or bounds them by due date.
ALTER TABLE main.user_tasks ADD COLUMN form jsonb NULL;

CREATE INDEX ix_user_tasks_inbox_assignee ON main.user_tasks (assignee, status, created_on, id) WHERE NOT deleted;
CREATE INDEX ix_user_tasks_inbox_groups ON main.user_tasks USING gin (candidate_groups jsonb_path_ops) WHERE NOT deleted AND assignee IS NULL;
CREATE INDEX ix_user_tasks_due_date ON main.user_tasks (due_date) WHERE NOT deleted;

-- Every change of a task and its user tasks, written in the transaction of the change itself.
CREATE TABLE main.task_history (
    id            varchar(64)   NOT NULL,
    task_id       varchar(64)   NOT NULL,
    user_task_id  varchar(64)   NULL,
    action        varchar(40)   NOT NULL,
    changes       jsonb         NULL,
    by_user       varchar(200)  NOT NULL,
    changed_on    timestamptz   NOT NULL,
    position      integer       NOT NULL DEFAULT 0,
    CONSTRAINT pk_task_history_id PRIMARY KEY (id),
    CONSTRAINT fk_task_history_tasks FOREIGN KEY (task_id) REFERENCES main.tasks (id) ON DELETE CASCADE
);
CREATE INDEX ix_task_history_task ON main.task_history (task_id, changed_on, position, id);
