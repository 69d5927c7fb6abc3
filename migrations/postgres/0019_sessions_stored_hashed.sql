-- Sessions are now stored under a hash of their id (the cookie's secret):
-- the records stored under the id itself are dropped (everyone logs in again once).
-- The table belongs to tower-sessions' store, created at start-up: it may not exist yet.
DO $$
BEGIN
    IF to_regclass('tower_sessions.session') IS NOT NULL THEN
        DELETE FROM tower_sessions.session;
    END IF;
END
$$;
