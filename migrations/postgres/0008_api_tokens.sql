-- Bearer tokens for the integrator API (`/api/v1/`). Only a SHA-256 of the
-- secret is kept: a token is 256 random bits, so a slow hash adds nothing.
-- Each belongs to the attorney who made it; its writes are theirs, marked as
-- made through the token in the lead's history.
CREATE TABLE api_tokens (
    id           UUID PRIMARY KEY,
    name         TEXT NOT NULL,
    scope        TEXT NOT NULL CHECK (scope IN ('read', 'write')),
    secret_hash  TEXT NOT NULL UNIQUE,
    attorney_id  UUID NOT NULL REFERENCES attorneys (id),
    created_at   BIGINT NOT NULL,
    revoked_at   BIGINT,
    last_used_at BIGINT
);

ALTER TABLE lead_events ADD COLUMN token_id UUID REFERENCES api_tokens (id);
