-- An erased lead leaves nothing behind. The search index removes a deleted
-- entry's data at once instead of recording a delete marker beside it
-- (FTS5 secure-delete); connections also run with PRAGMA secure_delete.
INSERT INTO lead_search (lead_search, rank) VALUES ('secure-delete', 1);

-- Resubmissions: a prospect who submits again with the same address is
-- answered as if new (the public never learns an address is known); the
-- existing lead's history records it.
CREATE TABLE lead_resubmissions (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    lead_id TEXT NOT NULL REFERENCES leads (id),
    at      INTEGER NOT NULL
);
CREATE INDEX lead_resubmissions_lead ON lead_resubmissions (lead_id, at);

-- A tombstone's reason is chosen from a list, with an optional reference
-- (a ticket number): free text could hold the erased person's name.
ALTER TABLE erasures ADD COLUMN reference TEXT NOT NULL DEFAULT '';
UPDATE erasures SET reason = CASE WHEN reason LIKE 'retention period%' THEN 'retention' ELSE 'other' END;

-- What erasures before this version left in the search index: merged away now.
INSERT INTO lead_search (lead_search) VALUES ('optimize');

-- Digests from before named prospects: the next outbox-retention sweep (a
-- second after start-up) forgets them, their `.eml` files too.
UPDATE outbox SET created_at = 0 WHERE kind = 'follow_up_digest' AND status IN ('SENT', 'FAILED');
