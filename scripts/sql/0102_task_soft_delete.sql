-- Soft delete as the original does it (loopback4-soft-delete): deleting a task or a user task marks the row deleted, with
-- when and by whom, and every read leaves such rows out. created_by/modified_by exist since 0100 and are now filled from
-- the token's user.
ALTER TABLE main.tasks
    ADD COLUMN deleted     boolean       NOT NULL DEFAULT false,
    ADD COLUMN deleted_on  timestamptz   NULL,
    ADD COLUMN deleted_by  varchar(200)  NULL;

ALTER TABLE main.user_tasks
    ADD COLUMN deleted     boolean       NOT NULL DEFAULT false,
    ADD COLUMN deleted_on  timestamptz   NULL,
    ADD COLUMN deleted_by  varchar(200)  NULL;
