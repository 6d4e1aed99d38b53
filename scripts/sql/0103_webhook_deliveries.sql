-- Added by TaskService: the webhook delivery log, which is also the delivery queue. A row per event and subscription is
-- appended when the outbox hands the event over (one multi-row INSERT per outbox batch) and updated with each attempt's
-- outcome; rows are never rewritten as a whole queue. A subscription delivers its pending rows in seq order. Pending rows
-- whose next attempt is due are found through ix_webhook_deliveries_due, so no Orleans reminder is needed to resume them.
-- Delivered and failed (given up) rows are kept for TaskService:Webhooks:DeliveryLogRetention, then deleted with their attempts.
CREATE TABLE main.webhook_deliveries (
    id                 varchar(64)    NOT NULL,
    seq                bigint GENERATED ALWAYS AS IDENTITY,
    subscription_id    varchar(64)    NOT NULL,
    client_app_id      varchar(64)    NOT NULL,
    event_id           varchar(200)   NOT NULL,
    event_type         varchar(200)   NOT NULL,
    -- The outgoing event as it was handed over (contract JSON, its text kept as written: the delivery body is made from it).
    event              json           NOT NULL,
    -- The delivery this one sends again (POST /webhooks/{id}/deliveries/{deliveryId}/redeliver), or NULL.
    redelivery_of      varchar(64)    NULL,
    status             varchar(20)    NOT NULL DEFAULT 'pending',
    attempts           integer        NOT NULL DEFAULT 0,
    next_attempt_at    timestamptz    NULL,
    last_status_code   integer        NULL,
    last_error         text           NULL,
    last_duration_ms   integer        NULL,
    created_on         timestamptz    NOT NULL,
    modified_on        timestamptz    NOT NULL,
    delivered_on       timestamptz    NULL,
    CONSTRAINT pk_webhook_deliveries PRIMARY KEY (id),
    CONSTRAINT ck_webhook_deliveries_status CHECK (status IN ('pending', 'delivered', 'failed'))
);
CREATE INDEX ix_webhook_deliveries_subscription ON main.webhook_deliveries (subscription_id, seq);
CREATE INDEX ix_webhook_deliveries_due ON main.webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX ix_webhook_deliveries_finished ON main.webhook_deliveries (modified_on) WHERE status <> 'pending';

-- Every attempt of a delivery: when, what the receiver answered (or why there was no answer) and when the next one is due.
CREATE TABLE main.webhook_delivery_attempts (
    id                 varchar(80)    NOT NULL,
    delivery_id        varchar(64)    NOT NULL,
    subscription_id    varchar(64)    NOT NULL,
    attempt            integer        NOT NULL,
    attempted_on       timestamptz    NOT NULL,
    status_code        integer        NULL,
    duration_ms        integer        NOT NULL,
    error              text           NULL,
    next_attempt_at    timestamptz    NULL,
    CONSTRAINT pk_webhook_delivery_attempts PRIMARY KEY (id),
    CONSTRAINT fk_webhook_delivery_attempts_delivery FOREIGN KEY (delivery_id) REFERENCES main.webhook_deliveries (id) ON DELETE CASCADE
);
CREATE INDEX ix_webhook_delivery_attempts_delivery ON main.webhook_delivery_attempts (delivery_id, attempt);
CREATE INDEX ix_webhook_delivery_attempts_subscription ON main.webhook_delivery_attempts (subscription_id, attempted_on);
