-- Tokens may expire (NULL: never).
ALTER TABLE api_tokens ADD COLUMN expires_at INTEGER;

-- Trust in an account ends with its password or its disabling: its API
-- tokens are revoked (enabling it again brings none back), and its unused
-- one-time links (invitation, reset) die, as they do when its role changes.
-- Triggers, so the browser, the CLI and any future path do it alike.
CREATE TRIGGER attorneys_revoke_tokens AFTER UPDATE OF password_hash, disabled ON attorneys
WHEN NEW.password_hash IS NOT OLD.password_hash OR (NEW.disabled = 1 AND OLD.disabled = 0)
BEGIN
    UPDATE api_tokens SET revoked_at = NEW.sessions_valid_after WHERE attorney_id = NEW.id AND revoked_at IS NULL;
END;

CREATE TRIGGER attorneys_retire_links AFTER UPDATE OF password_hash, disabled, role ON attorneys
WHEN NEW.password_hash IS NOT OLD.password_hash OR (NEW.disabled = 1 AND OLD.disabled = 0) OR NEW.role IS NOT OLD.role
BEGIN
    UPDATE account_links SET expires_at = MIN(expires_at, NEW.sessions_valid_after)
    WHERE attorney_id = NEW.id AND used_at IS NULL;
END;
