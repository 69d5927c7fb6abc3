//! Attorney authentication: password hashing, sessions, login throttling,
//! the first account, and API tokens (the guard in front of every internal
//! route is HTTP's: `server::http::guard` in the app).

pub mod bootstrap;
pub mod fresh;
pub mod passkey;
pub mod password;
pub mod second_factor;
pub mod session;
pub mod signin;
pub mod sso;
pub mod throttle;
pub mod token;
pub mod totp;

/// Checks a password as a login does, for `/login` and for a password
/// change alike: the attempt takes its place in `keys`' budget before the
/// hash is computed (simultaneous guesses share it), then counts as a
/// failure or a success; a full hashing queue releases it unused. `hash`
/// `None` (no such account) is checked against a dummy, in the same time.
pub async fn check_password(
    state: &crate::services::Services,
    keys: [String; 2],
    password: String,
    hash: Option<String>,
) -> Result<(), crate::error::Error> {
    use crate::error::Error;
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
