-- Each sign-in (a browser's session), so an attorney can see and end them.
-- `device` is a few words from the User-Agent ("Chrome on Linux"), never the
-- header; `address` the client's IP. A row lives as long as its session (at
-- most 12 hours, less when idle or ended) and is pruned after.
-- The session record (`sessions`) names its row; a session whose row is
-- gone is signed out.
CREATE TABLE signins (
    id             UUID PRIMARY KEY,
    attorney_id    UUID NOT NULL REFERENCES attorneys(id),
    device         TEXT NOT NULL,
    address        TEXT NOT NULL,
    signed_in_at   BIGINT NOT NULL,
    last_seen_at   BIGINT NOT NULL
);
CREATE INDEX signins_by_attorney ON signins (attorney_id, last_seen_at);

-- Browsers an account has signed in from, to email the account when one it
-- has never used signs in. The browser keeps a random secret in a cookie;
-- only its SHA-256 is stored. Forgotten after 400 days unused.
CREATE TABLE known_browsers (
    attorney_id    UUID NOT NULL REFERENCES attorneys(id),
    browser_hash   TEXT NOT NULL,
    last_seen_at   BIGINT NOT NULL,
    PRIMARY KEY (attorney_id, browser_hash)
);

-- Ending an account's sessions (logging out, a new password, a disabling,
-- a reset second factor) deletes their rows, whatever path moved the epoch.
CREATE FUNCTION intake_end_signins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.sessions_valid_after > OLD.sessions_valid_after THEN
        DELETE FROM signins WHERE attorney_id = NEW.id AND signed_in_at < NEW.sessions_valid_after;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER attorneys_end_signins AFTER UPDATE ON attorneys FOR EACH ROW EXECUTE FUNCTION intake_end_signins();
