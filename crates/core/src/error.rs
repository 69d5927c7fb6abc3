//! The one error type of every request, whatever served it (pages, server
//! functions, the JSON API, downloads, the guard), and its one mapping to
//! HTTP: the status, `Retry-After`, and the body each kind of client reads.
//! Lower layers return it; nothing here knows about routes.

use axum::{
    Json,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use intake_domain::{Field, FieldErrors, SubmitFailure, SubmitFailureKind as K, submission::too_large_message};
use std::time::Duration;

#[derive(Debug)]
pub enum Error {
    /// Too many submissions from one network (the per-client rate).
    RateLimited { retry_after: Duration },
    /// A bounded resource is full (uploads, password checks, live streams): try again soon.
    Busy { retry_after: Duration },
    /// A file over the configured limit: the resume, or the document
    /// answering `question`.
    TooLarge { limit: u64, question: Option<String> },
    /// Any other body over its limit.
    BodyTooLarge,
    /// The request could not be read as what it should be; says why.
    Malformed(String),
    /// The submission's fields are wrong; each says why.
    Invalid(Box<FieldErrors>),
    /// A lead with this email already exists.
    Duplicate,
    /// The honeypot was filled in.
    Spam,
    /// No valid session.
    Unauthorized,
    /// An integrator API call without a valid, unrevoked token.
    BadToken,
    /// The token is valid but may not do this (a read token writing).
    Forbidden(&'static str),
    /// An integrator API parameter is wrong; says which and why.
    BadParam(String),
    /// Too many integrator API calls with one token.
    ApiRateLimited { retry_after: Duration },
    /// Wrong email or password (or a disabled account: the same answer).
    BadCredentials,
    /// A wrong, reused or expired sign-in code (authenticator app or recovery code).
    BadCode,
    /// Too many sign-ins started from one address.
    TooManyAttempts { retry_after: Duration },
    /// A passkey's answer that does not check out (unknown, removed, replayed, or for another account).
    BadPasskey,
    /// Too many failed logins for this account or address.
    LockedOut { retry_after: Duration },
    /// The firm signs in only through its provider (named): no password or passkey here.
    SsoOnly(String),
    /// A state change from another site.
    CrossSite,
    /// This session already has as many live streams as it may.
    TooManyStreams,
    /// This account already has as many CSV exports running as it may.
    ExportRunning,
    /// A dangerous action, and the account's second factor was last proved
    /// too long ago: a fresh code first.
    ProofNeeded,
    /// Nothing here by that name (the noun: "lead", "resume file", "page").
    NotFound(&'static str),
    /// The change conflicts with the current state; the message says why.
    Conflict(String),
    /// Failed on our side; the detail is logged, never shown.
    Internal(String),
}

impl Error {
    /// An internal failure, logged once here with its cause.
    pub fn internal(context: &'static str, e: impl std::fmt::Display) -> Self {
        tracing::error!(error = %e, "{context}");
        Self::Internal(format!("{context}: {e}"))
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::RateLimited { .. }
            | Self::ApiRateLimited { .. }
            | Self::LockedOut { .. }
            | Self::TooManyStreams
            | Self::ExportRunning
            | Self::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::TooLarge { .. } | Self::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Malformed(_) | Self::Invalid(_) | Self::Spam | Self::BadParam(_) => StatusCode::BAD_REQUEST,
            Self::Duplicate | Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Unauthorized | Self::BadCredentials | Self::BadCode | Self::BadPasskey | Self::BadToken => {
                StatusCode::UNAUTHORIZED
            }
            Self::CrossSite | Self::Forbidden(_) | Self::ProofNeeded | Self::SsoOnly(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// How long a refused client should wait before trying again, if it should.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after }
            | Self::ApiRateLimited { retry_after }
            | Self::LockedOut { retry_after }
            | Self::TooManyAttempts { retry_after }
            | Self::Busy { retry_after } => Some(*retry_after),
            Self::TooManyStreams => Some(Duration::from_secs(30)),
            Self::ExportRunning => Some(Duration::from_secs(10)),
            _ => None,
        }
    }

    /// What a person reads.
    pub fn message(&self) -> String {
        match self {
            Self::RateLimited { retry_after } => format!(
                "Too many submissions from your network. Please try again in {} seconds.",
                retry_after.as_secs().max(1)
            ),
            Self::Busy { .. } => "The server is busy right now. Please try again in a few seconds.".into(),
            Self::TooLarge { limit, question: None } => too_large_message(*limit),
            Self::TooLarge { limit, question: Some(_) } => {
                intake_domain::questions::AnswerError::FileTooLarge { limit: *limit }.message()
            }
            Self::BodyTooLarge => "The request is too large.".into(),
            Self::Malformed(why) => format!("The form could not be read: {why}."),
            Self::Invalid(_) => "Please correct the highlighted fields.".into(),
            Self::Duplicate => "We already have a submission with this email address. There is no need to submit \
                                again: an attorney will contact you."
                .into(),
            Self::Spam => "Your submission could not be accepted.".into(),
            Self::Unauthorized => "Log in to continue.".into(),
            Self::BadToken => "A valid API token is required: send it as `Authorization: Bearer <token>`.".into(),
            Self::Forbidden(why) => (*why).into(),
            Self::BadParam(why) => why.clone(),
            Self::ApiRateLimited { retry_after } => {
                format!("Too many requests with this token. Try again in {} seconds.", retry_after.as_secs().max(1))
            }
            Self::BadCredentials => "Incorrect email or password.".into(),
            Self::BadCode => "That code is not right. Type the code your authenticator app shows now (each code works \
                              once), or one of your recovery codes."
                .into(),
            Self::TooManyAttempts { retry_after } => {
                format!("Too many sign-ins from your network. Try again in {} seconds.", retry_after.as_secs().max(1))
            }
            Self::BadPasskey => "That passkey was not accepted: it may have been removed from your account. Try \
                                 again, or use another way to sign in."
                .into(),
            Self::LockedOut { retry_after } => {
                let minutes = retry_after.as_secs().div_ceil(60).max(1);
                format!(
                    "Too many failed attempts. Try again in {minutes} minute{}.",
                    if minutes == 1 { "" } else { "s" }
                )
            }
            Self::CrossSite => "Cross-site request refused.".into(),
            Self::SsoOnly(name) => format!("Your firm signs in with {name}: use “Sign in with {name}”."),
            Self::ProofNeeded => {
                "Confirm it is you first, with your passkey or a code from your authenticator app, then try again."
                    .into()
            }
            Self::TooManyStreams => "Too many open live connections.".into(),
            Self::ExportRunning => "An export of yours is still running: wait for it to finish, then try again.".into(),
            Self::NotFound(what) => format!("This {what} does not exist."),
            Self::Conflict(m) => m.clone(),
            Self::Internal(_) => "Something went wrong on our side. Please try again in a moment.".into(),
        }
    }

    /// The body a prospect's form reads: a kind, a message, and field errors.
    pub fn to_failure(&self) -> SubmitFailure {
        match self {
            Self::Invalid(fields) => SubmitFailure::invalid((**fields).clone()),
            Self::TooLarge { question, .. } => {
                let mut f = SubmitFailure::new(K::TooLarge, self.message());
                match question {
                    Some(key) => _ = f.fields.answers.insert(key.clone(), self.message()),
                    None => f.fields.set(Field::Resume, Some(self.message())),
                }
                f
            }
            Self::Duplicate => {
                let mut f = SubmitFailure::new(K::Duplicate, self.message());
                f.fields.set(Field::Email, Some("This email address has already been used for a submission.".into()));
                f
            }
            Self::RateLimited { retry_after } => SubmitFailure {
                retry_after: Some(retry_after.as_secs().max(1)),
                ..SubmitFailure::new(K::RateLimited, self.message())
            },
            Self::Busy { retry_after } => SubmitFailure {
                retry_after: Some(retry_after.as_secs().max(1)),
                ..SubmitFailure::new(
                    K::Unavailable,
                    "We are receiving many submissions right now. Please try again in a few seconds.",
                )
            },
            Self::Internal(_) => SubmitFailure::new(K::Unavailable, self.message()),
            _ => SubmitFailure::new(K::Malformed, self.message()),
        }
    }

    fn api_key(&self) -> Option<&'static str> {
        match self {
            Self::BadToken => Some("Unauthorized"),
            Self::Forbidden(_) => Some("Forbidden"),
            Self::BadParam(_) => Some("BadRequest"),
            Self::ApiRateLimited { .. } => Some("RateLimited"),
            _ => None,
        }
    }

    fn is_submission(&self) -> bool {
        matches!(
            self,
            Self::RateLimited { .. }
                | Self::TooLarge { .. }
                | Self::Malformed(_)
                | Self::Invalid(_)
                | Self::Duplicate
                | Self::Spam
        )
    }

    /// Sets this error's status and `Retry-After` on a response built elsewhere (a rendered page).
    pub fn apply_to(&self, res: &mut Response) {
        *res.status_mut() = self.status();
        if let Some(v) = self.retry_after_header() {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }

    pub fn retry_after_header(&self) -> Option<HeaderValue> {
        self.retry_after().map(|d| HeaderValue::from(d.as_secs().max(1)))
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Internal(detail) => f.write_str(detail),
            other => f.write_str(&other.message()),
        }
    }
}

/// JSON for API clients: a submission's failure, or an attorney call's error
/// with a `message` beside it; plain text for the rest.
impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let mut res = if self.is_submission() || matches!(self, Self::Busy { .. } | Self::Internal(_)) {
            Json(self.to_failure()).into_response()
        } else if let Some(key) = self.api_key() {
            // The integrator API's errors: a stable key and a readable message.
            Json(serde_json::json!({ key: serde_json::Value::Null, "message": self.message() })).into_response()
        } else if matches!(self, Self::Unauthorized | Self::NotFound(_) | Self::Conflict(_)) {
            // The attorney error's own JSON as one key (as `AppError` is
            // serialized), with a readable message beside it.
            let (key, value) = match &self {
                Self::Conflict(m) => ("Conflict", m.as_str().into()),
                Self::NotFound("lead") => ("NotFound", serde_json::Value::Null),
                Self::NotFound(_) => ("Unavailable", self.message().into()),
                _ => ("Unauthorized", serde_json::Value::Null),
            };
            Json(serde_json::json!({ key: value, "message": self.message() })).into_response()
        } else {
            self.message().into_response()
        };
        self.apply_to(&mut res);
        if matches!(self, Self::BadToken) {
            res.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"intake\""));
        }
        res
    }
}

impl From<intake_store::DbError> for Error {
    fn from(e: intake_store::DbError) -> Self {
        match e {
            intake_store::DbError::DuplicateEmail => Self::Duplicate,
            other => Self::internal("database error", other),
        }
    }
}
