-- Resubmissions: a prospect who submits again with the same address is
-- answered as if new (the public never learns an address is known); the
-- existing lead's history records it.
CREATE TABLE lead_resubmissions (
    id      BIGSERIAL PRIMARY KEY,
    lead_id UUID NOT NULL REFERENCES leads (id),
    at      BIGINT NOT NULL
);
CREATE INDEX lead_resubmissions_lead ON lead_resubmissions (lead_id, at);

-- A tombstone's reason is chosen from a list, with an optional reference
-- (a ticket number): free text could hold the erased person's name.
ALTER TABLE erasures ADD COLUMN reference TEXT NOT NULL DEFAULT '';
UPDATE erasures SET reason = CASE WHEN reason LIKE 'retention period%' THEN 'retention' ELSE 'other' END;

-- Digests from before named prospects: the next outbox-retention sweep (a
-- second after start-up) forgets them.
UPDATE outbox SET created_at = 0 WHERE kind = 'follow_up_digest' AND status IN ('SENT', 'FAILED');
