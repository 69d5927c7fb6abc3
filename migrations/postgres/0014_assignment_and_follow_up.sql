-- Who works a lead (NULL: nobody yet). "Mine" lists a person's leads by state, newest first.
ALTER TABLE leads ADD COLUMN assigned_to UUID REFERENCES attorneys (id);
CREATE INDEX leads_assigned ON leads (assigned_to, state, id) WHERE assigned_to IS NOT NULL;

-- The history gains assignments ('ASSIGNED', to `assignee_id`; NULL when a lead is unassigned).
ALTER TABLE lead_events DROP CONSTRAINT lead_events_kind_check;
ALTER TABLE lead_events ADD CONSTRAINT lead_events_kind_check
    CHECK (kind IN ('CREATED', 'STATE_CHANGED', 'ASSIGNED'));
ALTER TABLE lead_events ADD COLUMN assignee_id UUID REFERENCES attorneys (id);

-- Follow-up digests: one row per day sent, so several instances send it once.
CREATE TABLE digests (
    day     TEXT PRIMARY KEY,
    sent_at BIGINT NOT NULL
);
