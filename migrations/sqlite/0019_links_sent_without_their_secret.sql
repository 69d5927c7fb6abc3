-- An invitation or reset email is stored without its link's secret: the
-- sender makes the secret when it sends the email and puts it in then, so
-- no table, backup or dump holds a usable link. Links get an id to be found by.
ALTER TABLE account_links ADD COLUMN id TEXT;
CREATE UNIQUE INDEX account_links_id ON account_links (id);
ALTER TABLE outbox ADD COLUMN link_id TEXT;

-- Emails from before held their link in clear: emptied; one still waiting
-- is given up (an administrator sends a new link).
UPDATE outbox SET body_text = '', body_html = '',
    last_error = CASE WHEN status = 'QUEUED' THEN 'withdrawn: it held its link in clear; send a new link' ELSE last_error END,
    status = CASE WHEN status = 'QUEUED' THEN 'FAILED' ELSE status END
WHERE kind IN ('invitation', 'password_reset');
