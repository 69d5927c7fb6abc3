-- The firm's intake form (matter types and their questions), a row per saved
-- version, never changed afterwards: each lead keeps the version it answered.
-- `definition` is intake_domain::questions::IntakeForm as JSON. No personal
-- data: the firm's questions, not anyone's answers.
CREATE TABLE intake_forms (
    version    INTEGER PRIMARY KEY NOT NULL CHECK (version > 0),
    definition TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT REFERENCES attorneys (id)
);
