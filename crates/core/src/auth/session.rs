//! Session contents and lifetime. The session store (tower-sessions) keeps
//! the record server-side; the cookie holds only its random id.

use intake_store::{Attorney, Db, now_ms};
use tower_sessions::Session;
use uuid::Uuid;

const ATTORNEY_ID: &str = "attorney_id";
/// The sign-in row (see `intake_store::signins`): the session is signed in
/// only while it exists, so the account can end this browser from another.
const SIGNIN: &str = "signin_id";
const AUTH_AT: &str = "auth_at";
const SEEN_AT: &str = "seen_at";
/// When this session last proved the account's second factor (a code at
/// sign-in or on `/account/confirm`): dangerous actions want it fresh.
const PROVED_AT: &str = "proved_at";
/// After a right password, for an account with a second factor: who is
/// signing in, and since when. Not a login: [`current`] ignores it.
const PENDING_ID: &str = "pending_id";
const PENDING_AT: &str = "pending_at";
/// Set when the pending step is adding an app the firm requires, not a code.
const PENDING_ENROL: &str = "pending_enrol";

/// How long the second step may take after the password.
pub const SECOND_STEP_MS: i64 = 5 * 60 * 1000;

/// Idle expiry: the store's record and the cookie expire after this long without a request.
pub const IDLE_SECS: i64 = 2 * 60 * 60;
/// Absolute expiry: a login lasts at most this long, however active.
pub const ABSOLUTE_MS: i64 = 12 * 60 * 60 * 1000;
/// Activity is written back at most this often, so reads stay reads.
const TOUCH_EVERY_MS: i64 = 60 * 1000;

/// The signed-in attorney, if the session is valid, its sign-in not ended
/// and the account still enabled.
pub async fn current(session: &Session, db: &Db) -> Option<Attorney> {
    let id: Uuid = session.get(ATTORNEY_ID).await.ok()??;
    let auth_at: i64 = session.get(AUTH_AT).await.ok()??;
    let now = now_ms();
    // A session from before sign-ins were recorded has none: it signs in again.
    let signin: Option<Uuid> = session.get(SIGNIN).await.ok().flatten();
    let Some(signin) = signin.filter(|_| now - auth_at <= ABSOLUTE_MS) else {
        let _ = session.flush().await;
        return None;
    };
    let attorney = match db.accounts().by_signin(id, signin).await {
        Ok(Some(a)) if still_valid(&a, auth_at, now) => a,
        Ok(_) => {
            let _ = session.flush().await;
            return None;
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot load the session's attorney");
            return None;
        }
    };
    let seen_at: i64 = session.get(SEEN_AT).await.ok().flatten().unwrap_or(0);
    if now - seen_at > TOUCH_EVERY_MS {
        // Modifying the session makes tower-sessions save it, extending the idle expiry.
        let _ = session.insert(SEEN_AT, now).await;
        if let Err(e) = db.signins().touch_signin(signin, now).await {
            tracing::warn!(error = %e, "cannot record when a sign-in was last seen");
        }
    }
    Some(attorney)
}

/// Who is signed in, by which sign-in, since when, without touching the
/// session: for long-lived requests (the event stream) to re-check with [`recheck`].
#[derive(Clone, Copy, Debug)]
pub struct Login {
    pub attorney_id: Uuid,
    pub signin: Uuid,
    pub auth_at: i64,
}

pub async fn login_of(session: &Session) -> Option<Login> {
    Some(Login {
        attorney_id: session.get(ATTORNEY_ID).await.ok()??,
        signin: session.get(SIGNIN).await.ok()??,
        auth_at: session.get(AUTH_AT).await.ok()??,
    })
}

/// When this session last proved the second factor, if it did.
pub async fn proved_at(session: &Session) -> Option<i64> {
    session.get(PROVED_AT).await.ok()?
}

/// This session has just proved the second factor again.
pub async fn record_proof(session: &Session, now: i64) -> Result<(), tower_sessions::session::Error> {
    session.insert(PROVED_AT, now).await
}

/// This browser's sign-in, if signed in.
pub async fn signin_of(session: &Session) -> Option<Uuid> {
    session.get(SIGNIN).await.ok()?
}

/// Whether `login` is still valid: not expired, account enabled, not ended
/// by a logout, a disabling, a password reset or from another browser.
pub async fn recheck(db: &Db, login: Login) -> bool {
    let Login { attorney_id, signin, auth_at } = login;
    match db.accounts().by_signin(attorney_id, signin).await {
        Ok(Some(a)) => still_valid(&a, auth_at, now_ms()),
        Ok(None) => false,
        // A database hiccup is not a logout.
        Err(_) => true,
    }
}

fn still_valid(a: &Attorney, auth_at: i64, now: i64) -> bool {
    !a.disabled && auth_at >= a.sessions_valid_after && now - auth_at <= ABSOLUTE_MS
}

/// Starts an authenticated session under a new id (no session fixation),
/// for sign-in `signin` that began `now` (see `super::signin`, which records it).
pub(super) async fn log_in(
    session: &Session,
    attorney: &Attorney,
    signin: Uuid,
    now: i64,
    second_factor: bool,
) -> Result<(), tower_sessions::session::Error> {
    session.cycle_id().await?;
    session.remove_value(PENDING_ID).await?;
    if second_factor {
        session.insert(PROVED_AT, now).await?;
    } else {
        session.remove_value(PROVED_AT).await?;
    }
    session.remove_value(PENDING_AT).await?;
    session.remove_value(PENDING_ENROL).await?;
    session.insert(ATTORNEY_ID, attorney.id).await?;
    session.insert(SIGNIN, signin).await?;
    session.insert(AUTH_AT, now).await?;
    session.insert(SEEN_AT, now).await?;
    Ok(())
}

/// After a right password, when the account has a second factor: the
/// session (under a new id) remembers who for [`SECOND_STEP_MS`], and is
/// signed in by [`log_in`] once the second step passes.
pub async fn begin_second_step(session: &Session, attorney: &Attorney) -> Result<(), tower_sessions::session::Error> {
    session.cycle_id().await?;
    session.remove_value(ATTORNEY_ID).await?;
    session.remove_value(PENDING_ENROL).await?;
    session.insert(PENDING_ID, attorney.id).await?;
    session.insert(PENDING_AT, now_ms()).await?;
    Ok(())
}

/// As [`begin_second_step`], when the second step is adding the app the firm
/// requires: [`enrolment_of`] answers, [`second_step_of`] does not.
pub async fn begin_enrolment(session: &Session, attorney: &Attorney) -> Result<(), tower_sessions::session::Error> {
    begin_second_step(session, attorney).await?;
    session.insert(PENDING_ENROL, true).await
}

async fn pending(session: &Session) -> Option<(Uuid, bool)> {
    let id: Uuid = session.get(PENDING_ID).await.ok()??;
    let at: i64 = session.get(PENDING_AT).await.ok()??;
    let enrol: bool = session.get(PENDING_ENROL).await.ok().flatten().unwrap_or(false);
    (now_ms() - at <= SECOND_STEP_MS).then_some((id, enrol))
}

/// The account waiting for its code, if its password was right less than
/// [`SECOND_STEP_MS`] ago.
pub async fn second_step_of(session: &Session) -> Option<Uuid> {
    pending(session).await.filter(|(_, enrol)| !enrol).map(|(id, _)| id)
}

/// The account adding the app its firm requires, if its password was right
/// less than [`SECOND_STEP_MS`] ago.
pub async fn enrolment_of(session: &Session) -> Option<Uuid> {
    pending(session).await.filter(|(_, enrol)| *enrol).map(|(id, _)| id)
}

/// Deletes the session record and clears the cookie, and ends the account's
/// other sessions too (other browsers, other instances, open event streams).
pub async fn log_out(session: &Session, db: &Db) {
    if let Ok(Some(id)) = session.get::<Uuid>(ATTORNEY_ID).await
        && let Err(e) = db.accounts().end_sessions(id, now_ms()).await
    {
        tracing::error!(error = %e, "cannot end the account's sessions");
    }
    if let Err(e) = session.flush().await {
        tracing::error!(error = %e, "cannot delete the session");
    }
}
