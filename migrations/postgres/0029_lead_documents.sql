-- Files a prospect sends in answer to the firm's document questions (a
-- passport, an offer letter): checked by content and stored like the resume
-- (the same storage, under a random key), at most one per question, erased
-- with the lead.
CREATE TABLE lead_documents (
    lead_id      UUID NOT NULL REFERENCES leads (id),
    question_key TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL CHECK (size > 0),
    sha256       TEXT NOT NULL,
    file_key     TEXT NOT NULL UNIQUE,
    PRIMARY KEY (lead_id, question_key)
);

-- An erased lead's document files until they are deleted from storage (its
-- resume's key waits on its tombstone, `erasures.resume_key`). Random keys only.
CREATE TABLE erased_files (
    file_key  TEXT PRIMARY KEY,
    lead_id   UUID NOT NULL,
    erased_at BIGINT NOT NULL
);
