//! Building and running the application: the analogue of `main`, usable from tests.

use crate::{app::App, app::shell, server::http, server::serve, server::state::AppState};
use axum::Router;
use intake_core::{
    auth, auth::bootstrap, auth::password::Hasher, config::Config, mail::transport::Mailer, mail::transport::Transport,
    outbox::Sender, services::Services, storage::ResumeStore, webhook::Webhooks,
};
use intake_store::{Db, SessionStore};
use leptos::config::LeptosOptions;
use leptos_axum::{LeptosRoutes, generate_route_list};
use std::net::SocketAddr;
use tokio::{net::TcpListener, sync::watch, task::JoinHandle};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::{
    catch_panic::CatchPanicLayer, compression::CompressionLayer, services::ServeDir,
    set_header::SetResponseHeaderLayer, trace::TraceLayer,
};
use tower_sessions::{Expiry, SessionManagerLayer, cookie::SameSite, cookie::time, session_store::ExpiredDeletion};

/// The attorneys' pages are split out of the main WASM and loaded when needed
/// (app.rs). A browser app built without `--split` imports that loader from
/// a module that does not exist, so not even the prospect's form would come
/// alive: refuse to serve it. (No WASM at all, as in the Rust tests, serves
/// the pages without JavaScript.)
fn check_site(site_root: &str) -> Result<(), StartupError> {
    let pkg = std::path::Path::new(site_root).join("pkg");
    if pkg.join("intake.wasm").exists() && !pkg.join("__wasm_split_manifest.json").exists() {
        return Err(StartupError::UnsplitSite(pkg.display().to_string()));
    }
    Ok(())
}

/// A bound, ready-to-serve application.
pub struct Application {
    listener: TcpListener,
    /// `INTAKE_ADMIN_ADDR`: metrics and probes for operators only.
    admin: Option<TcpListener>,
    /// Tells `intake restore` that this SQLite database is in use.
    instance_lock: Option<std::fs::File>,
    router: Router,
    state: AppState,
    shutdown: watch::Sender<bool>,
    /// The outbox's senders: email, webhooks.
    senders: [JoinHandle<()>; 2],
}

/// Start-up failures, each with the context an operator needs.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot create the data directory {path}: {source}")]
    DataDir { path: String, source: std::io::Error },
    #[error("cannot open the database: {0}")]
    Database(#[from] intake_store::DbError),
    #[error("cannot configure email: {0}")]
    Mail(String),
    #[error("cannot set up webhooks: {0}")]
    Webhooks(String),
    #[error("cannot use the resume storage (INTAKE_STORAGE_URL): {0}")]
    Storage(String),
    #[error("cannot create the first account: {0}")]
    Account(String),
    #[error("cannot set up sessions: {0}")]
    Sessions(String),
    #[error("cannot check authenticator codes: {0}")]
    SecretKey(String),
    #[error(
        "the browser app in {0} was built without --split: build it with `cargo leptos build --release --split` \
         (or `scripts/run.sh`), or no page would come alive in the browser"
    )]
    UnsplitSite(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
}

/// The outbox's two senders, emails and webhook deliveries, running until shutdown.
fn start_senders(
    services: &Services,
    transport: Transport,
    shutdown: watch::Receiver<bool>,
) -> Result<[JoinHandle<()>; 2], StartupError> {
    let config = &services.config;
    let mail = Sender {
        db: services.db.clone(),
        channel: Mailer { transport, from: config.mail.from.clone() },
        wake: services.outbox_wake.clone(),
        retry_base: config.mail.retry_base,
        retry_max: config.mail.retry_max,
        lease: config.mail.lease,
        max_attempts: None,
        instance: uuid::Uuid::now_v7(),
    };
    let hooks = &config.integrations;
    let webhooks = Sender {
        db: services.db.clone(),
        channel: Webhooks::new(hooks.webhook_timeout, hooks.webhook_allow_private).map_err(StartupError::Webhooks)?,
        wake: services.outbox_wake.clone(),
        retry_base: config.mail.retry_base,
        retry_max: config.mail.retry_max,
        lease: config.mail.lease.max(hooks.webhook_timeout * 2),
        max_attempts: Some(hooks.webhook_max_attempts),
        instance: uuid::Uuid::now_v7(),
    };
    Ok([tokio::spawn(mail.run(shutdown.clone())), tokio::spawn(webhooks.run_per_endpoint(shutdown))])
}

impl Application {
    /// Opens storage, applies migrations, recovers staged files, starts the
    /// email sender and binds the listener (port 0 picks a free port).
    pub async fn build(config: Config, site_root: &str) -> Result<Self, StartupError> {
        check_site(site_root)?;
        let data_dir = config.data.data_dir.clone();
        let dir_err = |source| StartupError::DataDir { path: data_dir.display().to_string(), source };
        tokio::fs::create_dir_all(&config.data.data_dir).await.map_err(dir_err)?;
        let instance_lock = intake_store::backup::instance_lock(&config.data.database_url).map_err(dir_err)?;
        let db = Db::connect(&config.data.database_url).await?;
        // The S3 client's TLS uses ring, like the rest of the app.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let resumes = match &config.data.storage_url {
            None => ResumeStore::local(config.resume_dir()).await.map_err(dir_err)?,
            Some(url) => {
                ResumeStore::s3(url, config.data.data_dir.join("spool")).await.map_err(StartupError::Storage)?
            }
        };
        let recovered = resumes.recover(&db).await.map_err(|e| StartupError::Storage(e.to_string()))?;
        if recovered.completed + recovered.discarded > 0 {
            tracing::warn!(?recovered, "settled resume files left by an interrupted run");
        }
        let transport = Transport::from_config(&config).map_err(StartupError::Mail)?;
        if config.mail.notify_emails.is_empty() {
            tracing::warn!("INTAKE_NOTIFY_EMAIL is not set: attorneys will not be emailed about new leads");
        }

        let hasher = Hasher::with_queue(config.accounts.hash_concurrency, config.accounts.hash_queue);
        bootstrap::ensure_first_account(&db, &hasher, &config).await.map_err(StartupError::Account)?;
        let session_store = db.sessions().await.map_err(|e| StartupError::Sessions(e.to_string()))?;

        let listener = TcpListener::bind(config.site.site_addr)
            .await
            .map_err(|source| StartupError::Bind { addr: config.site.site_addr, source })?;
        let admin = match config.site.admin_addr {
            Some(addr) => Some(TcpListener::bind(addr).await.map_err(|source| StartupError::Bind { addr, source })?),
            None => None,
        };
        let mut leptos_options = LeptosOptions::builder()
            .output_name("intake")
            .site_root(site_root)
            .site_pkg_dir("pkg")
            .site_addr(
                listener.local_addr().map_err(|source| StartupError::Bind { addr: config.site.site_addr, source })?,
            )
            .build();
        leptos_options.env = leptos::config::Env::PROD;

        let (shutdown, shutdown_rx) = watch::channel(false);
        let services = Services::new(config, db, resumes, hasher, shutdown_rx.clone());
        intake_core::auth::second_factor::check_key_present(&services).await.map_err(StartupError::SecretKey)?;
        let state = AppState { services, leptos_options };
        // A dead run's leases (SQLite: one process owns the file), before any sender claims.
        state.db.outbox().release_leases(None).await?;
        let senders = start_senders(&state.services, transport, shutdown_rx)?;
        tokio::spawn(session_store.clone().continuously_delete_expired(std::time::Duration::from_secs(600)));
        tokio::spawn(intake_core::erasure::sweep_continuously(state.services.clone()));
        tokio::spawn(intake_core::auth::signin::prune_continuously(
            state.services.clone(),
            std::time::Duration::from_secs(600),
        ));
        tokio::spawn(intake_core::digest::run(state.services.clone()));
        tokio::spawn(intake_core::conflict::run(state.services.clone()));
        if let Some(counters) = state.db.counters() {
            tokio::spawn(intake_store::counters::prune_continuously(counters.clone()));
        }
        let router = router(state.clone(), session_store);
        Ok(Self { listener, admin, instance_lock, router, state, shutdown, senders })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// The admin listener's port (`INTAKE_ADMIN_ADDR`), if any.
    pub fn admin_port(&self) -> Option<u16> {
        self.admin.as_ref().and_then(|l| l.local_addr().ok()).map(|a| a.port())
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `stop` resolves, then stops the sender and closes the database.
    pub async fn run_until(self, stop: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let Self { listener, admin, instance_lock, router, state, shutdown, senders } = self;
        if let Some(admin) = admin {
            let mut stopping = shutdown.subscribe();
            let app = crate::server::http::admin_routes(state.clone());
            tokio::spawn(async move {
                let stopped = async move {
                    let _ = stopping.wait_for(|s| *s).await;
                };
                if let Err(e) = axum::serve(admin, app).with_graceful_shutdown(stopped).await {
                    tracing::error!(error = %e, "admin listener failed");
                }
            });
        }
        let limits = serve::ConnectionLimits {
            header_timeout: state.config.http.header_timeout,
            max_connections: state.config.http.max_connections,
            shutdown_grace: state.config.http.shutdown_grace,
        };
        // Live streams never end on their own: tell them when shutdown starts.
        let signal_streams = shutdown.clone();
        let stop = async move {
            stop.await;
            let _ = signal_streams.send(true);
        };
        let result = serve::serve(listener, router, limits, stop).await;
        let _ = shutdown.send(true);
        for sender in senders {
            let _ = sender.await;
        }
        state.db.close().await;
        drop(instance_lock);
        result
    }
}

/// The app's routes, generated once per process. Generating them sets a
/// process-wide flag in `leptos_server` that parks every resource first
/// polled meanwhile, forever (leptos-rs/leptos#4773): a second
/// `Application` in the same process (tests, a future in-process reload)
/// must never generate while the first is serving.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

fn router(state: AppState, session_store: SessionStore) -> Router {
    let secure = state.config.site.public_url.starts_with("https://");
    let sessions = SessionManagerLayer::new(session_store)
        .with_name("intake_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_expiry(Expiry::OnInactivity(time::Duration::seconds(auth::session::IDLE_SECS)));
    let routes = route_list();
    let ctx_state = state.clone();
    let shell_options = state.leptos_options.clone();
    // Built assets, precompressed (`cargo leptos build --release --precompress`) when available.
    let pkg_dir = format!("{}/{}", state.leptos_options.site_root, state.leptos_options.site_pkg_dir);
    // Their names carry no hash (`intake.wasm`, `chunk_8.wasm`, …), so a browser must ask
    // again each time (a 304 when unchanged): a heuristically cached part from an
    // earlier release would not fit the new main WASM.
    let pkg = tower::ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("no-cache"),
        ))
        .service(ServeDir::new(pkg_dir).precompressed_br().precompressed_gzip());
    Router::new()
        .nest_service("/pkg", pkg)
        .merge(http::routes())
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                http::security::provide_page_nonce();
                leptos::prelude::provide_context(ctx_state.clone());
            },
            move || shell(shell_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(
            http::security::provide_page_nonce,
            shell,
        ))
        .layer(
            tower::ServiceBuilder::new()
                // A malformed multipart header can panic inside a parser: answer 500, keep serving.
                .layer(CatchPanicLayer::new())
                .layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    crate::server::http::bounded::bound_requests,
                ))
                .layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    crate::server::http::client_ip::identify_client,
                ))
                // Every request gets its own id (any sent by the client is replaced), named on
                // every log line of the request and returned as `x-request-id`.
                .layer(axum::middleware::from_fn(forget_client_request_id))
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(PropagateRequestIdLayer::x_request_id())
                .layer(TraceLayer::new_for_http().make_span_with(request_span))
                .layer(crate::server::http::metrics::layer())
                .layer(axum::middleware::from_fn_with_state(state.clone(), http::security::security_headers))
                .layer(CompressionLayer::new())
                .layer(sessions)
                .layer(axum::middleware::from_fn_with_state(state.clone(), crate::server::http::guard::guard)),
        )
        .with_state(state)
}

async fn forget_client_request_id(
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    req.headers_mut().remove("x-request-id");
    next.run(req).await
}

/// The span around each request's log lines: its id, method and path. At
/// the highest level, so that no filter (`RUST_LOG=warn`) drops it while
/// keeping the lines inside it.
fn request_span(req: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
    tracing::error_span!("request", id = %id, method = %req.method(), path = %req.uri().path())
}

#[cfg(test)]
mod tests {
    use super::{StartupError, check_site};

    #[test]
    fn a_browser_app_built_without_split_is_refused() {
        let site = tempfile::tempdir().unwrap();
        let root = site.path().to_str().unwrap();
        assert!(check_site(root).is_ok(), "no browser app at all: the pages work without JavaScript");
        let pkg = site.path().join("pkg");
        std::fs::create_dir_all(&pkg).unwrap();
        std::fs::write(pkg.join("intake.wasm"), b"\0asm").unwrap();
        let refused = check_site(root).unwrap_err();
        assert!(matches!(refused, StartupError::UnsplitSite(_)));
        assert!(refused.to_string().contains("--split"), "{refused}");
        std::fs::write(pkg.join("__wasm_split_manifest.json"), b"{}").unwrap();
        assert!(check_site(root).is_ok());
    }
}
