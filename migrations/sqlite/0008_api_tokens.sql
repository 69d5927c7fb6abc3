-- Bearer tokens for the integrator API (`/api/v1/`). Only a SHA-256 of the
-- secret is kept: a token is 256 random bits, so a slow hash adds nothing.
-- Each belongs to the attorney who made it; its writes are theirs, marked as
-- made through the token in the lead's history.
CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    scope        TEXT NOT NULL CHECK (scope IN ('read', 'write')),
    secret_hash  TEXT NOT NULL UNIQUE,
    attorney_id  TEXT NOT NULL REFERENCES attorneys (id),
    created_at   INTEGER NOT NULL,
    revoked_at   INTEGER,
    last_used_at INTEGER
);

ALTER TABLE lead_events ADD COLUMN token_id TEXT REFERENCES api_tokens (id);
