-- Added by TaskService: when an embedded workflow instance next has a command to run (NULL: none). A silo runs due commands
-- with in-memory timers; the sweeper of every silo wakes instances whose commands are overdue (the silo that held them went
-- down), so no instance needs an Orleans reminder (two writes per instance) on the happy path.
ALTER TABLE main.workflow_instances ADD COLUMN due_on timestamptz NULL;
CREATE INDEX ix_workflow_instances_due_on ON main.workflow_instances (due_on) WHERE due_on IS NOT NULL;
