-- Leads submitted by prospects. Times are Unix milliseconds (UTC), as in the SQLite schema.
CREATE TABLE leads (
    id                  UUID PRIMARY KEY,            -- UUID v7: time-ordered, unguessable
    first_name          TEXT NOT NULL,
    last_name           TEXT NOT NULL,
    email               TEXT NOT NULL,
    email_normalized    TEXT NOT NULL,
    state               TEXT NOT NULL DEFAULT 'PENDING' CHECK (state IN ('PENDING', 'REACHED_OUT')),
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    resume_file_name    TEXT NOT NULL,
    resume_content_type TEXT NOT NULL,
    resume_size         BIGINT NOT NULL CHECK (resume_size > 0),
    resume_sha256       TEXT NOT NULL,
    resume_key          TEXT NOT NULL UNIQUE
);
CREATE UNIQUE INDEX leads_email_normalized_key ON leads (email_normalized);

CREATE TABLE outbox (
    id              UUID PRIMARY KEY,
    lead_id         UUID REFERENCES leads (id),
    kind            TEXT NOT NULL,
    recipients      TEXT NOT NULL,
    reply_to        TEXT,
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    body_html       TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'QUEUED' CHECK (status IN ('QUEUED', 'SENT', 'FAILED')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT,
    next_attempt_at BIGINT NOT NULL,
    locked_until    BIGINT,
    created_at      BIGINT NOT NULL,
    sent_at         BIGINT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_lead ON outbox (lead_id);
