//! Attorney authentication: password hashing, sessions, login throttling,
//! the first account, and the guard in front of every internal route.

pub mod bootstrap;
pub mod guard;
pub mod password;
pub mod session;
pub mod throttle;
pub mod token;

use crate::{domain::dashboard::AppError, server::db::Attorney};
use axum::Extension;

/// Checks a password as a login does, for `/login` and for a password
/// change alike: the attempt takes its place in `keys`' budget before the
/// hash is computed (simultaneous guesses share it), then counts as a
/// failure or a success; a full hashing queue releases it unused. `hash`
/// `None` (no such account) is checked against a dummy, in the same time.
pub async fn check_password(
    state: &crate::server::state::AppState,
    keys: [String; 2],
    password: String,
    hash: Option<String>,
) -> Result<(), crate::server::error::Error> {
    use crate::server::error::Error;
    let attempt = state.login_throttle.begin(keys).await.map_err(|wait| Error::LockedOut { retry_after: wait })?;
    match state.hasher.verify(password, hash).await {
        Ok(true) => {
            attempt.succeeded().await;
            Ok(())
        }
        Ok(false) => {
            attempt.failed().await;
            Err(Error::BadCredentials)
        }
        Err(password::Busy) => Err(Error::Busy { retry_after: std::time::Duration::from_secs(1) }),
    }
}

/// The attorney behind the current request, put in the request by [`guard`].
#[derive(Clone, Debug)]
pub struct CurrentAttorney(pub Attorney);

/// For server functions: the signed-in attorney, or `Unauthorized` (401).
pub async fn require_attorney() -> Result<Attorney, AppError> {
    match leptos_axum::extract::<Extension<CurrentAttorney>>().await {
        Ok(Extension(CurrentAttorney(a))) => Ok(a),
        Err(_) => Err(crate::server::error::Error::Unauthorized.into_app_error()),
    }
}

/// For server functions an administrator may call: the signed-in admin,
/// `Unauthorized` (401) without a session, `Forbidden` (403) for an attorney.
pub async fn require_admin() -> Result<Attorney, AppError> {
    let a = require_attorney().await?;
    match a.role {
        crate::server::db::Role::Admin => Ok(a),
        crate::server::db::Role::Attorney => Err(crate::server::error::Error::Forbidden(
            "Only administrators can do this: manage integrations, erase leads. Ask one to change your role.",
        )
        .into_app_error()),
    }
}
