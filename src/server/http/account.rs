//! `POST /set-password`: a one-time link's form, a plain post (as `/login`),
//! so it works without JavaScript; the page is rendered again with the outcome.

use super::render_page;
use crate::{pages::accounts::SetPasswordOutcome, server::state::AppState};
use axum::{
    extract::{Request, State},
    http::StatusCode,
    response::Response,
};
use intake_core::accounts;
use leptos::prelude::provide_context;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct SetPasswordForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

pub async fn set_password(State(state): State<AppState>, req: Request) -> Response {
    let (parts, form) = match super::page_form::<SetPasswordForm>(&state, req, "the form").await {
        Ok(read) => read,
        Err(res) => return res,
    };
    let (status, outcome) =
        match accounts::set_password_with_link(&state, &form.token, &form.password, &form.confirm).await {
            Ok(email) => (StatusCode::OK, SetPasswordOutcome { token: form.token, error: None, email: Some(email) }),
            Err(e) => (e.status(), SetPasswordOutcome { token: form.token, error: Some(e.message()), email: None }),
        };
    render_page(&state, &parts, status, move || provide_context(outcome.clone())).await
}
