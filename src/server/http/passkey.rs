//! Passkeys over HTTP. A ceremony is two JSON posts from `/passkey.js`: the
//! options (handed to `navigator.credentials`), then the authenticator's
//! answer. Removing a passkey is a plain form post, so it works without
//! JavaScript; nothing else about passkeys can (the browser's API needs it),
//! and the pages say so.

use super::{auth::safe_next, caller::CurrentAttorney};
use crate::server::state::AppState;
use axum::{
    Extension, Json,
    body::Body,
    extract::{Request, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use intake_core::{
    auth::{fresh, passkey, passkey::Answer, session},
    client_ip::ClientIp,
    error::Error,
};
use intake_domain::filter::encode_component;
use serde::{Deserialize, de::DeserializeOwned};
use tower_sessions::Session;
use uuid::Uuid;

/// The largest JSON body a ceremony takes: an answer is a few kilobytes.
const MAX_BODY: usize = 64 * 1024;

/// An error as the script reads it: a message, and where to confirm it is
/// you when a fresh proof is needed.
fn fail(err: Error) -> Response {
    intake_core::metrics::login_refused(&err);
    let confirm = matches!(err, Error::ProofNeeded).then(|| "/account/confirm?next=%2Faccount%23passkeys");
    let mut res = Json(serde_json::json!({ "message": err.message(), "confirm": confirm })).into_response();
    err.apply_to(&mut res);
    res
}

async fn read<T: DeserializeOwned>(body: Body) -> Result<T, Response> {
    let bytes = axum::body::to_bytes(body, MAX_BODY).await.map_err(|_| fail(Error::BodyTooLarge))?;
    serde_json::from_slice(&bytes).map_err(|_| fail(Error::Malformed("the passkey's answer is incomplete".into())))
}

fn options(o: Result<passkey::Options, Error>) -> Response {
    match o {
        Ok(o) => Json(o).into_response(),
        Err(e) => fail(e),
    }
}

#[derive(Deserialize)]
pub struct SignedAnswer {
    #[serde(flatten)]
    answer: Answer,
    #[serde(default)]
    next: String,
}

/// Signs the browser in and answers where to go.
async fn signed_in(
    state: &AppState,
    session: &Session,
    req: &axum::http::request::Parts,
    client: &ClientIp,
    who: &intake_store::Attorney,
    next: &str,
) -> Response {
    let cookie = match super::signin::sign_in(state, session, &req.headers, client, who, true).await {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    let next = safe_next(next, &state.config.site.public_url);
    super::signin::with_cookie(Json(serde_json::json!({ "next": next })).into_response(), cookie)
}

/// `POST /login/passkey/options`: signing in with a passkey alone (a few
/// a minute per address: each is stored until it is used or expires).
pub async fn sign_in_options(State(state): State<AppState>, Extension(client): Extension<ClientIp>) -> Response {
    if let Some(limiter) = &state.passkey_limiter
        && let Err(wait) = limiter.check(client.limit_key())
    {
        return fail(Error::TooManyAttempts { retry_after: wait });
    }
    options(passkey::start_sign_in(&state).await)
}

/// `POST /login/passkey`: the answer; signs in the passkey's account.
pub async fn sign_in(
    State(state): State<AppState>,
    Extension(client): Extension<ClientIp>,
    session: Session,
    req: Request,
) -> Response {
    let (parts, body) = req.into_parts();
    let form: SignedAnswer = match read(body).await {
        Ok(f) => f,
        Err(res) => return res,
    };
    match passkey::finish_sign_in(&state, client.limit_key(), form.answer).await {
        Ok(who) => {
            tracing::info!(attorney = %who.email, "logged in with a passkey");
            signed_in(&state, &session, &parts, &client, &who, &form.next).await
        }
        Err(e) => fail(e),
    }
}

/// The account waiting for its second step in this session, if any.
async fn pending(state: &AppState, session: &Session) -> Result<intake_store::Attorney, Error> {
    let id = session::second_step_of(session).await.ok_or(Error::Unauthorized)?;
    state.db.accounts().by_id(id).await?.filter(|a| !a.disabled).ok_or(Error::Unauthorized)
}

/// `POST /login/code/passkey/options`: the second step after a password, with a passkey.
pub async fn second_step_options(State(state): State<AppState>, session: Session) -> Response {
    match pending(&state, &session).await {
        Ok(who) => options(passkey::start_verify(&state, &who).await),
        Err(e) => fail(e),
    }
}

/// `POST /login/code/passkey`: the answer; signs the pending account in.
pub async fn second_step(
    State(state): State<AppState>,
    Extension(client): Extension<ClientIp>,
    session: Session,
    req: Request,
) -> Response {
    let (parts, body) = req.into_parts();
    let form: SignedAnswer = match read(body).await {
        Ok(f) => f,
        Err(res) => return res,
    };
    let who = match pending(&state, &session).await {
        Ok(w) => w,
        Err(e) => return fail(e),
    };
    match passkey::finish_verify(&state, &who, client.limit_key(), form.answer).await {
        Ok(()) => {
            tracing::info!(attorney = %who.email, "logged in with a password and a passkey");
            signed_in(&state, &session, &parts, &client, &who, &form.next).await
        }
        Err(e) => fail(e),
    }
}

#[derive(Deserialize)]
pub struct NewPasskey {
    #[serde(default)]
    name: String,
    /// The current password, when the account has no second factor yet.
    #[serde(default)]
    password: String,
}

/// `POST /account/passkeys/options`: adding a passkey, after a fresh proof
/// or (an account with no second factor) the current password: a passkey
/// signs in on its own, so a stolen session must not add its own way in.
pub async fn add_options(
    State(state): State<AppState>,
    Extension(client): Extension<ClientIp>,
    Extension(CurrentAttorney(me)): Extension<CurrentAttorney>,
    session: Session,
    req: Request,
) -> Response {
    let form: NewPasskey = match read(req.into_body()).await {
        Ok(f) => f,
        Err(res) => return res,
    };
    if let Err(e) = fresh::for_new_factor(&state, &session, &me, client.limit_key(), &form.password).await {
        return fail(e);
    }
    options(passkey::start_adding(&state, &me, &form.name).await)
}

/// `POST /account/passkeys`: the new passkey's answer; the passkey as listed.
pub async fn add(
    State(state): State<AppState>,
    Extension(CurrentAttorney(me)): Extension<CurrentAttorney>,
    session: Session,
    req: Request,
) -> Response {
    let answer: Answer = match read(req.into_body()).await {
        Ok(a) => a,
        Err(res) => return res,
    };
    match passkey::finish_adding(&state, &me, answer).await {
        Ok(view) => {
            // Adding it used the authenticator: a proof as good as a code.
            if let Err(e) = fresh::proved(&session).await {
                return fail(e);
            }
            (StatusCode::CREATED, Json(view)).into_response()
        }
        Err(e) => fail(e),
    }
}

/// `POST /account/confirm/passkey/options`: a fresh proof with a passkey.
pub async fn confirm_options(
    State(state): State<AppState>,
    Extension(CurrentAttorney(me)): Extension<CurrentAttorney>,
) -> Response {
    options(passkey::start_verify(&state, &me).await)
}

/// `POST /account/confirm/passkey`: the answer; the session's proof is fresh again.
pub async fn confirm(
    State(state): State<AppState>,
    Extension(client): Extension<ClientIp>,
    Extension(CurrentAttorney(me)): Extension<CurrentAttorney>,
    session: Session,
    req: Request,
) -> Response {
    let form: SignedAnswer = match read(req.into_body()).await {
        Ok(f) => f,
        Err(res) => return res,
    };
    if let Err(e) = passkey::finish_verify(&state, &me, client.limit_key(), form.answer).await {
        return fail(e);
    }
    if let Err(e) = fresh::proved(&session).await {
        return fail(e);
    }
    let next = safe_next(&form.next, &state.config.site.public_url);
    Json(serde_json::json!({ "next": next })).into_response()
}

#[derive(Deserialize)]
pub struct RemoveForm {
    #[serde(default)]
    id: String,
}

/// `POST /account/passkeys/remove`: a plain form; back to the account page,
/// which says what came of it (or to the confirmation page first when the
/// proof is stale).
pub async fn remove(
    State(state): State<AppState>,
    Extension(CurrentAttorney(me)): Extension<CurrentAttorney>,
    session: Session,
    req: Request,
) -> Response {
    let (_, form) = match super::page_form::<RemoveForm>(&state, req, "the form").await {
        Ok(read) => read,
        Err(res) => return res,
    };
    match fresh::require(&state, &session, &me).await {
        Ok(()) => {}
        Err(Error::ProofNeeded) => {
            let next = encode_component("/account#passkeys");
            return Redirect::to(&format!("/account/confirm?next={next}")).into_response();
        }
        Err(e) => return e.into_response(),
    }
    let result = match Uuid::parse_str(form.id.trim()) {
        Ok(id) => passkey::remove(&state, &me, id).await,
        Err(_) => Err(Error::NotFound("passkey")),
    };
    match result {
        Ok(()) => Redirect::to("/account?passkey=removed#passkeys").into_response(),
        Err(Error::NotFound(_)) => Redirect::to("/account?passkey=not-found#passkeys").into_response(),
        Err(e) => e.into_response(),
    }
}
