-- The firm's intake form (matter types and their questions), a row per saved
-- version, never changed afterwards: each lead keeps the version it answered.
-- `definition` is intake_domain::questions::IntakeForm as JSON. No personal
-- data: the firm's questions, not anyone's answers.
CREATE TABLE intake_forms (
    version    BIGINT PRIMARY KEY CHECK (version > 0),
    definition TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by UUID REFERENCES attorneys (id)
);
