-- Fixed-window counters shared by every instance: login attempts per account
-- and per address, submissions per client. Losing them in a crash only resets
-- the windows, so the table is not WAL-logged.
CREATE UNLOGGED TABLE counters (
    key          TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    hits         INTEGER NOT NULL,
    locked_until BIGINT
);
CREATE INDEX counters_window ON counters (window_start);
