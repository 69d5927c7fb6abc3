//! `POST /`: the intake form submitted without JavaScript. The page is
//! rendered again, with the errors and the typed values, or the confirmation.

use super::{multipart_from, render_page};
use crate::{
    domain::{LeadForm, SubmitReceipt},
    pages::home::FormOutcome,
    server::{intake, state::AppState},
};
use axum::{
    body::Body,
    extract::{ConnectInfo, Request, State},
    http::{HeaderMap, StatusCode},
    response::Response,
};
use leptos::prelude::provide_context;
use std::net::SocketAddr;

pub async fn submit_form(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Request,
) -> Response {
    let (parts, body) = req.into_parts();
    let (status, outcome) = match run(&state, peer, &parts.headers, body).await {
        Ok(receipt) => (StatusCode::OK, FormOutcome::Submitted(receipt)),
        Err((err, values)) => (err.status(), FormOutcome::Refused { values, failure: err.to_failure() }),
    };
    render_page(&state, &parts, status, move || provide_context(outcome.clone())).await
}

async fn run(
    state: &AppState,
    peer: SocketAddr,
    headers: &HeaderMap,
    body: Body,
) -> Result<SubmitReceipt, (intake::SubmitError, LeadForm)> {
    intake::check_rate(state, peer.ip()).map_err(|e| (e, LeadForm::default()))?;
    let multipart = multipart_from(headers, body).map_err(|e| (e, LeadForm::default()))?;
    let received = intake::receive(state, multipart).await.map_err(|e| (e, LeadForm::default()))?;
    let values = received.form.clone();
    intake::store(state, received).await.map_err(|e| (e, values))
}
