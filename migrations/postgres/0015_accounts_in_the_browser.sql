-- One-time links to set a password: an invitation to a new colleague, or a
-- reset an administrator sent. Only a SHA-256 of the link's secret is kept.
CREATE TABLE account_links (
    token_hash  TEXT PRIMARY KEY,
    attorney_id UUID NOT NULL REFERENCES attorneys (id),
    purpose     TEXT NOT NULL CHECK (purpose IN ('invite', 'reset')),
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX account_links_attorney ON account_links (attorney_id);

-- Who did what to which account, and when. `actor_id` is NULL for the command line.
CREATE TABLE account_audit (
    id        BIGSERIAL PRIMARY KEY,
    at        BIGINT NOT NULL,
    actor_id  UUID REFERENCES attorneys (id),
    action    TEXT NOT NULL,
    target_id UUID NOT NULL REFERENCES attorneys (id),
    detail    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX account_audit_action ON account_audit (action, id);
