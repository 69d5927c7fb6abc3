//! Single sign-on over HTTP: `GET /login/sso` sends the browser to the
//! firm's provider (with the sign-in's `state` in a short-lived cookie), and
//! `GET /login/sso/callback` signs it in when everything checks out (see
//! `intake_core::auth::sso`), or goes back to `/login?sso=<why>`. Links and
//! redirects only: it works without JavaScript.

use super::signin::cookie;
use crate::server::state::AppState;
use axum::{
    Extension,
    extract::{Query, Request, State},
    http::{HeaderValue, header},
    response::{IntoResponse, Redirect, Response},
};
use intake_core::{
    auth::sso::{self, Callback, Kept, Refusal, STATE_COOKIE},
    client_ip::ClientIp,
};
use serde::Deserialize;
use tower_sessions::Session;
use url::form_urlencoded;

#[derive(Deserialize)]
pub struct StartQuery {
    #[serde(default)]
    next: String,
}

/// The `Set-Cookie` holding `value` for the callback (or clearing it).
fn state_cookie(state: &AppState, value: &str, max_age: i64) -> Option<HeaderValue> {
    let secure = if state.config.site.public_url.starts_with("https://") { "; Secure" } else { "" };
    let c = format!("{STATE_COOKIE}={value}; Path=/login/sso; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}");
    HeaderValue::from_str(&c).ok()
}

fn refused(state: &AppState, why: Refusal) -> Response {
    let mut res = Redirect::to(&format!("/login?sso={}", why.as_str())).into_response();
    if let Some(c) = state_cookie(state, "", 0) {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    res
}

/// `GET /login/sso`: to the provider.
pub async fn start(State(state): State<AppState>, Query(q): Query<StartQuery>) -> Response {
    if state.sso.is_none() {
        return intake_core::error::Error::NotFound("page").into_response();
    }
    match sso::start(&state).await {
        Ok(start) => {
            let next = super::auth::safe_next(&q.next, &state.config.site.public_url);
            let mut res = Redirect::to(&start.url).into_response();
            // `state|secret|next`: the secret never leaves this browser and this server.
            let next: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
            let value = format!("{}|{}|{next}", start.state, start.secret);
            if let Some(c) = state_cookie(&state, &value, sso::ATTEMPT_MS / 1000) {
                res.headers_mut().append(header::SET_COOKIE, c);
            }
            res
        }
        Err(why) => refused(&state, why),
    }
}

/// `GET /login/sso/callback`: back from the provider.
pub async fn callback(
    State(state): State<AppState>,
    Extension(client): Extension<ClientIp>,
    session: Session,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let callback: Callback = Query::try_from_uri(&parts.uri).map(|Query(c)| c).unwrap_or_default();
    // The cookie: `state|secret|next`.
    let mut kept = cookie(&parts.headers, STATE_COOKIE).unwrap_or_default().splitn(3, '|');
    let (sign_in, secret, next) = (kept.next(), kept.next(), kept.next());
    let kept = sign_in.zip(secret).map(|(state, secret)| Kept { state, secret });
    let who = match sso::finish(&state, callback, kept).await {
        Ok(who) => who,
        Err(why) => return refused(&state, why),
    };
    let next = next
        .and_then(|n| form_urlencoded::parse(format!("n={n}").as_bytes()).next().map(|(_, v)| v.into_owned()))
        .unwrap_or_default();
    let next = super::auth::safe_next(&next, &state.config.site.public_url);
    let browser = match super::signin::sign_in(&state, &session, &parts.headers, &client, &who, true).await {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    tracing::info!(attorney = %who.email, "logged in with single sign-on");
    let mut res = super::signin::with_cookie(Redirect::to(&next).into_response(), browser);
    if let Some(c) = state_cookie(&state, "", 0) {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    res
}
