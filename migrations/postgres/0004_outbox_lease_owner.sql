-- Which instance holds a message's lease: it renews its own leases while it
-- sends (a heartbeat) and frees them when it stops, so a dead instance's
-- messages are free again as soon as its short lease runs out.
ALTER TABLE outbox ADD COLUMN locked_by UUID;
