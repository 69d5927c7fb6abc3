//! `POST /login` and `POST /logout`: plain form posts, so they work without JavaScript.

use super::render_page;
use crate::{
    pages::login::LoginOutcome,
    server::{
        auth::{session, throttle},
        state::AppState,
    },
};
use axum::{
    Form,
    extract::{ConnectInfo, Request, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use leptos::prelude::provide_context;
use serde::Deserialize;
use std::net::SocketAddr;
use tower_sessions::Session;

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// The same message for an unknown email, a wrong password and a disabled account.
pub const BAD_CREDENTIALS: &str = "Incorrect email or password.";

pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    session: Session,
    req: Request,
) -> Response {
    let (parts, body) = req.into_parts();
    let req = Request::from_parts(parts.clone(), body);
    let Ok(Form(form)) = Form::<LoginForm>::from_request(req, &state).await else {
        return (StatusCode::BAD_REQUEST, "The login form could not be read.").into_response();
    };
    let keys = throttle::keys(&form.email, peer.ip());
    let refuse = |status: StatusCode, error: String| {
        let outcome = LoginOutcome { email: form.email.trim().to_owned(), error };
        render_page(&state, &parts, status, move || provide_context(outcome.clone()))
    };
    if let Err(wait) = state.login_throttle.check(&keys) {
        let minutes = wait.as_secs().div_ceil(60).max(1);
        let msg =
            format!("Too many failed attempts. Try again in {minutes} minute{}.", if minutes == 1 { "" } else { "s" });
        return refuse(StatusCode::TOO_MANY_REQUESTS, msg).await;
    }
    let attorney = match state.db.attorney_by_email(&form.email).await {
        Ok(a) => a,
        Err(e) => {
            tracing::error!(error = %e, "login: cannot read accounts");
            return refuse(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong. Please try again.".into()).await;
        }
    };
    let hash = attorney.as_ref().filter(|a| !a.disabled).map(|a| a.password_hash.clone());
    if !state.hasher.verify(form.password.clone(), hash).await {
        state.login_throttle.record_failure(&keys);
        tracing::info!(ip = %peer.ip(), "login failed");
        return refuse(StatusCode::UNAUTHORIZED, BAD_CREDENTIALS.into()).await;
    }
    let attorney = attorney.expect("verified");
    state.login_throttle.clear(&keys[0]);
    if let Err(e) = session::log_in(&session, &attorney).await {
        tracing::error!(error = %e, "login: cannot start a session");
        return refuse(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong. Please try again.".into()).await;
    }
    tracing::info!(attorney = %attorney.email, "logged in");
    Redirect::to(&safe_next(&form.next)).into_response()
}

pub async fn logout(session: Session) -> Response {
    session::log_out(&session).await;
    Redirect::to("/login").into_response()
}

/// Only same-site paths: `next` must not send the attorney to another site.
fn safe_next(next: &str) -> String {
    let ok = next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') && !next.contains("://");
    if ok && next != "/login" { next.to_owned() } else { "/leads".to_owned() }
}

use axum::extract::FromRequest as _;

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next("/leads?state=pending"), "/leads?state=pending");
        assert_eq!(safe_next("//evil.com"), "/leads");
        assert_eq!(safe_next("https://evil.com"), "/leads");
        assert_eq!(safe_next("/\\evil.com"), "/leads");
        assert_eq!(safe_next(""), "/leads");
    }
}
