-- A firm may make the resume optional for a matter type: a lead may have no
-- resume, so the five resume columns are nullable, all set or all NULL.
ALTER TABLE leads
    ALTER COLUMN resume_file_name DROP NOT NULL,
    ALTER COLUMN resume_content_type DROP NOT NULL,
    ALTER COLUMN resume_size DROP NOT NULL,
    ALTER COLUMN resume_sha256 DROP NOT NULL,
    ALTER COLUMN resume_key DROP NOT NULL,
    ADD CONSTRAINT leads_resume_whole CHECK (
        (resume_key IS NULL) = (resume_file_name IS NULL)
        AND (resume_key IS NULL) = (resume_content_type IS NULL)
        AND (resume_key IS NULL) = (resume_size IS NULL)
        AND (resume_key IS NULL) = (resume_sha256 IS NULL));
