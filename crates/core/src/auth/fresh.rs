//! Fresh proof before dangerous actions: erasing a lead, creating an API
//! token or a webhook, inviting, disabling or resetting a colleague, adding
//! or removing a passkey. For an account with a second factor (an app or a
//! passkey), a session that last proved it more than `INTAKE_FRESH_PROOF`
//! ago (10 minutes by default) must prove it again first (`/account/confirm`), so a browser left open, or a stolen
//! session cookie, cannot do them. An account with a password only has no
//! second factor to ask for.

use super::{second_factor, session};
use crate::{error::Error, services::Services};
use intake_store::{Attorney, now_ms};
use std::{net::IpAddr, time::Duration};
use tower_sessions::Session;

/// How far ahead of this instance's clock a proof recorded by another may be.
const CLOCK_SKEW_MS: i64 = 5_000;

/// Whether a proof made at `proved` still counts at `now`.
fn is_fresh(proved: Option<i64>, now: i64, window: Duration) -> bool {
    proved.is_some_and(|at| at <= now + CLOCK_SKEW_MS && now - at <= window.as_millis() as i64)
}

/// `Ok` when the dangerous action may go ahead; [`Error::ProofNeeded`] when a code is needed first.
pub async fn require(state: &Services, session: &Session, me: &Attorney) -> Result<(), Error> {
    if !second_factor::has_any(state, me.id).await? {
        return Ok(());
    }
    if is_fresh(session::proved_at(session).await, now_ms(), state.config.accounts.fresh_proof) {
        Ok(())
    } else {
        Err(Error::ProofNeeded)
    }
}

/// Before a new second factor is added to `me` (a passkey signs in on its
/// own, so a stolen session must not add one): a fresh proof; or, for an
/// account with no second factor yet and no recent proof, its current
/// password (counted like a login's).
pub async fn for_new_factor(
    state: &Services,
    session: &Session,
    me: &Attorney,
    client: IpAddr,
    password: &str,
) -> Result<(), Error> {
    if is_fresh(session::proved_at(session).await, now_ms(), state.config.accounts.fresh_proof) {
        return Ok(());
    }
    if second_factor::has_any(state, me.id).await? {
        return Err(Error::ProofNeeded);
    }
    let keys = super::throttle::keys(&me.email, client);
    match super::check_password(state, keys, password.to_owned(), Some(me.password_hash.clone())).await {
        Err(Error::BadCredentials) => {
            Err(Error::BadParam("Current password: that is not your password. Type it to add a passkey.".into()))
        }
        other => other,
    }
}

/// Whether adding a second factor here needs the current password (see [`for_new_factor`]).
pub async fn new_factor_needs_password(state: &Services, session: &Session, me: &Attorney) -> Result<bool, Error> {
    Ok(!is_fresh(session::proved_at(session).await, now_ms(), state.config.accounts.fresh_proof)
        && !second_factor::has_any(state, me.id).await?)
}

/// This session has just proved the second factor again (a passkey; a code goes through [`prove`]).
pub async fn proved(session: &Session) -> Result<(), Error> {
    session::record_proof(session, now_ms()).await.map_err(|e| Error::internal("cannot record the proof", e))
}

/// A code typed to confirm it is still the account's owner: checked (each
/// code once, wrong ones locked out like passwords) and remembered by this session.
pub async fn prove(
    state: &Services,
    session: &Session,
    me: &Attorney,
    client: IpAddr,
    code: &str,
) -> Result<(), Error> {
    second_factor::check(state, me, client, code).await?;
    session::record_proof(session, now_ms()).await.map_err(|e| Error::internal("cannot record the proof", e))
}

#[cfg(test)]
mod tests {
    use super::is_fresh;
    use std::time::Duration;

    #[test]
    fn a_proof_counts_for_its_window_only() {
        let w = Duration::from_secs(600);
        assert!(is_fresh(Some(1_000), 1_000, w));
        assert!(is_fresh(Some(1_000), 601_000, w));
        assert!(!is_fresh(Some(1_000), 601_001, w), "older than the window");
        assert!(!is_fresh(None, 1_000, w), "never proved");
        assert!(is_fresh(Some(5_000), 1_000, w), "another instance's clock a little ahead");
        assert!(!is_fresh(Some(7_000), 1_000, w), "far in the future: not trusted");
    }
}
