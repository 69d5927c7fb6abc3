//! `POST /api/leads`: the documented JSON API for integrators.

use crate::server::{bounded::multipart_from, client_ip::ClientIp, error::Error, intake, state::AppState};
use axum::{
    Extension, Json,
    extract::{Request, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};

pub async fn create_lead(
    State(state): State<AppState>,
    Extension(client): Extension<ClientIp>,
    req: Request,
) -> Result<Response, Error> {
    intake::check_rate(&state, client).await?;
    let (parts, body) = req.into_parts();
    let multipart = multipart_from(&parts.headers, body)?;
    let receipt = intake::submit(&state, multipart).await?;
    let body = serde_json::json!({
        "id": receipt.id,
        "first_name": receipt.first_name,
        "email": receipt.email,
        "state": crate::domain::LeadState::Pending,
    });
    Ok((StatusCode::CREATED, Json(body)).into_response())
}
