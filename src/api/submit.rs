//! The prospect's submission.

use intake_domain::{SubmitFailure, SubmitReceipt};
use leptos::prelude::*;
use server_fn::codec::{MultipartData, MultipartFormData};

/// Submits the intake form (multipart: first_name, last_name, email, resume).
#[server(prefix = "/api", endpoint = "submit_lead", input = MultipartFormData)]
pub async fn submit_lead(data: MultipartData) -> Result<SubmitReceipt, SubmitFailure> {
    use crate::server::respond::Respond;
    use crate::server::state::AppState;
    use axum::Extension;
    use intake_core::{client_ip::ClientIp, error::Error, intake};
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
    result.inspect_err(intake_core::metrics::submission_refused).map_err(Respond::into_failure)
}
