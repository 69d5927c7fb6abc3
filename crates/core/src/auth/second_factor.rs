//! The second step of signing in: an authenticator app (TOTP) with its
//! recovery codes. What the account page and the login's second step call;
//! the secrets' own handling is in [`super::totp`].

use super::{throttle, totp};
use crate::{error::Error, services::Services};
use intake_domain::accounts::AuditAction;
use intake_store::{Attorney, Role, account_admin::NewAudit, now_ms};
use uuid::Uuid;

/// Where an account's authenticator app stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// None yet (or an enrolment never confirmed).
    Off,
    /// In use since `since`, with `codes_left` recovery codes unused.
    On { since: i64, codes_left: i64 },
}

/// What the account page shows to add an app: the secret as typed, the address and its QR code.
#[derive(Clone, Debug)]
pub struct Enrolment {
    pub secret: String,
    pub uri: String,
    pub qr_svg: String,
}

/// Who must sign in with a second step (`INTAKE_REQUIRE_2FA`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Requirement {
    Off,
    Admins,
    All,
}

impl Requirement {
    pub fn applies_to(self, role: Role) -> bool {
        match self {
            Self::Off => false,
            Self::Admins => role == Role::Admin,
            Self::All => true,
        }
    }
}

/// What a right password leads to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterPassword {
    /// Signed in.
    SignedIn,
    /// The second factor next: the app's code, or a passkey.
    Code,
    /// The firm requires a second step and the account has none: add an app first.
    Enrol,
}

/// The issuer name apps show beside the code.
const ISSUER: &str = "Intake";

fn audit(by: &Attorney, action: AuditAction, detail: &str) -> NewAudit {
    NewAudit { at: now_ms(), actor: Some(by.id), action, target: by.id, detail: detail.into() }
}

fn key(state: &Services) -> Result<&totp::SealKey, Error> {
    state.config.accounts.secret_key.as_ref().ok_or_else(|| {
        Error::Conflict(
            "Authenticator apps cannot be added until the administrator sets INTAKE_SECRET_KEY on the server.".into(),
        )
    })
}

pub async fn status(state: &Services, attorney: Uuid) -> Result<Status, Error> {
    let db = state.db.second_factor();
    Ok(match db.totp(attorney).await? {
        Some(f) => match f.confirmed_at {
            Some(since) => Status::On { since, codes_left: db.recovery_codes_left(attorney).await? },
            None => Status::Off,
        },
        None => Status::Off,
    })
}

/// Whether the account has an app turned on (one read: not the recovery codes' count).
pub async fn has_app(state: &Services, attorney: Uuid) -> Result<bool, Error> {
    Ok(state.db.second_factor().totp(attorney).await?.is_some_and(|f| f.confirmed_at.is_some()))
}

/// Whether the account has any second factor: an app or a passkey.
pub async fn has_any(state: &Services, attorney: Uuid) -> Result<bool, Error> {
    Ok(has_app(state, attorney).await? || super::passkey::has_passkey(state, attorney).await?)
}

/// Which second factors the account can use now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Factors {
    pub app: bool,
    pub passkey: bool,
}

pub async fn factors(state: &Services, attorney: Uuid) -> Result<Factors, Error> {
    Ok(Factors { app: has_app(state, attorney).await?, passkey: super::passkey::has_passkey(state, attorney).await? })
}

/// What a right password leads to for `who`.
pub async fn after_password(state: &Services, who: &Attorney) -> Result<AfterPassword, Error> {
    Ok(if has_any(state, who.id).await? {
        AfterPassword::Code
    } else if state.config.accounts.require_two_step.applies_to(who.role) {
        AfterPassword::Enrol
    } else {
        AfterPassword::SignedIn
    })
}

/// The app being added, shown again (after a wrong first code): its key is opened from the store.
pub async fn pending_enrolment(state: &Services, me: &Attorney) -> Result<Option<Enrolment>, Error> {
    let key = key(state)?;
    let Some(f) = state.db.second_factor().totp(me.id).await?.filter(|f| f.confirmed_at.is_none()) else {
        return Ok(None);
    };
    let secret = key.open(me.id, &f.sealed).ok_or_else(|| Error::internal("totp", "cannot open a secret"))?;
    let uri = totp::otpauth_uri(ISSUER, &me.email, &secret);
    Ok(Some(Enrolment { secret: totp::base32(&secret), qr_svg: totp::qr_svg(&uri), uri }))
}

/// Whether authenticator apps can be added here (a sealing key is configured).
pub fn available(state: &Services) -> bool {
    state.config.accounts.secret_key.is_some()
}

/// Starts adding an app: a new secret, kept sealed until the first code confirms it.
pub async fn start(state: &Services, me: &Attorney) -> Result<Enrolment, Error> {
    let key = key(state)?;
    let secret = totp::new_secret();
    if !state.db.second_factor().start_totp(me.id, &key.seal(me.id, &secret), now_ms()).await? {
        return Err(Error::Conflict("Your account already has an authenticator app. Turn it off first.".into()));
    }
    let uri = totp::otpauth_uri(ISSUER, &me.email, &secret);
    Ok(Enrolment { secret: totp::base32(&secret), qr_svg: totp::qr_svg(&uri), uri })
}

/// Confirms the app with its first code; returns the recovery codes, shown once.
pub async fn confirm(state: &Services, me: &Attorney, code: &str) -> Result<Vec<String>, Error> {
    let key = key(state)?;
    let db = state.db.second_factor();
    let pending = match db.totp(me.id).await? {
        Some(f) if f.confirmed_at.is_none() => f,
        Some(_) => return Err(Error::Conflict("Your authenticator app is already set up.".into())),
        None => return Err(Error::Conflict("Start again: choose “Set up an authenticator app”.".into())),
    };
    let secret = key.open(me.id, &pending.sealed).ok_or_else(|| Error::internal("totp", "cannot open a secret"))?;
    let Some(step) = totp::matching_step(&secret, code, now_ms()) else { return Err(Error::BadCode) };
    let codes = totp::new_recovery_codes();
    let hashes: Vec<String> = codes.iter().filter_map(|c| totp::recovery_hash(c)).collect();
    if !db.confirm_totp(me.id, step, &hashes, &audit(me, AuditAction::SecondFactorAdded, "authenticator app")).await? {
        return Err(Error::Conflict("Start again: choose “Set up an authenticator app”.".into()));
    }
    Ok(codes)
}

/// Checks a code typed at sign-in, or on the account page before a change:
/// the app's current code (once: a code already accepted is refused), or
/// an unused recovery code (used up). Wrong codes count towards the same
/// lockout as wrong passwords, on a count of their own (a right password
/// does not reset it).
pub async fn check(state: &Services, who: &Attorney, client: std::net::IpAddr, code: &str) -> Result<(), Error> {
    let [account, address] = throttle::keys(&who.email, client);
    let keys = [account.replace("acct:", "code:"), address];
    let attempt = state.login_throttle.begin(keys).await.map_err(|wait| Error::LockedOut { retry_after: wait })?;
    match verify(state, who, code).await {
        Ok(()) => {
            attempt.succeeded().await;
            Ok(())
        }
        Err(Error::BadCode) => {
            attempt.failed().await;
            let refused = audit(who, AuditAction::SecondFactorRefused, "a wrong code");
            if let Err(e) = state.db.account_admin().record(&refused).await {
                tracing::error!(error = %e, "cannot record a refused code");
            }
            Err(Error::BadCode)
        }
        Err(e) => Err(e),
    }
}

async fn verify(state: &Services, who: &Attorney, code: &str) -> Result<(), Error> {
    let db = state.db.second_factor();
    let Some(factor) = db.totp(who.id).await?.filter(|f| f.confirmed_at.is_some()) else {
        return Err(Error::BadCode);
    };
    if let Some(hash) = totp::recovery_hash(code) {
        let now = now_ms();
        if db.use_recovery_code(who.id, &hash, now).await? {
            let left = db.recovery_codes_left(who.id).await?;
            let used = audit(who, AuditAction::RecoveryCodeUsed, &format!("{left} left"));
            state.db.account_admin().record(&used).await?;
            return Ok(());
        }
        return Err(Error::BadCode);
    }
    let key = state.config.accounts.secret_key.as_ref().ok_or_else(|| {
        Error::internal("totp", "an account has an authenticator app but INTAKE_SECRET_KEY is not set")
    })?;
    let secret = key.open(who.id, &factor.sealed).ok_or_else(|| {
        Error::internal("totp", "a secret does not open with INTAKE_SECRET_KEY (was the key changed?)")
    })?;
    match totp::matching_step(&secret, code, now_ms()) {
        Some(step) if db.use_totp_step(who.id, step).await? => Ok(()),
        _ => Err(Error::BadCode),
    }
}

/// A new set of recovery codes (the old ones stop working), after a code.
pub async fn renew_codes(
    state: &Services,
    me: &Attorney,
    client: std::net::IpAddr,
    code: &str,
) -> Result<Vec<String>, Error> {
    check(state, me, client, code).await?;
    let codes = totp::new_recovery_codes();
    let hashes: Vec<String> = codes.iter().filter_map(|c| totp::recovery_hash(c)).collect();
    let renewed = audit(me, AuditAction::RecoveryCodesRenewed, "the old ones stopped working");
    state.db.second_factor().replace_recovery_codes(me.id, &hashes, &renewed).await?;
    Ok(codes)
}

/// Turns the app off (and its recovery codes), after a code.
pub async fn remove(state: &Services, me: &Attorney, client: std::net::IpAddr, code: &str) -> Result<(), Error> {
    check(state, me, client, code).await?;
    let removed = audit(me, AuditAction::SecondFactorRemoved, "by the account itself");
    state.db.second_factor().remove_totp(me.id, &removed, None).await?;
    Ok(())
}

/// An administrator removes a colleague's app, recovery codes and passkeys
/// (a lost phone or key): their sessions end everywhere, the log records it, and they are
/// emailed. Their password alone signs in after, unless the firm requires an
/// app, in which case they add one right after it.
pub async fn reset(state: &Services, admin: &Attorney, id: Uuid) -> Result<(), Error> {
    let target = state.db.accounts().by_id(id).await?.ok_or(Error::NotFound("account"))?;
    if target.id == admin.id {
        return Err(Error::Conflict(
            "Turn your own app off on your account page, with one of its codes or a recovery code.".into(),
        ));
    }
    let entry = NewAudit {
        at: now_ms(),
        actor: Some(admin.id),
        action: AuditAction::SecondFactorReset,
        target: target.id,
        detail: "app, recovery codes and passkeys removed; signed out everywhere".into(),
    };
    let email = crate::mail::compose::second_factor_reset(&state.config, &target, &admin.display_name);
    if !state.db.passkeys().reset_factors(target.id, &entry, &email).await? {
        return Err(Error::Conflict(format!("{} has no second factor to reset.", target.email)));
    }
    state.db.accounts().end_sessions(target.id, entry.at).await?;
    state.outbox_wake.notify();
    tracing::info!(account = %target.email, by = %admin.email, "two-step sign-in reset");
    Ok(())
}

/// Start-up's check: an account's app cannot be checked without the key it was sealed with.
pub async fn check_key_present(state: &Services) -> Result<(), String> {
    if state.config.accounts.secret_key.is_none() {
        let n = state.db.second_factor().confirmed_totp_count().await.map_err(|e| e.to_string())?;
        if n > 0 {
            return Err(format!(
                "{n} account(s) use an authenticator app, whose secrets are sealed with INTAKE_SECRET_KEY: set it \
                 (the same key as before) to start"
            ));
        }
    }
    Ok(())
}
