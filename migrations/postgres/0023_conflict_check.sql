-- Conflict of interest checks. The firm's parties, each kept once: a list
-- uploaded again keeps the rows it still holds (and their matches), by
-- `fingerprint` (its fields, normalised and joined).
CREATE TABLE parties (
    id           UUID PRIMARY KEY,
    fingerprint  TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    organisation TEXT,
    email        TEXT,
    role         TEXT NOT NULL CHECK (role IN ('client', 'former_client', 'adverse_party', 'related_party')),
    matter       TEXT,
    created_at   BIGINT NOT NULL
);
CREATE INDEX parties_email ON parties (email) WHERE email IS NOT NULL;

-- Name words (see intake_domain::conflict::name_words) of every party and of
-- every checked lead: a new lead's candidates are the rows sharing a word.
CREATE TABLE party_words (
    word     TEXT NOT NULL,
    party_id UUID NOT NULL REFERENCES parties (id) ON DELETE CASCADE,
    PRIMARY KEY (word, party_id)
);
CREATE INDEX party_words_party ON party_words (party_id);
CREATE TABLE lead_words (
    word    TEXT NOT NULL,
    lead_id UUID NOT NULL REFERENCES leads (id),
    PRIMARY KEY (word, lead_id)
);
CREATE INDEX lead_words_lead ON lead_words (lead_id);

-- A lead's matches. What the other side says is read through its id, so an
-- erased earlier lead or a removed party takes its words with it.
CREATE TABLE conflict_matches (
    lead_id    UUID NOT NULL REFERENCES leads (id),
    party_id   UUID REFERENCES parties (id) ON DELETE CASCADE,
    other_lead UUID REFERENCES leads (id),
    same_email BOOLEAN NOT NULL,
    score      DOUBLE PRECISION NOT NULL,
    CHECK ((party_id IS NULL) <> (other_lead IS NULL))
);
CREATE INDEX conflict_matches_lead ON conflict_matches (lead_id);
CREATE INDEX conflict_matches_other ON conflict_matches (other_lead) WHERE other_lead IS NOT NULL;
CREATE INDEX conflict_matches_party ON conflict_matches (party_id) WHERE party_id IS NOT NULL;

-- Where each lead stands; NULL `conflict_checked_at`: waiting for a check
-- (every lead stored before this migration is checked in the background).
ALTER TABLE leads ADD COLUMN conflict TEXT NOT NULL DEFAULT 'unchecked'
    CHECK (conflict IN ('unchecked', 'clear', 'possible', 'cleared', 'conflict'));
ALTER TABLE leads ADD COLUMN conflict_checked_at BIGINT;
CREATE INDEX leads_to_check ON leads (id) WHERE conflict_checked_at IS NULL;
CREATE INDEX leads_conflict ON leads (conflict, id);

-- The history gains conflict checks ('CONFLICT_CHECKED', when matches
-- appear or go) and attorneys' decisions ('CONFLICT_DECIDED'), with the
-- status in `detail` and a decision's note in `note`.
ALTER TABLE lead_events DROP CONSTRAINT lead_events_kind_check;
ALTER TABLE lead_events ADD CONSTRAINT lead_events_kind_check
    CHECK (kind IN ('CREATED', 'STATE_CHANGED', 'ASSIGNED', 'CONFLICT_CHECKED', 'CONFLICT_DECIDED'));
ALTER TABLE lead_events ADD COLUMN detail TEXT;
ALTER TABLE lead_events ADD COLUMN note TEXT;
