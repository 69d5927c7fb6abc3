//! The prospect's submission.

use crate::domain::{SubmitFailure, SubmitReceipt};
use leptos::prelude::*;
use server_fn::codec::{MultipartData, MultipartFormData};

/// Submits the intake form (multipart: first_name, last_name, email, resume).
#[server(prefix = "/api", endpoint = "submit_lead", input = MultipartFormData)]
pub async fn submit_lead(data: MultipartData) -> Result<SubmitReceipt, SubmitFailure> {
    use crate::server::client_ip::ClientIp;
    use crate::server::{intake, state::AppState};
    use axum::{Extension, http::HeaderValue};
    use server_fn::error::FromServerFnError;

    let state = use_context::<AppState>().ok_or_else(|| {
        SubmitFailure::from_server_fn_error(server_fn::error::ServerFnErrorErr::MissingArg("state".into()))
    })?;
    let Extension(client) =
        leptos_axum::extract::<Extension<ClientIp>>().await.map_err(SubmitFailure::from_server_fn_error)?;
    let result = async {
        intake::check_rate(&state, client).await?;
        let multipart =
            data.into_inner().ok_or_else(|| intake::SubmitError::Malformed("send it as multipart/form-data".into()))?;
        intake::submit(&state, multipart).await
    }
    .await;
    result.map_err(|err| {
        if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
            res.set_status(err.status());
            if let Some(retry_after) = err.retry_after()
                && let Ok(v) = HeaderValue::from_str(&retry_after.as_secs().max(1).to_string())
            {
                res.insert_header(axum::http::header::RETRY_AFTER, v);
            }
        }
        err.to_failure()
    })
}
