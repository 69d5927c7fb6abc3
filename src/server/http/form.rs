//! `POST /`: the intake form submitted without JavaScript. The page is
//! rendered again, with the errors and the typed values, or the confirmation.

use super::render_page;
use crate::{pages::home::FormOutcome, server::state::AppState};
use axum::{
    Extension,
    body::Body,
    extract::{Request, State},
    http::{HeaderMap, StatusCode},
    response::Response,
};
use intake_core::{client_ip::ClientIp, error::Error, intake, metrics, multipart::multipart_from};
use intake_domain::{LeadForm, LeadOrigin, SubmitReceipt};
use leptos::prelude::provide_context;

pub async fn submit_form(
    State(state): State<AppState>,
    Extension(client): Extension<ClientIp>,
    req: Request,
) -> Response {
    let (parts, body) = req.into_parts();
    let (status, outcome) =
        match run(&state, client, &parts.headers, body).await.inspect_err(|(e, _)| metrics::submission_refused(e)) {
            Ok(receipt) => (StatusCode::OK, FormOutcome::Submitted(receipt)),
            Err((err, (values, origin))) => {
                (err.status(), FormOutcome::Refused { values, failure: err.to_failure(), origin: Box::new(origin) })
            }
        };
    render_page(&state, &parts, status, move || provide_context(outcome.clone())).await
}

async fn run(
    state: &AppState,
    client: ClientIp,
    headers: &HeaderMap,
    body: Body,
) -> Result<SubmitReceipt, (Error, (LeadForm, LeadOrigin))> {
    let nothing = || (LeadForm::default(), Default::default());
    intake::check_rate(state, client).await.map_err(|e| (e, nothing()))?;
    let multipart = multipart_from(headers, body).map_err(|e| (e, nothing()))?;
    let received = intake::receive(state, multipart).await.map_err(|e| (e, nothing()))?;
    let values = (received.form.clone(), received.origin.clone());
    intake::store(state, received).await.map_err(|e| (e, values))
}
