-- Webhook endpoints: integrations told about lead events by signed POSTs.
-- The secret signs each delivery (HMAC-SHA256), so it is kept as is; it is
-- shown once, when the endpoint is added. A removed endpoint keeps its row
-- for the deliveries that name it.
CREATE TABLE webhook_endpoints (
    id         UUID PRIMARY KEY,
    url        TEXT NOT NULL,
    secret     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    removed_at BIGINT
);

-- Webhook deliveries go through the outbox beside emails: queued in the
-- transaction of the change they announce, leased, retried, reported per lead.
-- For a delivery, `kind` is the event type, `recipients` the endpoint's URL
-- and `body_text` the JSON body.
ALTER TABLE outbox ADD COLUMN channel TEXT NOT NULL DEFAULT 'email' CHECK (channel IN ('email', 'webhook'));
ALTER TABLE outbox ADD COLUMN endpoint_id UUID REFERENCES webhook_endpoints (id);
CREATE INDEX outbox_channel_due ON outbox (channel, status, next_attempt_at);
