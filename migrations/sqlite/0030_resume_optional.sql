-- A firm may make the resume optional for a matter type: a lead may have no
-- resume, so its five resume columns become nullable, all set or all NULL.
--
-- SQLite cannot drop NOT NULL with ALTER TABLE, and rebuilding `leads` here
-- would cascade into every table that refers to it (this migration runs in a
-- transaction, where foreign keys cannot be turned off). Dropping NOT NULL
-- changes nothing stored and no index, so it is done the way SQLite's manual
-- describes for that case ("Making Other Kinds Of Table Schema Changes"):
-- the table's CREATE statement is edited in place, then the schema version
-- moves on so that every connection reads it again. The migrating
-- connection itself is closed afterwards (`SqliteDb::connect`).
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql =
    replace(replace(replace(replace(replace(sql,
        'resume_file_name    TEXT NOT NULL', 'resume_file_name    TEXT'),
        'resume_content_type TEXT NOT NULL', 'resume_content_type TEXT'),
        'resume_size         INTEGER NOT NULL', 'resume_size         INTEGER'),
        'resume_sha256       TEXT NOT NULL', 'resume_sha256       TEXT'),
        'resume_key          TEXT NOT NULL', 'resume_key          TEXT')
    WHERE type = 'table' AND name = 'leads';
PRAGMA writable_schema = OFF;

-- Fails the migration (and so rolls it back) if any of the five edits did not apply.
CREATE TEMP TABLE resume_optional_check (edited INTEGER NOT NULL CHECK (edited));
INSERT INTO resume_optional_check
    SELECT instr(sql, 'resume_file_name    TEXT NOT NULL') = 0
       AND instr(sql, 'resume_content_type TEXT NOT NULL') = 0
       AND instr(sql, 'resume_size         INTEGER NOT NULL') = 0
       AND instr(sql, 'resume_sha256       TEXT NOT NULL') = 0
       AND instr(sql, 'resume_key          TEXT NOT NULL') = 0
    FROM sqlite_schema WHERE type = 'table' AND name = 'leads';
DROP TABLE resume_optional_check;

-- A schema change of its own, which moves the schema version on.
CREATE TABLE resume_optional_bump (x);
DROP TABLE resume_optional_bump;

-- All five or none: a resume is whole or absent.
CREATE TRIGGER leads_resume_whole_insert BEFORE INSERT ON leads
WHEN NOT ((NEW.resume_key IS NULL) = (NEW.resume_file_name IS NULL)
      AND (NEW.resume_key IS NULL) = (NEW.resume_content_type IS NULL)
      AND (NEW.resume_key IS NULL) = (NEW.resume_size IS NULL)
      AND (NEW.resume_key IS NULL) = (NEW.resume_sha256 IS NULL))
BEGIN
    SELECT RAISE(ABORT, 'a resume is stored whole or not at all');
END;
CREATE TRIGGER leads_resume_whole_update BEFORE UPDATE OF resume_file_name, resume_content_type, resume_size, resume_sha256, resume_key ON leads
WHEN NOT ((NEW.resume_key IS NULL) = (NEW.resume_file_name IS NULL)
      AND (NEW.resume_key IS NULL) = (NEW.resume_content_type IS NULL)
      AND (NEW.resume_key IS NULL) = (NEW.resume_size IS NULL)
      AND (NEW.resume_key IS NULL) = (NEW.resume_sha256 IS NULL))
BEGIN
    SELECT RAISE(ABORT, 'a resume is stored whole or not at all');
END;
