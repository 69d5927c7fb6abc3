-- tower-sessions' table (the schema its SQLite store would create at start-up),
-- made here so that no DDL runs after the lead writer's own connection opens:
-- a table created later made that connection's next insert into outbox fail
-- with "no such table: leads" (its foreign-key check, after the schema reload).
CREATE TABLE IF NOT EXISTS sessions (
    id          TEXT PRIMARY KEY NOT NULL,
    data        BLOB NOT NULL,
    expiry_date INTEGER NOT NULL
);
