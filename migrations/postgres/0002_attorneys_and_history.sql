CREATE TABLE attorneys (
    id               UUID PRIMARY KEY,
    email            TEXT NOT NULL,
    email_normalized TEXT NOT NULL UNIQUE,
    display_name     TEXT NOT NULL,
    password_hash    TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    disabled         BOOLEAN NOT NULL DEFAULT FALSE
);

ALTER TABLE leads ADD COLUMN reached_out_at BIGINT;
ALTER TABLE leads ADD COLUMN reached_out_by UUID REFERENCES attorneys (id);

CREATE TABLE lead_events (
    id          BIGSERIAL PRIMARY KEY,
    lead_id     UUID NOT NULL REFERENCES leads (id),
    kind        TEXT NOT NULL CHECK (kind IN ('CREATED', 'STATE_CHANGED')),
    state       TEXT NOT NULL CHECK (state IN ('PENDING', 'REACHED_OUT')),
    attorney_id UUID REFERENCES attorneys (id),
    at          BIGINT NOT NULL
);
CREATE INDEX lead_events_lead ON lead_events (lead_id, id);
CREATE INDEX leads_state_id ON leads (state, id);
