-- The dashboard filters by matter type and searches short-text and phone
-- answers as well as names and emails. Both are copied onto the lead's row
-- when it is stored (personal data, erased with the row): `answers_text` is
-- the short-text and phone answers, one per line
-- (intake_domain::questions::MatterType::searchable).
ALTER TABLE leads ADD COLUMN matter_type TEXT;
ALTER TABLE leads ADD COLUMN answers_text TEXT NOT NULL DEFAULT '';
CREATE INDEX leads_matter_type ON leads (matter_type, id);

-- Leads stored before this version: their matter type, and their short-text
-- and phone answers read through the form version they answered.
UPDATE leads SET matter_type = (SELECT a.matter_type FROM lead_answers a WHERE a.lead_id = leads.id)
    WHERE id IN (SELECT lead_id FROM lead_answers);
UPDATE leads SET answers_text = COALESCE((
        SELECT group_concat(ans.value, char(10))
        FROM lead_answers la
        JOIN intake_forms f ON f.version = la.form_version
        JOIN json_each(f.definition, '$.matter_types') m ON json_extract(m.value, '$.key') = la.matter_type
        JOIN json_each(m.value, '$.questions') q
        JOIN json_each(la.answers) ans ON ans.key = json_extract(q.value, '$.key')
        WHERE la.lead_id = leads.id AND json_extract(q.value, '$.kind') IN ('short_text', 'phone')), '')
    WHERE id IN (SELECT lead_id FROM lead_answers);

-- The trigram index gains the answers: rebuilt (it is contentless), as in 0016.
DROP TRIGGER lead_search_insert;
DROP TRIGGER lead_search_delete;
DROP TABLE lead_search;
CREATE VIRTUAL TABLE lead_search USING fts5(
    name, email, answers, tokenize = 'trigram', content = '', contentless_delete = 1
);
INSERT INTO lead_search (lead_search, rank) VALUES ('secure-delete', 1);
INSERT INTO lead_search (rowid, name, email, answers)
    SELECT seq, first_name || ' ' || last_name, email_normalized, answers_text FROM leads;
CREATE TRIGGER lead_search_insert AFTER INSERT ON leads BEGIN
    UPDATE leads SET seq = (SELECT COALESCE(MAX(seq), 0) + 1 FROM leads) WHERE NEW.seq IS NULL AND rowid = NEW.rowid;
    INSERT INTO lead_search (rowid, name, email, answers)
        SELECT seq, NEW.first_name || ' ' || NEW.last_name, NEW.email_normalized, NEW.answers_text
        FROM leads WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER lead_search_delete AFTER DELETE ON leads BEGIN
    DELETE FROM lead_search WHERE rowid = OLD.seq;
END;
