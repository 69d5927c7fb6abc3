//! The prospect's submission.

use crate::domain::{SubmitFailure, SubmitReceipt};
use leptos::prelude::*;
use server_fn::codec::{MultipartData, MultipartFormData};

/// Submits the intake form (multipart: first_name, last_name, email, resume).
#[server(prefix = "/api", endpoint = "submit_lead", input = MultipartFormData)]
pub async fn submit_lead(data: MultipartData) -> Result<SubmitReceipt, SubmitFailure> {
    use crate::server::{client_ip::ClientIp, error::Error, intake, state::AppState};
    use axum::Extension;
    use server_fn::error::FromServerFnError;

    let state = use_context::<AppState>().ok_or_else(|| {
        SubmitFailure::from_server_fn_error(server_fn::error::ServerFnErrorErr::MissingArg("state".into()))
    })?;
    let Extension(client) =
        leptos_axum::extract::<Extension<ClientIp>>().await.map_err(SubmitFailure::from_server_fn_error)?;
    let result = async {
        intake::check_rate(&state, client).await?;
        let multipart = data.into_inner().ok_or_else(|| Error::Malformed("send it as multipart/form-data".into()))?;
        intake::submit(&state, multipart).await
    }
    .await;
    result.inspect_err(crate::server::metrics::submission_refused).map_err(Error::into_failure)
}
