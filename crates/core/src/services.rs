//! The services every use case works with, built once at start-up.

use crate::{
    auth::password::Hasher, auth::throttle::LoginThrottle, config::Config, limits::Limits, rate_limit::RateLimiter,
    storage::ResumeStore,
};
use intake_store::Db;
use std::sync::Arc;
use tokio::sync::watch;

/// Cheap to clone: configuration, the database, resume storage and the
/// limits shared by every request (the HTTP host wraps it with its own state).
#[derive(Clone)]
pub struct Services {
    pub config: Arc<Config>,
    pub db: Db,
    pub resumes: ResumeStore,
    /// Wakes the outbox's senders when messages are queued.
    pub outbox_wake: Arc<crate::outbox::Wake>,
    /// Wakes the conflict checker (a new lead, an import).
    pub conflict_wake: Arc<tokio::sync::Notify>,
    pub submit_limiter: Option<Arc<RateLimiter>>,
    /// Integrator API calls, per token.
    pub api_limiter: Option<Arc<RateLimiter<uuid::Uuid>>>,
    pub hasher: Hasher,
    pub login_throttle: Arc<LoginThrottle>,
    /// Concurrent uploads and open event streams.
    pub limits: Arc<Limits>,
    /// Held while round robin chooses and assigns, so leads arriving
    /// together on this instance go to different attorneys.
    pub assign_turn: Arc<tokio::sync::Mutex<()>>,
    /// The passkeys' relying party, when the public URL allows passkeys
    /// (see `auth::passkey::relying_party`).
    pub passkeys: Option<Arc<webauthn_rs::Webauthn>>,
    /// Passkey sign-ins started, per client address.
    pub passkey_limiter: Option<Arc<RateLimiter>>,
    /// The firm's single sign-on provider, when configured.
    pub sso: Option<Arc<crate::auth::sso::Provider>>,
    /// Turns true when the server starts shutting down (ends live streams).
    pub shutdown: watch::Receiver<bool>,
}

impl Services {
    /// The services over an open database and resume store; `shutdown` turns
    /// true when the server starts shutting down.
    pub fn new(config: Config, db: Db, resumes: ResumeStore, hasher: Hasher, shutdown: watch::Receiver<bool>) -> Self {
        Self {
            hasher,
            login_throttle: Arc::new(match db.counters() {
                Some(shared) => LoginThrottle::shared(shared.clone()),
                None => LoginThrottle::new(config.accounts.max_throttle_keys),
            }),
            limits: Arc::new(
                Limits::new(config.intake.max_uploads, config.http.max_streams, config.http.max_streams_per_session)
                    .with_exports(config.leads.max_exports, config.leads.max_exports_per_account),
            ),
            shutdown,
            passkeys: match crate::auth::passkey::relying_party(&config.site.public_url, &config.site.firm_name) {
                Ok(rp) => Some(Arc::new(rp)),
                Err(why) => {
                    tracing::info!("{why}");
                    None
                }
            },
            sso: config.accounts.sso.clone().and_then(|s| {
                crate::auth::sso::Provider::new(s, &config.site.public_url)
                    .map_err(|e| tracing::error!("single sign-on is off: {e}"))
                    .ok()
                    .map(Arc::new)
            }),
            passkey_limiter: config.accounts.passkey_rate.map(|r| Arc::new(RateLimiter::new(r))),
            submit_limiter: config.intake.submit_rate.map(|r| Arc::new(RateLimiter::new(r))),
            api_limiter: config.integrations.api_rate.map(|r| Arc::new(RateLimiter::new(r))),
            config: Arc::new(config),
            db,
            resumes,
            outbox_wake: Arc::default(),
            conflict_wake: Arc::default(),
            assign_turn: Arc::default(),
        }
    }
}
