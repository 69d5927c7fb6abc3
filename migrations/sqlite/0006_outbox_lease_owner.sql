-- Which sender process holds a message's lease: it renews its own leases while
-- it sends, and frees them when it stops.
ALTER TABLE outbox ADD COLUMN locked_by TEXT;
