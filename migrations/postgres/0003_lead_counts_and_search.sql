-- Leads per state, kept by triggers, so the dashboard's totals need not count
-- every row. Each state has 16 slots and a transaction updates the slot of its
-- own backend: concurrent inserts do not queue on one row lock until commit.
CREATE TABLE lead_counts (
    state TEXT NOT NULL CHECK (state IN ('PENDING', 'REACHED_OUT')),
    slot  SMALLINT NOT NULL CHECK (slot BETWEEN 0 AND 15),
    n     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (state, slot)
);
INSERT INTO lead_counts (state, slot, n)
    SELECT s.state, g.slot, 0
    FROM (VALUES ('PENDING'), ('REACHED_OUT')) AS s (state), generate_series(0, 15) AS g (slot);
UPDATE lead_counts c SET n = t.n
    FROM (SELECT state, COUNT(*) AS n FROM leads GROUP BY state) AS t
    WHERE c.state = t.state AND c.slot = 0;

CREATE FUNCTION lead_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    my_slot SMALLINT := pg_backend_pid() % 16;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE lead_counts SET n = n - 1 WHERE state = OLD.state AND slot = my_slot;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE lead_counts SET n = n + 1 WHERE state = NEW.state AND slot = my_slot;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER leads_count_insert_delete AFTER INSERT OR DELETE ON leads
    FOR EACH ROW EXECUTE FUNCTION lead_counts_apply();
CREATE TRIGGER leads_count_update AFTER UPDATE OF state ON leads
    FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state) EXECUTE FUNCTION lead_counts_apply();

-- Substring search over names and emails through trigram indexes (pg_trgm is a
-- trusted extension: the database owner may create it).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX leads_name_trgm ON leads USING gin (lower(first_name || ' ' || last_name) gin_trgm_ops);
CREATE INDEX leads_email_trgm ON leads USING gin (email_normalized gin_trgm_ops);
