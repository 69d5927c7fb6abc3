-- A search pages through the trigram index in the order leads were stored and
-- reads only the page's rows. The index's rowid is the lead's `seq`, given once
-- when the lead is stored (SQLite's own rowid may change on VACUUM; `seq` does
-- not), so a match needs no lookup to be ordered. The index keeps no copy of
-- the text (contentless), and an erasure deletes its entry by `seq`.
DROP TRIGGER lead_search_insert;
DROP TRIGGER lead_search_delete;
DROP TABLE lead_search;

ALTER TABLE leads ADD COLUMN seq INTEGER;
UPDATE leads SET seq = rowid;
CREATE UNIQUE INDEX leads_seq ON leads (seq);

CREATE VIRTUAL TABLE lead_search USING fts5(
    name, email, tokenize = 'trigram', content = '', contentless_delete = 1
);
INSERT INTO lead_search (rowid, name, email)
    SELECT seq, first_name || ' ' || last_name, email_normalized FROM leads;

-- The lead writer gives `seq` in its INSERT; any other insert gets the next one here.
CREATE TRIGGER lead_search_insert AFTER INSERT ON leads BEGIN
    UPDATE leads SET seq = (SELECT COALESCE(MAX(seq), 0) + 1 FROM leads) WHERE NEW.seq IS NULL AND rowid = NEW.rowid;
    INSERT INTO lead_search (rowid, name, email)
        SELECT seq, NEW.first_name || ' ' || NEW.last_name, NEW.email_normalized FROM leads WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER lead_search_delete AFTER DELETE ON leads BEGIN
    DELETE FROM lead_search WHERE rowid = OLD.seq;
END;
