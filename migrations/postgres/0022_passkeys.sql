-- Passkeys (WebAuthn): an account may have several, each named by its owner.
-- `credential` is the credential as webauthn-rs keeps it (JSON): its id,
-- public key and signature counter. Nothing in it is secret: the private key
-- never leaves the authenticator. `credential_id` (hex) finds the
-- passkey a browser offers at sign-in; a credential belongs to one account.
CREATE TABLE passkeys (
    id            UUID PRIMARY KEY,
    attorney_id   UUID NOT NULL REFERENCES attorneys(id),
    credential_id TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    credential    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT
);
CREATE INDEX passkeys_by_attorney ON passkeys (attorney_id, created_at);

-- A WebAuthn ceremony under way (adding a passkey, or signing in with one):
-- the challenge sent to the browser and what it must be checked against,
-- kept here rather than trusted back from the browser. Taken once (deleted
-- as it is read), refused after `expires_at`, pruned after.
CREATE TABLE passkey_ceremonies (
    id          UUID PRIMARY KEY,
    attorney_id UUID,
    purpose     TEXT NOT NULL,
    state       TEXT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX passkey_ceremonies_by_expiry ON passkey_ceremonies (expires_at);
