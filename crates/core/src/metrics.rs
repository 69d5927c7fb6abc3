//! Intake's own Prometheus metrics, counted where they happen: leads created, submissions refused by kind, the email
//! outbox, open event streams, logins refused and lockouts, database
//! connections. Rendered at `/metrics`, on the public address or only on
//! `INTAKE_ADMIN_ADDR` when that is set.

use crate::error::Error;

pub fn lead_created() {
    metrics::counter!("intake_leads_created_total").increment(1);
}

/// A prospect submitted again with an address already held (answered as a new lead).
pub fn submission_repeated() {
    metrics::counter!("intake_submissions_repeated_total").increment(1);
}

/// Counts a refused submission under its kind (`invalid`, `duplicate`, …).
pub fn submission_refused(e: &Error) {
    let kind = match e {
        Error::Busy { .. } => "busy",
        Error::Internal(_) => "internal",
        other => other.to_failure().kind.as_str(),
    };
    metrics::counter!("intake_submissions_refused_total", "kind" => kind).increment(1);
}

pub fn login_refused(e: &Error) {
    match e {
        Error::LockedOut { .. } => metrics::counter!("intake_login_lockouts_total").increment(1),
        Error::BadCredentials => metrics::counter!("intake_login_failures_total").increment(1),
        Error::BadCode => metrics::counter!("intake_login_code_failures_total").increment(1),
        Error::BadPasskey => metrics::counter!("intake_login_passkey_failures_total").increment(1),
        _ => {}
    }
}
