//! `POST /api/leads`: the documented JSON API for integrators.

use super::multipart_from;
use crate::server::{
    intake::{self, SubmitError},
    state::AppState,
};
use axum::{
    Json,
    extract::{ConnectInfo, Request, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use std::net::SocketAddr;

impl IntoResponse for SubmitError {
    fn into_response(self) -> Response {
        let mut res = (self.status(), Json(self.to_failure())).into_response();
        if let Self::RateLimited { retry_after } = &self
            && let Ok(v) = HeaderValue::from_str(&retry_after.as_secs().max(1).to_string())
        {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        res
    }
}

pub async fn create_lead(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Request,
) -> Result<Response, SubmitError> {
    intake::check_rate(&state, peer.ip())?;
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
