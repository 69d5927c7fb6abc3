-- Tokens may expire (NULL: never).
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;

-- Trust in an account ends with its password or its disabling: its API
-- tokens are revoked (enabling it again brings none back), and its unused
-- one-time links (invitation, reset) die, as they do when its role changes.
-- A trigger, so the browser, the CLI and any future path do it alike.
CREATE FUNCTION intake_trust_ends() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.password_hash IS DISTINCT FROM OLD.password_hash OR (NEW.disabled AND NOT OLD.disabled) THEN
        UPDATE api_tokens SET revoked_at = NEW.sessions_valid_after WHERE attorney_id = NEW.id AND revoked_at IS NULL;
    END IF;
    IF NEW.password_hash IS DISTINCT FROM OLD.password_hash OR (NEW.disabled AND NOT OLD.disabled)
       OR NEW.role IS DISTINCT FROM OLD.role THEN
        UPDATE account_links SET expires_at = LEAST(expires_at, NEW.sessions_valid_after)
        WHERE attorney_id = NEW.id AND used_at IS NULL;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER attorneys_trust_ends AFTER UPDATE ON attorneys FOR EACH ROW EXECUTE FUNCTION intake_trust_ends();
