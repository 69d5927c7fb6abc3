-- Who works a lead (NULL: nobody yet). "Mine" lists a person's leads by state, newest first.
ALTER TABLE leads ADD COLUMN assigned_to TEXT REFERENCES attorneys (id);
CREATE INDEX leads_assigned ON leads (assigned_to, state, id) WHERE assigned_to IS NOT NULL;

-- The history gains assignments ('ASSIGNED', to `assignee_id`; NULL when a
-- lead is unassigned). SQLite cannot change a CHECK constraint in place, so
-- the table is rebuilt, keeping its ids and its id sequence: ids are the live
-- stream's event ids, and one must never be given out twice.
CREATE TABLE lead_events_new (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    lead_id     TEXT NOT NULL REFERENCES leads (id),
    kind        TEXT NOT NULL CHECK (kind IN ('CREATED', 'STATE_CHANGED', 'ASSIGNED')),
    state       TEXT NOT NULL CHECK (state IN ('PENDING', 'REACHED_OUT')),
    attorney_id TEXT REFERENCES attorneys (id),
    at          INTEGER NOT NULL,
    token_id    TEXT REFERENCES api_tokens (id),
    assignee_id TEXT REFERENCES attorneys (id)
);
INSERT INTO lead_events_new (id, lead_id, kind, state, attorney_id, at, token_id)
    SELECT id, lead_id, kind, state, attorney_id, at, token_id FROM lead_events;
DELETE FROM sqlite_sequence WHERE name = 'lead_events_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'lead_events_new', seq FROM sqlite_sequence WHERE name = 'lead_events';
DROP TABLE lead_events;
ALTER TABLE lead_events_new RENAME TO lead_events;
CREATE INDEX lead_events_lead ON lead_events (lead_id, id);

-- Follow-up digests: one row per day sent, so several instances send it once.
CREATE TABLE digests (
    day     TEXT PRIMARY KEY NOT NULL,
    sent_at INTEGER NOT NULL
);
