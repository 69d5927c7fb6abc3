-- Leads per state, kept by triggers, so the dashboard's totals need not count 100,000 rows.
CREATE TABLE lead_counts (
    state TEXT PRIMARY KEY NOT NULL CHECK (state IN ('PENDING', 'REACHED_OUT')),
    n     INTEGER NOT NULL
);
INSERT INTO lead_counts (state, n) VALUES
    ('PENDING', (SELECT COUNT(*) FROM leads WHERE state = 'PENDING')),
    ('REACHED_OUT', (SELECT COUNT(*) FROM leads WHERE state = 'REACHED_OUT'));

CREATE TRIGGER leads_count_insert AFTER INSERT ON leads BEGIN
    UPDATE lead_counts SET n = n + 1 WHERE state = NEW.state;
END;
CREATE TRIGGER leads_count_update AFTER UPDATE OF state ON leads WHEN OLD.state <> NEW.state BEGIN
    UPDATE lead_counts SET n = n - 1 WHERE state = OLD.state;
    UPDATE lead_counts SET n = n + 1 WHERE state = NEW.state;
END;
CREATE TRIGGER leads_count_delete AFTER DELETE ON leads BEGIN
    UPDATE lead_counts SET n = n - 1 WHERE state = OLD.state;
END;
