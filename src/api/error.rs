//! The error of every attorney's server function, as the browser reads it.
//! The server's own error (`intake_core::error::Error`) becomes one in
//! `server::respond`, which also sets the response's status.

use serde::{Deserialize, Serialize};
use server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};

/// Failure of an internal (attorney) call; mapped to an HTTP status in one place on the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AppError {
    /// No valid session (401).
    Unauthorized,
    /// No such lead (404).
    NotFound,
    /// The change conflicts with the current state (409); the message says why.
    Conflict(String),
    /// Signed in, but this needs another role (403); the message says which.
    Forbidden(String),
    /// A dangerous action, and the session's second factor is not fresh (403):
    /// confirm with a code (`/account/confirm`), then try again.
    ProofNeeded,
    /// A value sent is wrong (400); the message names it and says why.
    Invalid(String),
    /// Something failed on the server or on the way (500).
    Unavailable(String),
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unauthorized => f.write_str("Your session has ended. Please log in again."),
            Self::NotFound => f.write_str("This lead does not exist."),
            Self::ProofNeeded => f.write_str(
                "Confirm it is you first, with your passkey or a code from your authenticator app, then try again.",
            ),
            Self::Conflict(m) | Self::Forbidden(m) | Self::Invalid(m) | Self::Unavailable(m) => f.write_str(m),
        }
    }
}

impl AppError {
    /// Arguments a server function could not read. On the server, the
    /// response's status becomes 400 (the handler never ran to set it).
    fn bad_arguments(why: &str) -> Self {
        #[cfg(feature = "ssr")]
        if let Some(res) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            res.set_status(axum::http::StatusCode::BAD_REQUEST);
        }
        let why: String = why.chars().filter(|c| !c.is_control()).take(300).collect();
        Self::Invalid(format!("The request's arguments are not valid: {why}"))
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) => {
                Self::Unavailable("Cannot reach the server. Check your connection and try again.".into())
            }
            // The arguments could not be read: the caller's mistake (400), named, not a failure of ours.
            ServerFnErrorErr::Args(why) | ServerFnErrorErr::MissingArg(why) => Self::bad_arguments(&why),
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(why) => Self::bad_arguments(&why),
            _ => Self::Unavailable("Something went wrong on our side. Please try again.".into()),
        }
    }
}

impl std::error::Error for AppError {}
