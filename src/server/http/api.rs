//! `POST /api/leads`: the public JSON API for submissions.

use crate::server::state::AppState;
use axum::{
    Extension, Json,
    extract::{Request, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use intake_core::{client_ip::ClientIp, error::Error, intake, metrics, multipart::multipart_from};
use intake_domain::{LeadState, SubmitFailure};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// The submission form, as `multipart/form-data`. When the firm has an
/// intake form (`intake form show`), each answer is a part named
/// `q.<question key>` (one part per ticked option of a multiple choice);
/// refusals name the question in `fields.answers`.
#[derive(ToSchema)]
#[allow(dead_code)] // documents the body; the handler reads it part by part
pub struct LeadUpload {
    /// 1–100 characters; letters, spaces, apostrophes, hyphens and the like.
    #[schema(min_length = 1, max_length = 100)]
    first_name: String,
    #[schema(min_length = 1, max_length = 100)]
    last_name: String,
    /// An address like name@example.com; one lead per address.
    #[schema(format = Email, max_length = 254)]
    email: String,
    /// PDF, DOC, DOCX, ODT, RTF or TXT, checked by content; `INTAKE_MAX_RESUME_BYTES` at most.
    #[schema(value_type = String, format = Binary)]
    resume: Vec<u8>,
    /// Optional: the page that sent the prospect (`http(s)://`; cut to 500 characters).
    referrer: Option<String>,
    /// Optional campaign tags, recorded with the lead (cut to 100 characters each).
    utm_source: Option<String>,
    utm_medium: Option<String>,
    utm_campaign: Option<String>,
    /// The chosen matter type's key (not needed when the form has only one).
    matter_type: Option<String>,
    /// The form version the answers are for (default: the newest).
    form_version: Option<i64>,
    /// `yes` when the prospect agreed to the firm's privacy notice.
    consent: Option<String>,
}

/// A stored lead.
#[derive(Serialize, ToSchema)]
pub struct CreatedLead {
    pub id: Uuid,
    pub first_name: String,
    pub email: String,
    pub state: LeadState,
}

#[utoipa::path(
    post, path = "/api/leads", tag = "submissions",
    request_body(content = LeadUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Received; a confirmation email is on its way. An address already held gets the same answer (nothing new is stored; its owner is emailed), so the answer never tells whether someone contacted the firm", body = CreatedLead),
        (status = 400, description = "`kind` is `invalid` (see `fields`) or `malformed`", body = SubmitFailure),
        (status = 413, description = "`too_large`: the resume or the body is over the limit", body = SubmitFailure),
        (status = 429, description = "`rate_limited`, with `Retry-After`", body = SubmitFailure),
        (status = 500, description = "`unavailable`: failed on our side", body = SubmitFailure),
        (status = 503, description = "`unavailable`: too many uploads at once, with `Retry-After`", body = SubmitFailure),
    )
)]
pub async fn create_lead(
    State(state): State<AppState>,
    Extension(client): Extension<ClientIp>,
    req: Request,
) -> Result<Response, Error> {
    let receipt = async {
        intake::check_rate(&state, client).await?;
        let (parts, body) = req.into_parts();
        let multipart = multipart_from(&parts.headers, body)?;
        intake::submit(&state, multipart).await
    }
    .await
    .inspect_err(metrics::submission_refused)?;
    let body =
        CreatedLead { id: receipt.id, first_name: receipt.first_name, email: receipt.email, state: LeadState::Pending };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}
