//! HTTP routes that are not Leptos pages or server functions: the no-JS
//! form post, the JSON API, login/logout, the live stream, resume downloads.

mod account;
mod api;
mod auth;
pub mod bounded;
pub mod caller;
pub mod client_ip;
mod export;
mod form;
pub mod guard;
mod health;
mod live;
pub mod metrics;
pub mod openapi;
mod parties;
mod passkey;
mod resume;
pub mod security;
pub mod signin;
mod sso;
mod two_factor;
pub mod v1;

use crate::{app::shell, server::state::AppState};
use axum::{
    Router,
    body::Body,
    extract::Request,
    http::{Method, StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
    routing::{MethodRouter, get, post},
};

/// Every internal endpoint, for the test that proves each refuses anonymous
/// callers. Internal routes live under `/leads` or `/api/internal/`, where the
/// guard ([`crate::server::http::guard`]) requires a session.
pub const INTERNAL_ENDPOINTS: &[(&str, &str)] = &[
    ("GET", "/leads"),
    ("GET", "/leads/00000000-0000-7000-8000-000000000000"),
    ("GET", "/leads/00000000-0000-7000-8000-000000000000/resume"),
    ("GET", "/leads/00000000-0000-7000-8000-000000000000/documents/passport"),
    ("GET", "/leads/export.csv"),
    ("GET", "/api/internal/events"),
    ("POST", "/api/internal/leads"),
    ("POST", "/api/internal/lead"),
    ("POST", "/api/internal/mark_reached_out"),
    ("POST", "/api/internal/me"),
    ("POST", "/api/internal/filter_choices"),
    ("POST", "/api/internal/add_note"),
    ("POST", "/api/internal/decide_conflict"),
    ("POST", "/api/internal/parties"),
    ("POST", "/admin/parties"),
    ("POST", "/api/internal/edit_note"),
    ("POST", "/api/internal/assign"),
    ("POST", "/api/internal/my_counts"),
    ("POST", "/api/internal/colleagues"),
    ("GET", "/admin"),
    ("GET", "/admin/form"),
    ("POST", "/api/internal/intake_form"),
    ("POST", "/api/internal/save_intake_form"),
    ("GET", "/account"),
    ("POST", "/account"),
    ("GET", "/account/confirm"),
    ("POST", "/account/confirm"),
    ("POST", "/account/passkeys/options"),
    ("POST", "/account/passkeys"),
    ("POST", "/account/passkeys/remove"),
    ("POST", "/account/confirm/passkey/options"),
    ("POST", "/account/confirm/passkey"),
    ("POST", "/api/internal/passkeys"),
    ("POST", "/api/internal/two_factor"),
    ("POST", "/api/internal/accounts"),
    ("POST", "/api/internal/invite"),
    ("POST", "/api/internal/disable_account"),
    ("POST", "/api/internal/enable_account"),
    ("POST", "/api/internal/send_password_link"),
    ("POST", "/api/internal/change_password"),
    ("POST", "/api/internal/signins"),
    ("POST", "/api/internal/end_signin"),
    ("POST", "/api/internal/end_other_signins"),
    ("POST", "/api/internal/reset_two_step"),
    ("POST", "/api/internal/integrations"),
    ("POST", "/api/internal/create_token"),
    ("POST", "/api/internal/revoke_token"),
    ("POST", "/api/internal/add_webhook"),
    ("POST", "/api/internal/remove_webhook"),
    ("POST", "/api/internal/erase_lead"),
];

/// Whether a route is in the OpenAPI document, or why it is not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Listing {
    Documented,
    /// Deliberately left out; the reason.
    Internal(&'static str),
}

use Listing::{Documented, Internal};

const BROWSER: Listing = Internal("the browser's, behind a session or a page");

const CONFLICT_API: Listing = Internal("documented in the README until its schemas state every rule");

/// Every route here besides the Leptos pages and server functions, with its
/// listing; [`routes`] is built from it, so a test can check the OpenAPI
/// document against exactly what is served.
fn table() -> Vec<(&'static str, Method, MethodRouter<AppState>, Listing)> {
    vec![
        ("/", Method::POST, post(form::submit_form), Internal("the form's no-JavaScript post; an HTML page")),
        ("/api/leads", Method::POST, post(api::create_lead), Documented),
        ("/login", Method::POST, post(auth::login), BROWSER),
        ("/login/code", Method::POST, post(two_factor::login_code), BROWSER),
        ("/login/enrol", Method::POST, post(two_factor::login_enrol), BROWSER),
        ("/account", Method::POST, post(two_factor::account_two_factor), BROWSER),
        ("/account/confirm", Method::POST, post(two_factor::account_confirm), BROWSER),
        ("/login/sso", Method::GET, get(sso::start), BROWSER),
        ("/login/sso/callback", Method::GET, get(sso::callback), BROWSER),
        ("/login/passkey/options", Method::POST, post(passkey::sign_in_options), BROWSER),
        ("/login/passkey", Method::POST, post(passkey::sign_in), BROWSER),
        ("/login/code/passkey/options", Method::POST, post(passkey::second_step_options), BROWSER),
        ("/login/code/passkey", Method::POST, post(passkey::second_step), BROWSER),
        ("/account/passkeys/options", Method::POST, post(passkey::add_options), BROWSER),
        ("/account/passkeys", Method::POST, post(passkey::add), BROWSER),
        ("/account/passkeys/remove", Method::POST, post(passkey::remove), BROWSER),
        ("/account/confirm/passkey/options", Method::POST, post(passkey::confirm_options), BROWSER),
        ("/account/confirm/passkey", Method::POST, post(passkey::confirm), BROWSER),
        ("/admin/parties", Method::POST, post(parties::upload), BROWSER),
        ("/logout", Method::POST, post(auth::logout), BROWSER),
        ("/set-password", Method::POST, post(account::set_password), BROWSER),
        ("/api/internal/events", Method::GET, get(live::events), BROWSER),
        ("/leads/{id}/resume", Method::GET, get(resume::download), BROWSER),
        ("/leads/{id}/documents/{question}", Method::GET, get(resume::document), BROWSER),
        ("/leads/export.csv", Method::GET, get(export::leads_csv), BROWSER),
        ("/healthz", Method::GET, get(health::healthz), Documented),
        ("/readyz", Method::GET, get(health::readyz), Documented),
        ("/metrics", Method::GET, get(public_metrics), Internal("the operators' Prometheus scrape target")),
        ("/api/v1/leads", Method::GET, get(v1::list), Documented),
        ("/api/v1/leads/{id}", Method::GET, get(v1::one), Documented),
        ("/api/v1/leads/{id}/resume", Method::GET, get(v1::resume_file), Documented),
        ("/api/v1/leads/{id}/documents/{question}", Method::GET, get(v1::document_file), Documented),
        ("/api/v1/leads/{id}/reached-out", Method::POST, post(v1::reached_out), Documented),
        // Not in the document yet: its schemas do not yet say every rule the handlers check
        // (a name with a word, a known role), so schema-valid fuzzing gets a 400. See the README.
        ("/api/v1/leads/{id}/conflict", Method::POST, post(v1::decide), CONFLICT_API),
        ("/api/v1/parties", Method::POST, post(v1::parties), CONFLICT_API),
    ]
}

/// What [`routes`] serves: path, method and listing.
pub fn route_listing() -> Vec<(&'static str, Method, Listing)> {
    table().into_iter().map(|(path, method, _, listing)| (path, method, listing)).collect()
}

pub fn routes() -> Router<AppState> {
    table().into_iter().fold(Router::new(), |r, (path, _, handler, _)| r.route(path, handler)).merge(openapi::routes())
}

/// `/metrics` on the public address: never when `INTAKE_ADMIN_ADDR` serves
/// it; with `INTAKE_METRICS_TOKEN`, only to a bearer of that token; else
/// only while the site is not public (`INTAKE_PUBLIC_URL` not https), as
/// its figures tell strangers how busy the firm is.
async fn public_metrics(state: axum::extract::State<AppState>, headers: axum::http::HeaderMap) -> Response {
    use intake_core::error::Error;
    let config = &state.config;
    if config.site.admin_addr.is_some() {
        return Error::NotFound("page").into_response();
    }
    match &config.site.metrics_token {
        Some(token) => {
            let sent = headers
                .get(axum::http::header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .unwrap_or_default();
            // Hashes compared, not the secrets: the comparison's time tells nothing about the token.
            let hash = intake_core::auth::token::hash_secret;
            let same = hash(sent) == hash(token.expose());
            if !same {
                return Error::BadToken.into_response();
            }
        }
        None if config.site.public_url.starts_with("https://") => return Error::NotFound("page").into_response(),
        None => {}
    }
    crate::server::http::metrics::render(state).await
}

/// What `INTAKE_ADMIN_ADDR` serves: metrics and the probes, nothing else.
pub fn admin_routes(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(crate::server::http::metrics::render))
        .route("/readyz", get(health::readyz))
        .route("/healthz", get(health::healthz))
        .with_state(state)
}

/// A plain form post's fields, with the request's parts kept to render the
/// page again ([`render_page`]); an unreadable form is answered `400`, saying `what`.
pub async fn page_form<T: serde::de::DeserializeOwned>(
    state: &AppState,
    req: Request,
    what: &str,
) -> Result<(Parts, T), Response> {
    use axum::extract::FromRequest;
    let (parts, body) = req.into_parts();
    let req = Request::from_parts(parts.clone(), body);
    match axum::Form::<T>::from_request(req, state).await {
        Ok(axum::Form(form)) => Ok((parts, form)),
        Err(_) => Err(intake_core::error::Error::Malformed(format!("{what} is incomplete")).into_response()),
    }
}

/// Renders the page at `parts.uri` (as a GET) with extra context, for replies to plain form posts.
pub async fn render_page(
    state: &AppState,
    parts: &Parts,
    status: StatusCode,
    context: impl Fn() + Clone + Send + Sync + 'static,
) -> Response {
    let mut req = Request::new(Body::empty());
    *req.method_mut() = Method::GET;
    *req.uri_mut() = parts.uri.clone();
    *req.headers_mut() = parts.headers.clone();
    req.headers_mut().remove(header::CONTENT_TYPE);
    req.headers_mut().remove(header::CONTENT_LENGTH);
    *req.extensions_mut() = parts.extensions.clone();
    let options = state.leptos_options.clone();
    let app_state = state.clone();
    let render = leptos_axum::render_app_async_with_context(
        move || {
            security::provide_page_nonce();
            leptos::prelude::provide_context(app_state.clone());
            context();
        },
        move || shell(options.clone()),
    );
    let mut res = render(req).await.into_response();
    *res.status_mut() = status;
    res
}
