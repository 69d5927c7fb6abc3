-- SQLite writes a long parties list in several short transactions (so
-- submissions go on meanwhile). An import is a row here from its first write
-- until its last: one left unfinished (a crash, a restart) may have changed
-- the list without queueing the rechecks, so the next import queues them.
CREATE TABLE party_imports (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER
);
