//! The server's error as a server function or a rendered page answers it:
//! the response's status and `Retry-After` set (by `Error::status`, the one
//! mapping), and the body the browser reads.

use crate::api::error::AppError;
use axum::http::header;
use intake_core::error::Error;
use intake_domain::SubmitFailure;

/// Answers a server function or a page with an [`Error`].
pub trait Respond {
    /// The body an attorney's call reads.
    fn to_app_error(&self) -> AppError;
    /// In a server function or a page being rendered: sets the response's status and `Retry-After`.
    fn set_on_response(&self);
    /// For an attorney's server function: the response's status set, the body it returns.
    fn into_app_error(self) -> AppError;
    /// For the submission server function: the response's status set, the body it returns.
    fn into_failure(self) -> SubmitFailure;
}

impl Respond for Error {
    fn to_app_error(&self) -> AppError {
        match self {
            Self::Unauthorized => AppError::Unauthorized,
            Self::ProofNeeded => AppError::ProofNeeded,
            Self::NotFound("lead") => AppError::NotFound,
            Self::Conflict(m) => AppError::Conflict(m.clone()),
            Self::Forbidden(m) => AppError::Forbidden((*m).into()),
            Self::BadParam(m) => AppError::Invalid(m.clone()),
            _ => AppError::Unavailable(self.message()),
        }
    }

    fn set_on_response(&self) {
        if let Some(res) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            res.set_status(self.status());
            if let Some(v) = self.retry_after_header() {
                res.insert_header(header::RETRY_AFTER, v);
            }
        }
    }

    fn into_app_error(self) -> AppError {
        self.set_on_response();
        self.to_app_error()
    }

    fn into_failure(self) -> SubmitFailure {
        self.set_on_response();
        self.to_failure()
    }
}
