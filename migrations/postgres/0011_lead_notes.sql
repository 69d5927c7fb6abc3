-- Attorneys' notes on a lead, shown in its timeline. Plain text; only the
-- author may edit one, within minutes, and the edit shows.
CREATE TABLE lead_notes (
    id          UUID PRIMARY KEY,
    lead_id     UUID NOT NULL REFERENCES leads (id),
    attorney_id UUID NOT NULL REFERENCES attorneys (id),
    body        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    edited_at   BIGINT
);
CREATE INDEX lead_notes_lead ON lead_notes (lead_id, created_at);
