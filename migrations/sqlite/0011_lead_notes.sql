-- Attorneys' notes on a lead, shown in its timeline. Plain text; only the
-- author may edit one, within minutes, and the edit shows.
CREATE TABLE lead_notes (
    id          TEXT PRIMARY KEY NOT NULL,
    lead_id     TEXT NOT NULL REFERENCES leads (id),
    attorney_id TEXT NOT NULL REFERENCES attorneys (id),
    body        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    edited_at   INTEGER
);
CREATE INDEX lead_notes_lead ON lead_notes (lead_id, created_at);
