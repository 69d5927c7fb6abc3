-- Sessions that logged in before this time (ms) are over: logging out,
-- disabling an account and resetting its password end all of its sessions.
ALTER TABLE attorneys ADD COLUMN sessions_valid_after INTEGER NOT NULL DEFAULT 0;
