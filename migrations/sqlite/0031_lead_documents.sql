-- Files a prospect sends in answer to the firm's document questions (a
-- passport, an offer letter): checked by content and stored like the resume
-- (the same storage, under a random key), at most one per question, erased
-- with the lead.
CREATE TABLE lead_documents (
    lead_id      TEXT NOT NULL REFERENCES leads (id),
    question_key TEXT NOT NULL,
    file_name    TEXT NOT NULL,               -- the client's name, cleaned, for downloads only
    content_type TEXT NOT NULL,               -- detected from content
    size         INTEGER NOT NULL CHECK (size > 0),
    sha256       TEXT NOT NULL,
    file_key     TEXT NOT NULL UNIQUE,        -- storage key, generated
    PRIMARY KEY (lead_id, question_key)
) WITHOUT ROWID;

-- An erased lead's document files until they are deleted from storage (its
-- resume's key waits on its tombstone, `erasures.resume_key`). Random keys only.
CREATE TABLE erased_files (
    file_key  TEXT PRIMARY KEY NOT NULL,
    lead_id   TEXT NOT NULL,
    erased_at INTEGER NOT NULL
);
