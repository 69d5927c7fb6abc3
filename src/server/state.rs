//! Shared application state, built once at start-up.

use crate::server::{config::Config, db::Db, rate_limit::RateLimiter, storage::ResumeStore};
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;
use tokio::sync::Notify;

/// Cheap to clone; handed to axum handlers and provided as Leptos context.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub config: Arc<Config>,
    pub db: Db,
    pub resumes: ResumeStore,
    /// Wakes the email sender when new messages are queued.
    pub mail_wake: Arc<Notify>,
    pub submit_limiter: Option<Arc<RateLimiter>>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
