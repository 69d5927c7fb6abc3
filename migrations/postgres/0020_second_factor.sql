-- Authenticator codes (TOTP) as a second factor. The shared secret is kept
-- sealed with INTAKE_SECRET_KEY (ChaCha20-Poly1305, bound to the account's
-- id), never in clear. `confirmed_at` is NULL while an enrolment waits for its
-- first code. `last_step` is the newest 30-second step accepted: a code is
-- accepted once, and never one older than the last.
CREATE TABLE attorney_totp (
    attorney_id   UUID PRIMARY KEY REFERENCES attorneys(id),
    secret_sealed BYTEA NOT NULL,
    created_at    BIGINT NOT NULL,
    confirmed_at  BIGINT,
    last_step     BIGINT NOT NULL DEFAULT 0
);

-- Single-use recovery codes, stored as SHA-256 hashes (each code holds 50
-- random bits, so a fast hash is enough). A new set replaces the old one.
CREATE TABLE recovery_codes (
    attorney_id UUID NOT NULL REFERENCES attorneys(id),
    code_hash   TEXT NOT NULL,
    used_at     BIGINT,
    PRIMARY KEY (attorney_id, code_hash)
);
