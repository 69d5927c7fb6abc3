//! `POST /api/leads`: the documented JSON API for integrators.

use super::multipart_from;
use crate::server::{
    client_ip::ClientIp,
    intake::{self, SubmitError},
    state::AppState,
};
use axum::{
    Extension, Json,
    extract::{Request, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

impl IntoResponse for SubmitError {
    fn into_response(self) -> Response {
        let mut res = (self.status(), Json(self.to_failure())).into_response();
        if let Some(retry_after) = self.retry_after()
            && let Ok(v) = HeaderValue::from_str(&retry_after.as_secs().max(1).to_string())
        {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        res
    }
}

pub async fn create_lead(
    State(state): State<AppState>,
    Extension(client): Extension<ClientIp>,
    req: Request,
) -> Result<Response, SubmitError> {
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
