//! Passkeys (WebAuthn), by webauthn-rs: adding one to the signed-in account,
//! signing in with one alone (the browser offers the account's discoverable
//! credential: no email first), and using one as the second step after a
//! password or as a fresh proof before a dangerous action.
//!
//! Each ceremony has two requests. The first records what the second must
//! be checked against (its challenge) in the store, under a random id the
//! browser sends back; the second takes it once, so an answer cannot be
//! replayed, and only within [`CEREMONY_MS`]. The relying party is the host
//! of `INTAKE_PUBLIC_URL` and the only origin accepted is that URL's: a
//! public URL that is an IP address cannot have passkeys (browsers refuse
//! them), and the account page says so.
//!
//! Kept: each passkey's public key, id and counter (nothing secret: the
//! private key never leaves the authenticator), its name and when it was
//! added and last used, until removed or reset by an administrator.

use super::throttle;
use crate::{error::Error, services::Services};
use intake_domain::accounts::{AuditAction, PasskeyView, passkey_name};
use intake_store::{
    Attorney,
    account_admin::NewAudit,
    now_ms,
    passkeys::{Ceremony, NewPasskey, Purpose, Started},
};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use url::Url;
use uuid::Uuid;
use webauthn_rs::prelude::{
    DiscoverableAuthentication, Passkey, PasskeyAuthentication, PasskeyRegistration, PublicKeyCredential,
    RegisterPublicKeyCredential, Webauthn, WebauthnBuilder,
};

/// How long a ceremony may take, from the options sent to the answer.
pub const CEREMONY_MS: i64 = 5 * 60 * 1000;
/// Passkeys one account may have.
pub const MAX_PER_ACCOUNT: usize = 20;
/// Ceremonies one account may have under way (adding, second step, proof).
const CEREMONIES_PER_ACCOUNT: i64 = 10;

/// The relying party for `public_url`, or why passkeys cannot work there.
pub fn relying_party(public_url: &str, firm_name: &str) -> Result<Webauthn, String> {
    let origin = Url::parse(public_url).map_err(|e| format!("INTAKE_PUBLIC_URL is not a URL: {e}"))?;
    let host = match origin.host() {
        Some(url::Host::Domain(d)) => d.to_owned(),
        Some(_) => return Err("INTAKE_PUBLIC_URL is an IP address; passkeys need a domain name".into()),
        None => return Err("INTAKE_PUBLIC_URL has no host".into()),
    };
    WebauthnBuilder::new(&host, &origin)
        .and_then(|b| b.rp_name(firm_name).timeout(std::time::Duration::from_millis(CEREMONY_MS as u64)).build())
        .map_err(|e| format!("passkeys cannot be offered for {public_url}: {e}"))
}

/// What the browser gets to start a ceremony: the id to send back, and the
/// options for `navigator.credentials` (base64url-encoded binary fields).
#[derive(Clone, Debug, Serialize)]
pub struct Options {
    pub ceremony: Uuid,
    #[serde(rename = "publicKey")]
    pub public_key: serde_json::Value,
}

/// What the browser sends back: the ceremony's id and the authenticator's answer.
#[derive(Clone, Debug, Deserialize)]
pub struct Answer {
    pub ceremony: Uuid,
    pub credential: serde_json::Value,
}

/// A registration under way, with the name its owner chose.
#[derive(Serialize, Deserialize)]
struct Adding {
    name: String,
    registration: PasskeyRegistration,
}

fn webauthn(state: &Services) -> Result<&Webauthn, Error> {
    state.passkeys.as_deref().ok_or_else(|| {
        Error::Conflict(
            "Passkeys are not available on this server: its public address (INTAKE_PUBLIC_URL) must be a domain \
             name, served over https (or http://localhost)."
                .into(),
        )
    })
}

/// Whether passkeys can be used here.
pub fn available(state: &Services) -> bool {
    state.passkeys.is_some()
}

fn audit(by: &Attorney, action: AuditAction, detail: String) -> NewAudit {
    NewAudit { at: now_ms(), actor: Some(by.id), action, target: by.id, detail }
}

fn json<T: Serialize>(what: &'static str, value: &T) -> Result<String, Error> {
    serde_json::to_string(value).map_err(|e| Error::internal(what, e))
}

/// Records a ceremony's state; the options the browser needs.
async fn begin(
    state: &Services,
    attorney: Option<Uuid>,
    purpose: Purpose,
    stored: String,
    public_key: serde_json::Value,
) -> Result<Options, Error> {
    let now = now_ms();
    let ceremony =
        Ceremony { id: Uuid::new_v4(), attorney_id: attorney, purpose, state: &stored, expires_at: now + CEREMONY_MS };
    // Anonymous sign-ins share one pool; an account's own ceremonies are counted apart.
    let cap = match attorney {
        Some(_) => CEREMONIES_PER_ACCOUNT,
        None => state.config.accounts.max_passkey_ceremonies as i64,
    };
    match state.db.passkeys().start_ceremony(&ceremony, now, cap).await? {
        Started::Yes => Ok(Options { ceremony: ceremony.id, public_key }),
        Started::TooMany => Err(Error::Busy { retry_after: std::time::Duration::from_secs(30) }),
    }
}

/// Takes a ceremony's state once; a missing, expired, used or foreign one is a refused passkey.
async fn take<T: for<'de> Deserialize<'de>>(
    state: &Services,
    id: Uuid,
    purpose: Purpose,
    attorney: Option<Uuid>,
) -> Result<T, Error> {
    let stored = state.db.passkeys().take_ceremony(id, purpose, attorney, now_ms()).await?.ok_or(Error::BadPasskey)?;
    serde_json::from_str(&stored).map_err(|e| Error::internal("a passkey ceremony's state does not read", e))
}

fn credential<T: for<'de> Deserialize<'de>>(answer: serde_json::Value) -> Result<T, Error> {
    serde_json::from_value(answer).map_err(|_| Error::BadPasskey)
}

/// How the store finds a credential: its id in hex.
fn credential_key(id: impl AsRef<[u8]>) -> String {
    hex::encode(id.as_ref())
}

fn stored_passkey(row: &intake_store::passkeys::PasskeyRow) -> Result<Passkey, Error> {
    serde_json::from_str(&row.credential).map_err(|e| Error::internal("a stored passkey does not read", e))
}

/// The account's passkeys, oldest first.
pub async fn list(state: &Services, me: Uuid) -> Result<Vec<PasskeyView>, Error> {
    Ok(state
        .db
        .passkeys()
        .passkeys(me)
        .await?
        .into_iter()
        .map(|p| PasskeyView { id: p.id, name: p.name, created_at: p.created_at, last_used_at: p.last_used_at })
        .collect())
}

/// Whether the account has a passkey it can use here (none can be used
/// where passkeys are not available, so none is asked for).
pub async fn has_passkey(state: &Services, attorney: Uuid) -> Result<bool, Error> {
    Ok(available(state) && !state.db.passkeys().passkeys(attorney).await?.is_empty())
}

/// Starts adding a passkey named `name` to the signed-in account. The
/// passkey is made discoverable, so it can sign in without an email first.
pub async fn start_adding(state: &Services, me: &Attorney, name: &str) -> Result<Options, Error> {
    let webauthn = webauthn(state)?;
    let name = passkey_name(name).map_err(Error::BadParam)?;
    let existing = state.db.passkeys().passkeys(me.id).await?;
    if existing.len() >= MAX_PER_ACCOUNT {
        return Err(Error::Conflict(format!(
            "An account can have at most {MAX_PER_ACCOUNT} passkeys: remove one you no longer use first."
        )));
    }
    let exclude =
        existing.iter().map(stored_passkey).map(|p| p.map(|p| p.cred_id().clone())).collect::<Result<_, _>>()?;
    let (options, registration) = webauthn
        .start_passkey_registration(me.id, &me.email, &me.display_name, Some(exclude))
        .map_err(|e| Error::internal("cannot start a passkey registration", e))?;
    let mut public_key =
        serde_json::to_value(&options.public_key).map_err(|e| Error::internal("passkey options", e))?;
    // A passkey, not just a security key: it must live on the authenticator
    // (discoverable), so that it can sign in with no email typed first.
    // (webauthn-rs asks for "discouraged"; the answer is checked the same way.)
    if let Some(sel) = public_key.get_mut("authenticatorSelection").and_then(|v| v.as_object_mut()) {
        sel.insert("residentKey".into(), "required".into());
        sel.insert("requireResidentKey".into(), true.into());
    }
    let stored = json("passkey registration", &Adding { name, registration })?;
    begin(state, Some(me.id), Purpose::Add, stored, public_key).await
}

/// Finishes adding a passkey: checks the authenticator's answer against the
/// ceremony and stores the credential; its view.
pub async fn finish_adding(state: &Services, me: &Attorney, answer: Answer) -> Result<PasskeyView, Error> {
    let webauthn = webauthn(state)?;
    let adding: Adding = take(state, answer.ceremony, Purpose::Add, Some(me.id)).await?;
    let reg: RegisterPublicKeyCredential = credential(answer.credential)?;
    let passkey = webauthn.finish_passkey_registration(&reg, &adding.registration).map_err(|e| {
        tracing::info!(error = %e, attorney = %me.email, "a passkey registration was refused");
        Error::BadPasskey
    })?;
    let credential_id = credential_key(passkey.cred_id());
    let now = now_ms();
    let new = NewPasskey {
        id: Uuid::now_v7(),
        attorney_id: me.id,
        credential_id: &credential_id,
        name: &adding.name,
        credential: &json("passkey", &passkey)?,
        at: now,
    };
    let added = audit(me, AuditAction::SecondFactorAdded, format!("passkey “{}”", adding.name));
    let email = crate::mail::compose::passkey_added(&state.config, me, &adding.name, now);
    if !state.db.passkeys().add_passkey(&new, &added, &email).await? {
        return Err(Error::Conflict("This passkey is already registered.".into()));
    }
    state.outbox_wake.notify();
    tracing::info!(attorney = %me.email, "passkey added");
    Ok(PasskeyView { id: new.id, name: adding.name, created_at: now, last_used_at: None })
}

/// Removes one of the account's passkeys (the caller has checked a fresh proof).
pub async fn remove(state: &Services, me: &Attorney, id: Uuid) -> Result<(), Error> {
    let passkeys = state.db.passkeys().passkeys(me.id).await?;
    let Some(p) = passkeys.iter().find(|p| p.id == id) else { return Err(Error::NotFound("passkey")) };
    let removed = audit(me, AuditAction::SecondFactorRemoved, format!("passkey “{}”", p.name));
    if !state.db.passkeys().remove_passkey(me.id, id, &removed).await? {
        return Err(Error::NotFound("passkey"));
    }
    tracing::info!(attorney = %me.email, "passkey removed");
    Ok(())
}

/// Starts signing in with a passkey alone: the browser lets its user choose
/// one of this site's passkeys.
pub async fn start_sign_in(state: &Services) -> Result<Options, Error> {
    let webauthn = webauthn(state)?;
    let (options, auth) = webauthn
        .start_discoverable_authentication()
        .map_err(|e| Error::internal("cannot start a passkey sign-in", e))?;
    let public_key = serde_json::to_value(&options.public_key).map_err(|e| Error::internal("passkey options", e))?;
    begin(state, None, Purpose::SignIn, json("passkey sign-in", &auth)?, public_key).await
}

/// Finishes signing in with a passkey alone: the account it belongs to, if
/// the answer checks out and the account is enabled. A passkey verifies its
/// user (a PIN or a fingerprint), so it is two factors in one.
pub async fn finish_sign_in(state: &Services, client: IpAddr, answer: Answer) -> Result<Attorney, Error> {
    let webauthn = webauthn(state)?;
    let auth: DiscoverableAuthentication = take(state, answer.ceremony, Purpose::SignIn, None).await?;
    let cred: PublicKeyCredential = credential(answer.credential)?;
    let (user, cred_id) = webauthn.identify_discoverable_authentication(&cred).map_err(|_| Error::BadPasskey)?;
    let row =
        state.db.passkeys().passkey_by_credential(&credential_key(cred_id)).await?.filter(|p| p.attorney_id == user);
    let Some(row) = row else {
        // A removed passkey, or one never added here. Not in the audit log:
        // the user handle is the browser's word, and anyone can send any.
        tracing::info!("a passkey sign-in with a removed or unknown passkey");
        return Err(Error::BadPasskey);
    };
    let who = state.db.accounts().by_id(row.attorney_id).await?.filter(|a| !a.disabled).ok_or(Error::BadPasskey)?;
    if !super::sso::local_sign_in_allowed(state, &who.email) {
        return Err(Error::SsoOnly(state.sso.as_ref().map_or("single sign-on", |p| p.name()).to_owned()));
    }
    // Counted like a password: a locked-out account or address is refused first.
    let attempt = throttled(state, &who, client).await?;
    let mut passkey = stored_passkey(&row)?;
    match webauthn.finish_discoverable_authentication_v2(&cred, auth, &passkey) {
        Ok(result) => {
            attempt.succeeded().await;
            passkey.update_credential(&result);
            state.db.passkeys().passkey_used(row.id, &json("passkey", &passkey)?, now_ms()).await?;
            Ok(who)
        }
        Err(e) => {
            refused(state, &who, attempt, e.to_string()).await;
            Err(Error::BadPasskey)
        }
    }
}

/// Starts checking one of `who`'s passkeys: the second step after a
/// password, or a fresh proof before a dangerous action.
pub async fn start_verify(state: &Services, who: &Attorney) -> Result<Options, Error> {
    let webauthn = webauthn(state)?;
    let rows = state.db.passkeys().passkeys(who.id).await?;
    if rows.is_empty() {
        return Err(Error::Conflict("Your account has no passkey.".into()));
    }
    let passkeys = rows.iter().map(stored_passkey).collect::<Result<Vec<_>, _>>()?;
    let (options, auth) = webauthn
        .start_passkey_authentication(&passkeys)
        .map_err(|e| Error::internal("cannot start a passkey check", e))?;
    let public_key = serde_json::to_value(&options.public_key).map_err(|e| Error::internal("passkey options", e))?;
    begin(state, Some(who.id), Purpose::Verify, json("passkey check", &auth)?, public_key).await
}

/// Finishes checking one of `who`'s passkeys.
pub async fn finish_verify(state: &Services, who: &Attorney, client: IpAddr, answer: Answer) -> Result<(), Error> {
    let webauthn = webauthn(state)?;
    let auth: PasskeyAuthentication = take(state, answer.ceremony, Purpose::Verify, Some(who.id)).await?;
    let cred: PublicKeyCredential = credential(answer.credential)?;
    let attempt = throttled(state, who, client).await?;
    let result = match webauthn.finish_passkey_authentication(&cred, &auth) {
        Ok(r) => r,
        Err(e) => {
            refused(state, who, attempt, e.to_string()).await;
            return Err(Error::BadPasskey);
        }
    };
    // The passkey that answered, by its id: still the account's (not removed meanwhile).
    let id = credential_key(result.cred_id());
    let Some(row) = state.db.passkeys().passkey_by_credential(&id).await?.filter(|p| p.attorney_id == who.id) else {
        refused(state, who, attempt, "the passkey was removed".into()).await;
        return Err(Error::BadPasskey);
    };
    attempt.succeeded().await;
    let mut passkey = stored_passkey(&row)?;
    passkey.update_credential(&result);
    state.db.passkeys().passkey_used(row.id, &json("passkey", &passkey)?, now_ms()).await?;
    Ok(())
}

/// The attempt, in the same budget as wrong codes (see `second_factor::check`).
async fn throttled(state: &Services, who: &Attorney, client: IpAddr) -> Result<throttle::Attempt, Error> {
    let [account, address] = throttle::keys(&who.email, client);
    let keys = [account.replace("acct:", "code:"), address];
    state.login_throttle.begin(keys).await.map_err(|wait| Error::LockedOut { retry_after: wait })
}

/// A refused passkey: counted, logged, and in the account's audit log.
async fn refused(state: &Services, who: &Attorney, attempt: throttle::Attempt, why: String) {
    attempt.failed().await;
    tracing::info!(attorney = %who.email, error = %why, "a passkey was refused");
    let entry = audit(who, AuditAction::SecondFactorRefused, "a passkey that did not check out".into());
    if let Err(e) = state.db.account_admin().record(&entry).await {
        tracing::error!(error = %e, "cannot record a refused passkey");
    }
}

#[cfg(test)]
mod tests {
    use super::relying_party;

    #[test]
    fn the_relying_party_is_the_public_host() {
        assert!(relying_party("https://intake.firm.test", "Firm").is_ok());
        assert!(relying_party("http://localhost:3107", "Firm").is_ok());
        let ip = relying_party("http://127.0.0.1:3000", "Firm").unwrap_err();
        assert!(ip.contains("IP address"), "{ip}");
    }
}
