-- Sessions are now stored under a hash of their id (the cookie's secret):
-- the records stored under the id itself are dropped (everyone logs in again once).
DELETE FROM sessions;
