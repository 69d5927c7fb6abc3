-- What a lead holds of the firm's form: the language it was sent in, the form
-- version and matter type it answered, and its answers (personal data: a JSON
-- object of question key → answer as kept), and when they agreed to the
-- privacy notice. Written with the lead, never
-- changed; erasure deletes the row with the lead's other rows.
CREATE TABLE lead_answers (
    lead_id      TEXT PRIMARY KEY NOT NULL REFERENCES leads (id),
    lang         TEXT NOT NULL CHECK (lang IN ('en', 'es')),
    form_version INTEGER REFERENCES intake_forms (version),
    matter_type  TEXT,
    answers      TEXT NOT NULL,
    -- When the prospect agreed to the privacy notice of form_version (ms).
    consent_at   INTEGER
);
