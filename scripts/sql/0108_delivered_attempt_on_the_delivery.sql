-- A delivery's last attempt, when it delivered the event, is kept in the delivery's own row (its status code, duration and,
-- new here, when it was made: last_attempted_on) rather than in a row of its own: on the event path nearly every delivery
-- succeeds at once, and that row, with its indexes and the check of its foreign key, cost about as much as the update of
-- the delivery that records the same outcome. Attempts that failed keep their rows, now in main.webhook_delivery_attempt_rows.
-- main.webhook_delivery_attempts becomes a view of both, with the columns and rows it had: an attempt row for every attempt.
-- Deliveries delivered before this script keep their attempt rows (their last_attempted_on is NULL, so the view shows each
-- attempt once).

ALTER TABLE main.webhook_deliveries ADD COLUMN last_attempted_on timestamptz NULL;

ALTER TABLE main.webhook_delivery_attempts RENAME TO webhook_delivery_attempt_rows;

CREATE VIEW main.webhook_delivery_attempts AS
SELECT a.id, a.delivery_id, a.subscription_id, a.attempt, a.attempted_on, a.status_code, a.duration_ms, a.error, a.next_attempt_at
FROM main.webhook_delivery_attempt_rows AS a
UNION ALL
SELECT (d.id || '/' || d.attempts)::varchar(80), d.id, d.subscription_id, d.attempts, d.last_attempted_on, d.last_status_code,
       coalesce(d.last_duration_ms, 0), d.last_error, d.next_attempt_at
FROM main.webhook_deliveries AS d
WHERE d.status = 'delivered' AND d.last_attempted_on IS NOT NULL;
