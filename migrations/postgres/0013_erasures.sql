-- Erased leads: the tombstone that stays in the audit trail once a lead's
-- personal data, resume, notes, history and emails are deleted. `erased_by`
-- is NULL when the retention period erased it. `resume_key` (a random
-- storage key, nothing personal) is set until the file is deleted too, so a
-- deletion interrupted by a crash is finished later.
CREATE TABLE erasures (
    lead_id    UUID PRIMARY KEY,
    erased_by  UUID REFERENCES attorneys (id),
    erased_at  BIGINT NOT NULL,
    reason     TEXT NOT NULL,
    resume_key TEXT
);
CREATE INDEX erasures_pending_files ON erasures (resume_key) WHERE resume_key IS NOT NULL;
-- Retention finds the oldest leads by creation time.
CREATE INDEX leads_created_at ON leads (created_at);
