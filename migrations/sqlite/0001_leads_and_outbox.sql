-- Leads submitted by prospects. Times are Unix milliseconds (UTC).
CREATE TABLE leads (
    id                  TEXT PRIMARY KEY NOT NULL,   -- UUID v7: time-ordered, unguessable
    first_name          TEXT NOT NULL,
    last_name           TEXT NOT NULL,
    email               TEXT NOT NULL,               -- as typed
    email_normalized    TEXT NOT NULL,               -- lower-cased, for uniqueness
    state               TEXT NOT NULL DEFAULT 'PENDING' CHECK (state IN ('PENDING', 'REACHED_OUT')),
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    resume_file_name    TEXT NOT NULL,               -- the client's name, for downloads only
    resume_content_type TEXT NOT NULL,               -- detected from content
    resume_size         INTEGER NOT NULL CHECK (resume_size > 0),
    resume_sha256       TEXT NOT NULL,
    resume_key          TEXT NOT NULL UNIQUE         -- storage key, generated
);
CREATE UNIQUE INDEX leads_email_normalized_key ON leads (email_normalized);

-- Emails to send, written in the same transaction as the lead they are about.
CREATE TABLE outbox (
    id              TEXT PRIMARY KEY NOT NULL,
    lead_id         TEXT REFERENCES leads (id),
    kind            TEXT NOT NULL,                   -- 'prospect_confirmation' | 'attorney_notification'
    recipients      TEXT NOT NULL,                   -- comma-separated mailboxes
    reply_to        TEXT,
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    body_html       TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'QUEUED' CHECK (status IN ('QUEUED', 'SENT', 'FAILED')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    next_attempt_at INTEGER NOT NULL,
    locked_until    INTEGER,                         -- lease held by the sender working on it
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_lead ON outbox (lead_id);
