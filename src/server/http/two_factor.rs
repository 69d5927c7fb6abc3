//! The second step of signing in (`POST /login/code`) and the account's
//! authenticator app (`POST /account`): plain form posts, as `/login`, so
//! they work without JavaScript; the page is rendered again with the outcome.

use super::{caller::CurrentAttorney, render_page};
use crate::{
    pages::login::CodeOutcome, pages::two_factor::EnrolOutcome, pages::two_factor::TwoFactorOutcome,
    pages::two_factor::TwoFactorStep, server::state::AppState,
};
use axum::{
    Extension,
    extract::{Request, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use intake_core::{auth::second_factor, auth::session, client_ip::ClientIp, error::Error};
use leptos::prelude::provide_context;
use serde::Deserialize;
use tower_sessions::Session;

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    next: String,
}

/// A refused code (`/login/code`, `/account/confirm`): counted, and the page
/// again with the message, status and `Retry-After`.
async fn refused_code(state: &AppState, parts: &axum::http::request::Parts, err: Error) -> Response {
    intake_core::metrics::login_refused(&err);
    let outcome = CodeOutcome { error: err.message() };
    let mut res = render_page(state, parts, err.status(), move || provide_context(outcome.clone())).await;
    err.apply_to(&mut res);
    res
}

/// The code after a right password; signs the session in when it is right.
pub async fn login_code(
    State(state): State<AppState>,
    Extension(client): Extension<ClientIp>,
    session: Session,
    req: Request,
) -> Response {
    let (parts, form) = match super::page_form::<CodeForm>(&state, req, "the form").await {
        Ok(read) => read,
        Err(res) => return res,
    };
    // No password step in time (or another browser's form): start again.
    let Some(id) = session::second_step_of(&session).await else { return Redirect::to("/login").into_response() };
    let attorney = match state.db.accounts().by_id(id).await {
        Ok(Some(a)) if !a.disabled => a,
        Ok(_) => return Redirect::to("/login").into_response(),
        Err(e) => return Error::internal("login code: cannot read the account", e).into_response(),
    };
    if let Err(err) = second_factor::check(&state, &attorney, client.limit_key(), &form.code).await {
        return refused_code(&state, &parts, err).await;
    }
    let cookie = match super::signin::sign_in(&state, &session, &parts.headers, &client, &attorney, true).await {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    tracing::info!(attorney = %attorney.email, "logged in with a second factor");
    let next = super::auth::safe_next(&form.next, &state.config.site.public_url);
    super::signin::with_cookie(Redirect::to(&next).into_response(), cookie)
}

#[derive(Deserialize)]
pub struct TwoFactorForm {
    #[serde(default)]
    step: String,
    #[serde(default)]
    code: String,
}

/// The account page's authenticator app forms: start, confirm, new recovery codes, turn off.
pub async fn account_two_factor(
    State(state): State<AppState>,
    Extension(client): Extension<ClientIp>,
    Extension(CurrentAttorney(me)): Extension<CurrentAttorney>,
    session: Session,
    req: Request,
) -> Response {
    let (parts, form) = match super::page_form::<TwoFactorForm>(&state, req, "the form").await {
        Ok(read) => read,
        Err(res) => return res,
    };
    // Adding an app to an account that has a passkey is a new way past the
    // password: prove it is you first, as for the other dangerous actions.
    if matches!(form.step.as_str(), "start" | "confirm") {
        match intake_core::auth::fresh::require(&state, &session, &me).await {
            Ok(()) => {}
            Err(Error::ProofNeeded) => {
                return Redirect::to("/account/confirm?next=%2Faccount%23two-factor").into_response();
            }
            Err(e) => return e.into_response(),
        }
    }
    let ip = client.limit_key();
    let mut outcome = TwoFactorOutcome::default();
    let result = match form.step.as_str() {
        "start" => second_factor::start(&state, &me).await.map(|e| {
            outcome.enrolment =
                Some(crate::pages::two_factor::EnrolmentView { secret: e.secret, uri: e.uri, qr_svg: e.qr_svg });
        }),
        "confirm" => second_factor::confirm(&state, &me, &form.code).await.map(|codes| {
            outcome.step = Some(TwoFactorStep::Added);
            outcome.recovery_codes = codes;
        }),
        "renew" => second_factor::renew_codes(&state, &me, ip, &form.code).await.map(|codes| {
            outcome.step = Some(TwoFactorStep::Renewed);
            outcome.recovery_codes = codes;
        }),
        "remove" => second_factor::remove(&state, &me, ip, &form.code).await.map(|()| {
            outcome.step = Some(TwoFactorStep::Removed);
        }),
        _ => Err(Error::Malformed("unknown step".into())),
    };
    // The first code just proved the new app: as fresh a proof as `/account/confirm`'s.
    if result.is_ok()
        && form.step == "confirm"
        && let Err(e) = intake_core::auth::fresh::proved(&session).await
    {
        return e.into_response();
    }
    let status = match &result {
        Ok(()) => StatusCode::OK,
        Err(e) => {
            outcome.error = Some(e.message());
            // A wrong first code: the same secret stays on screen to try again.
            if form.step == "confirm" && matches!(e, Error::BadCode) {
                outcome.retry_confirm = true;
            }
            e.status()
        }
    };
    let mut res = render_page(&state, &parts, status, move || provide_context(outcome.clone())).await;
    if let Err(e) = result {
        e.apply_to(&mut res);
    }
    res
}

/// A code typed to confirm it is you before a dangerous action
/// (`/account/confirm`): back to `next` when right, the page with the error when not.
pub async fn account_confirm(
    State(state): State<AppState>,
    Extension(client): Extension<ClientIp>,
    Extension(CurrentAttorney(me)): Extension<CurrentAttorney>,
    session: Session,
    req: Request,
) -> Response {
    let (parts, form) = match super::page_form::<CodeForm>(&state, req, "the form").await {
        Ok(read) => read,
        Err(res) => return res,
    };
    match intake_core::auth::fresh::prove(&state, &session, &me, client.limit_key(), &form.code).await {
        Ok(()) => Redirect::to(&super::auth::safe_next(&form.next, &state.config.site.public_url)).into_response(),
        Err(err) => refused_code(&state, &parts, err).await,
    }
}

/// The first code of the app the firm requires: signs the session in and
/// shows the recovery codes, or shows the same key again with the error.
pub async fn login_enrol(
    State(state): State<AppState>,
    Extension(client): Extension<ClientIp>,
    session: Session,
    req: Request,
) -> Response {
    let (parts, form) = match super::page_form::<CodeForm>(&state, req, "the form").await {
        Ok(read) => read,
        Err(res) => return res,
    };
    let Some(id) = session::enrolment_of(&session).await else { return Redirect::to("/login").into_response() };
    let me = match state.db.accounts().by_id(id).await {
        Ok(Some(a)) if !a.disabled => a,
        Ok(_) => return Redirect::to("/login").into_response(),
        Err(e) => return Error::internal("login enrol: cannot read the account", e).into_response(),
    };
    let next = super::auth::safe_next(&form.next, &state.config.site.public_url);
    let (status, outcome, err, cookie) = match second_factor::confirm(&state, &me, &form.code).await {
        Ok(codes) => {
            let cookie = match super::signin::sign_in(&state, &session, &parts.headers, &client, &me, true).await {
                Ok(c) => c,
                Err(e) => return e.into_response(),
            };
            tracing::info!(attorney = %me.email, "logged in after adding an authenticator app");
            (StatusCode::OK, EnrolOutcome { recovery_codes: codes, next, ..Default::default() }, None, cookie)
        }
        // The page shows the same key again (`get_enrolment`).
        Err(e) => (e.status(), EnrolOutcome { error: Some(e.message()), next, ..Default::default() }, Some(e), None),
    };
    let mut res = render_page(&state, &parts, status, move || provide_context(outcome.clone())).await;
    if let Some(e) = err {
        e.apply_to(&mut res);
    }
    super::signin::with_cookie(res, cookie)
}
