//! `POST /`: the intake form submitted without JavaScript. The page is
//! rendered again, with the errors and the typed values, or the confirmation.

use super::multipart_from;
use crate::{
    app::shell,
    domain::LeadForm,
    pages::home::FormOutcome,
    server::{intake, state::AppState},
};
use axum::{
    body::Body,
    extract::{ConnectInfo, Request, State},
    http::{Method, StatusCode},
    response::{IntoResponse, Response},
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

    let mut page_req = Request::new(Body::empty());
    *page_req.method_mut() = Method::GET;
    *page_req.uri_mut() = parts.uri.clone();
    *page_req.headers_mut() = parts.headers.clone();
    page_req.headers_mut().remove(axum::http::header::CONTENT_TYPE);
    page_req.headers_mut().remove(axum::http::header::CONTENT_LENGTH);

    let options = state.leptos_options.clone();
    let render = leptos_axum::render_app_async_with_context(
        move || {
            provide_context(state.clone());
            provide_context(outcome.clone());
        },
        move || shell(options.clone()),
    );
    let mut res = render(page_req).await.into_response();
    *res.status_mut() = status;
    res
}

async fn run(
    state: &AppState,
    peer: SocketAddr,
    headers: &axum::http::HeaderMap,
    body: Body,
) -> Result<crate::domain::SubmitReceipt, (intake::SubmitError, LeadForm)> {
    intake::check_rate(state, peer.ip()).map_err(|e| (e, LeadForm::default()))?;
    let multipart = multipart_from(headers, body).map_err(|e| (e, LeadForm::default()))?;
    let received = intake::receive(state, multipart).await.map_err(|e| (e, LeadForm::default()))?;
    let values = received.form.clone();
    intake::store(state, received).await.map_err(|e| (e, values))
}
