//! Signing a browser in, and the account's signed-in browsers.
//!
//! Every way in (password, code, recovery code, the app the firm requires, a
//! new password) ends in [`sign_in`]: it records the sign-in (which browser,
//! from where, when), emails the account when the browser is one it never
//! used, and only then signs the session in. `/account` lists the sign-ins
//! and ends any of them ([`list`], [`end`], [`end_others`]).
//!
//! A browser is recognised by a random secret in its own long-lived cookie,
//! stored hashed per account: nothing in it identifies the person, and it
//! signs nobody in.
//!
//! Kept: the browser in a few words and the address, for as long as the
//! session lives (12 hours at most), deleted when it ends; a known
//! browser's hash for 400 days after its last sign-in.

use super::{
    session,
    token::{hash_secret, random_base64url},
};
use crate::{error::Error, mail::compose, services::Services};
use intake_domain::{accounts::AuditAction, accounts::SigninRow, device};
use intake_store::{Attorney, account_admin::NewAudit, now_ms, signins::Browser, signins::Live, signins::NewSignin};
use std::{net::IpAddr, time::Duration};
use tower_sessions::Session;
use uuid::Uuid;

/// The browser's cookie holding its secret.
pub const BROWSER_COOKIE: &str = "intake_browser";
/// How long a browser is remembered after its last sign-in (the cookie's
/// lifetime too: 400 days, the most browsers keep one).
pub const BROWSER_DAYS: i64 = 400;
/// A browser secret as made here: a prefix and 43 base64url characters.
const SECRET_PREFIX: &str = "b_";

/// Who is arriving: what the request says about its browser.
#[derive(Clone, Copy, Debug)]
pub struct Arrival<'a> {
    pub user_agent: &'a str,
    pub address: IpAddr,
    /// The secret from the browser's cookie, if it sent one.
    pub browser: Option<&'a str>,
    /// The sign-in passed a second factor (a code): dangerous actions need
    /// no new one for a while (see `super::fresh`).
    pub second_factor: bool,
}

/// A browser secret is ours only in our own shape; anything else is ignored
/// (a new one is given), so an odd cookie can neither match nor grow a row.
fn well_formed(secret: &str) -> bool {
    secret.len() == SECRET_PREFIX.len() + 43
        && secret.starts_with(SECRET_PREFIX)
        && secret[SECRET_PREFIX.len()..].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Records the sign-in and signs the session in; the secret to give the
/// browser when it had none (the caller sets [`BROWSER_COOKIE`]).
pub async fn sign_in(
    state: &Services,
    session: &Session,
    attorney: &Attorney,
    arrival: Arrival<'_>,
) -> Result<Option<String>, Error> {
    let (secret, fresh) = match arrival.browser.filter(|s| well_formed(s)) {
        Some(s) => (s.to_owned(), false),
        None => (random_base64url(SECRET_PREFIX), true),
    };
    let signin = NewSignin {
        id: Uuid::now_v7(),
        attorney_id: attorney.id,
        device: device::describe(arrival.user_agent),
        address: arrival.address.to_string(),
        at: now_ms(),
    };
    let email = compose::new_sign_in(&state.config, attorney, &signin.device, &signin.address, signin.at);
    let browser = state.db.signins().start_signin(&signin, &hash_secret(&secret), &email).await?;
    if browser == Browser::New {
        state.outbox_wake.notify();
        tracing::info!(attorney = %attorney.email, device = %signin.device, "signed in from a new browser");
    }
    session::log_in(session, attorney, signin.id, signin.at, arrival.second_factor)
        .await
        .map_err(|e| Error::internal("cannot start a session", e))?;
    Ok(fresh.then_some(secret))
}

/// The `Set-Cookie` value giving a browser its secret.
pub fn browser_cookie(secret: &str, secure: bool) -> String {
    let max_age = BROWSER_DAYS * 24 * 60 * 60;
    let secure = if secure { "; Secure" } else { "" };
    format!("{BROWSER_COOKIE}={secret}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}")
}

fn live(now: i64) -> Live {
    Live { seen_after: now - session::IDLE_SECS * 1000, started_after: now - session::ABSOLUTE_MS }
}

/// The account's signed-in browsers, `current` (this browser's) marked.
pub async fn list(state: &Services, me: &Attorney, current: Option<Uuid>) -> Result<Vec<SigninRow>, Error> {
    let rows = state.db.signins().signins(me.id, live(now_ms())).await?;
    Ok(rows
        .into_iter()
        .map(|s| SigninRow {
            current: Some(s.id) == current,
            id: s.id,
            device: s.device,
            address: s.address,
            signed_in_at: s.signed_in_at,
            last_seen_at: s.last_seen_at,
        })
        .collect())
}

/// Ends one of the account's other browsers: its next request is signed out,
/// its open dashboard stops.
pub async fn end(state: &Services, me: &Attorney, id: Uuid, current: Option<Uuid>) -> Result<(), Error> {
    if Some(id) == current {
        return Err(Error::Conflict("This is the browser you are using: sign out instead.".into()));
    }
    let shown = list(state, me, current).await?;
    let Some(which) = shown.iter().find(|s| s.id == id) else {
        return Err(Error::NotFound("signed-in browser"));
    };
    let entry = NewAudit {
        at: now_ms(),
        actor: Some(me.id),
        action: AuditAction::SessionEnded,
        target: me.id,
        // The browser only: the address goes with the sign-in, the log is kept.
        detail: which.device.clone(),
    };
    if !state.db.signins().end_signin(me.id, id, &entry).await? {
        return Err(Error::NotFound("signed-in browser"));
    }
    Ok(())
}

/// Ends every browser of the account but this one; how many.
pub async fn end_others(state: &Services, me: &Attorney, current: Uuid) -> Result<u64, Error> {
    let entry = NewAudit {
        at: now_ms(),
        actor: Some(me.id),
        action: AuditAction::SessionEnded,
        target: me.id,
        detail: "every other browser".into(),
    };
    Ok(state.db.signins().end_other_signins(me.id, current, &entry).await?)
}

/// Deletes expired sign-ins and forgotten browsers, every `every`.
pub async fn prune_continuously(state: Services, every: Duration) {
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        let now = now_ms();
        let forgotten = now - BROWSER_DAYS * 24 * 60 * 60 * 1000;
        if let Err(e) = state.db.signins().prune_signins(live(now), forgotten).await {
            tracing::warn!(error = %e, "cannot prune expired sign-ins");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_own_secrets_are_read() {
        let ours = random_base64url(SECRET_PREFIX);
        assert!(well_formed(&ours), "{ours}");
        for odd in ["", "b_", "b_short", &format!("x_{}", &ours[2..]), &format!("{ours}x"), &ours.replace('_', ";")] {
            assert!(!well_formed(odd), "{odd}");
        }
        assert!(!well_formed(&format!("b_{}a", "é".repeat(21))), "as long, not ours");
    }

    #[test]
    fn the_cookie_is_http_only_and_same_site() {
        let c = browser_cookie("b_x", true);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.ends_with("; Secure"), "{c}");
        assert!(!browser_cookie("b_x", false).contains("Secure"));
    }
}
