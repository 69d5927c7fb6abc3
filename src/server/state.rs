//! Shared application state, built once at start-up.

use crate::server::{
    auth::{password::Hasher, throttle::LoginThrottle},
    config::Config,
    db::Db,
    limits::Limits,
    rate_limit::RateLimiter,
    storage::ResumeStore,
};
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;
use tokio::sync::watch;

/// Cheap to clone; handed to axum handlers and provided as Leptos context.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub config: Arc<Config>,
    pub db: Db,
    pub resumes: ResumeStore,
    /// Wakes the outbox's senders when messages are queued.
    pub outbox_wake: Arc<crate::server::outbox::Wake>,
    pub submit_limiter: Option<Arc<RateLimiter>>,
    /// Integrator API calls, per token.
    pub api_limiter: Option<Arc<RateLimiter<uuid::Uuid>>>,
    pub hasher: Hasher,
    pub login_throttle: Arc<LoginThrottle>,
    /// Concurrent uploads and open event streams.
    pub limits: Arc<Limits>,
    /// The firm-wide overdue count the header shows, shared for a few seconds.
    pub overdue: Arc<crate::server::leads::OverdueCache>,
    /// Held while round robin chooses and assigns, so leads arriving
    /// together on this instance go to different attorneys.
    pub assign_turn: Arc<tokio::sync::Mutex<()>>,
    /// Turns true when the server starts shutting down (ends live streams).
    pub shutdown: watch::Receiver<bool>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
