-- Substring search over names and emails without scanning every lead: an FTS5
-- trigram index (case-insensitive), kept by triggers. Searches of 3+ characters use it.
CREATE VIRTUAL TABLE lead_search USING fts5(lead_id UNINDEXED, name, email, tokenize = 'trigram');
INSERT INTO lead_search (lead_id, name, email)
    SELECT id, first_name || ' ' || last_name, email_normalized FROM leads;
CREATE TRIGGER lead_search_insert AFTER INSERT ON leads BEGIN
    INSERT INTO lead_search (lead_id, name, email)
        VALUES (NEW.id, NEW.first_name || ' ' || NEW.last_name, NEW.email_normalized);
END;
CREATE TRIGGER lead_search_delete AFTER DELETE ON leads BEGIN
    DELETE FROM lead_search WHERE lead_id = OLD.id;
END;
