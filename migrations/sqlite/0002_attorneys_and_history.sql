-- Attorney accounts. Passwords are argon2id PHC strings.
CREATE TABLE attorneys (
    id               TEXT PRIMARY KEY NOT NULL,
    email            TEXT NOT NULL,
    email_normalized TEXT NOT NULL UNIQUE,
    display_name     TEXT NOT NULL,
    password_hash    TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    disabled         INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1))
);

-- Who marked a lead reached out, and when.
ALTER TABLE leads ADD COLUMN reached_out_at INTEGER;
ALTER TABLE leads ADD COLUMN reached_out_by TEXT REFERENCES attorneys (id);

-- Every change to a lead, in order. The id doubles as the live stream's event id.
CREATE TABLE lead_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    lead_id     TEXT NOT NULL REFERENCES leads (id),
    kind        TEXT NOT NULL CHECK (kind IN ('CREATED', 'STATE_CHANGED')),
    state       TEXT NOT NULL CHECK (state IN ('PENDING', 'REACHED_OUT')),
    attorney_id TEXT REFERENCES attorneys (id),
    at          INTEGER NOT NULL
);
CREATE INDEX lead_events_lead ON lead_events (lead_id, id);

-- The dashboard lists newest first (ids are time-ordered), optionally by state.
CREATE INDEX leads_state_id ON leads (state, id);
