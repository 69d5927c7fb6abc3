-- Lead counts, updated once per statement instead of once per row: a group
-- commit inserts hundreds of leads in one statement, and updating a counter
-- row per lead left hundreds of dead versions of it per transaction (the
-- table grew to thousands of pages for 32 rows, and every dashboard total
-- read them all). Transition tables give each statement's rows at once.
DROP TRIGGER leads_count_insert_delete ON leads;
DROP TRIGGER leads_count_update ON leads;
DROP FUNCTION lead_counts_apply();

CREATE FUNCTION lead_counts_apply_statement() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    my_slot SMALLINT := pg_backend_pid() % 16;
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE lead_counts c SET n = c.n + d.n
            FROM (SELECT state, COUNT(*) AS n FROM new_rows GROUP BY state) AS d
            WHERE c.state = d.state AND c.slot = my_slot;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE lead_counts c SET n = c.n - d.n
            FROM (SELECT state, COUNT(*) AS n FROM old_rows GROUP BY state) AS d
            WHERE c.state = d.state AND c.slot = my_slot;
    ELSE
        UPDATE lead_counts c SET n = c.n + d.n
            FROM (SELECT state, SUM(n) AS n FROM (
                      SELECT state, COUNT(*) AS n FROM new_rows GROUP BY state
                      UNION ALL
                      SELECT state, -COUNT(*) AS n FROM old_rows GROUP BY state) AS x
                  GROUP BY state HAVING SUM(n) <> 0) AS d
            WHERE c.state = d.state AND c.slot = my_slot;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER leads_count_insert AFTER INSERT ON leads
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION lead_counts_apply_statement();
CREATE TRIGGER leads_count_delete AFTER DELETE ON leads
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION lead_counts_apply_statement();
-- Transition tables cannot be combined with a column list (UPDATE OF state),
-- so every UPDATE statement runs it; only changed states touch a counter.
CREATE TRIGGER leads_count_update AFTER UPDATE ON leads
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION lead_counts_apply_statement();

-- Start the counters again, compacted (TRUNCATE frees the bloated pages; a
-- writer of an older version waits on the lock, then adds its own rows).
LOCK TABLE lead_counts IN ACCESS EXCLUSIVE MODE;
TRUNCATE lead_counts;
INSERT INTO lead_counts (state, slot, n)
    SELECT s.state, g.slot, 0
    FROM (VALUES ('PENDING'), ('REACHED_OUT')) AS s (state), generate_series(0, 15) AS g (slot);
UPDATE lead_counts c SET n = t.n
    FROM (SELECT state, COUNT(*) AS n FROM leads GROUP BY state) AS t
    WHERE c.state = t.state AND c.slot = 0;
