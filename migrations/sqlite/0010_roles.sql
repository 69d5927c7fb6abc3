-- Roles: administrators manage integrations (API tokens, webhooks) and, in
-- time, accounts; attorneys work leads. The first account, which until now
-- was the only one able to set things up (from the CLI), becomes the
-- administrator; everyone else stays an attorney.
ALTER TABLE attorneys ADD COLUMN role TEXT NOT NULL DEFAULT 'attorney' CHECK (role IN ('admin', 'attorney'));
UPDATE attorneys SET role = 'admin' WHERE id = (SELECT id FROM attorneys ORDER BY created_at, id LIMIT 1);
