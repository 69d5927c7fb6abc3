//! `POST /`: the intake form submitted without JavaScript. The page is
//! rendered again, with the errors and the typed values, or the confirmation.

use super::render_page;
use crate::{pages::home::FormOutcome, pages::home::Refusal, server::state::AppState};
use axum::{
    Extension,
    body::Body,
    extract::{Request, State},
    http::{HeaderMap, StatusCode},
    response::Response,
};
use intake_core::{client_ip::ClientIp, error::Error, intake, metrics, multipart::multipart_from};
use intake_domain::{LeadForm, LeadOrigin, SubmitReceipt, questions::SentAnswers};
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
            Err((err, kept)) => (
                err.status(),
                FormOutcome::Refused(Box::new(Refusal {
                    values: kept.values,
                    failure: err.to_failure().in_lang(kept.lang, state.config.intake.max_resume_bytes),
                    origin: kept.origin,
                    matter_type: kept.matter_type,
                    answers: kept.answers,
                    lang: kept.lang,
                    consent: kept.consent,
                })),
            ),
        };
    render_page(&state, &parts, status, move || provide_context(outcome.clone())).await
}

/// What a refused form shows again, as typed.
#[derive(Default)]
struct Kept {
    values: LeadForm,
    origin: LeadOrigin,
    matter_type: String,
    answers: SentAnswers,
    lang: intake_domain::questions::Lang,
    consent: bool,
}

async fn run(
    state: &AppState,
    client: ClientIp,
    headers: &HeaderMap,
    body: Body,
) -> Result<SubmitReceipt, (Error, Kept)> {
    // Refused before the form is read: nothing typed comes back, but the page
    // speaks the language of the page that sent the form (its `?lang=`, in
    // the Referer: same-origin, so sent whole), else the browser's.
    let early = || {
        use intake_domain::questions::Lang;
        let header = |h| headers.get(h).and_then(|v: &axum::http::HeaderValue| v.to_str().ok());
        let from_page = header(axum::http::header::REFERER)
            .and_then(|r| url::Url::parse(r).ok())
            .and_then(|u| u.query_pairs().find(|(k, _)| k == "lang").and_then(|(_, v)| Lang::parse(&v)));
        let lang = from_page
            .or_else(|| header(axum::http::header::ACCEPT_LANGUAGE).and_then(Lang::from_accept_language))
            .unwrap_or_default();
        Kept { lang, ..Kept::default() }
    };
    intake::check_rate(state, client).await.map_err(|e| (e, early()))?;
    let multipart = multipart_from(headers, body).map_err(|e| (e, early()))?;
    let mut received = intake::Received { lang: early().lang, ..Default::default() };
    // Refused part-way (a file too large): what was read comes back as typed.
    intake::receive_into(state, multipart, &mut received).await.map_err(|e| (e, Kept::from(&received)))?;
    let kept = Kept::from(&received);
    intake::store(state, received).await.map_err(|e| (e, kept))
}

impl From<&intake::Received> for Kept {
    fn from(r: &intake::Received) -> Self {
        Self {
            values: r.form.clone(),
            origin: r.origin.clone(),
            matter_type: r.matter_type.clone(),
            answers: r.answers.clone(),
            lang: r.lang,
            consent: r.consent.trim() == "yes",
        }
    }
}
