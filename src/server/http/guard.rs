//! The one place that decides which routes need a session, refuses
//! cross-site state changes, and keeps internal pages out of caches.

use super::caller::CurrentAttorney;
use crate::server::state::AppState;
use axum::{
    extract::{Request, State},
    http::{HeaderValue, Method, header},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use intake_core::auth::session;
use intake_core::error::Error;
use intake_domain::filter::encode_component;
use tower_sessions::Session;

/// How a route is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protection {
    /// Anyone.
    Public,
    /// Needs a session; without one, redirect to `/login?next=…`.
    Page,
    /// Needs a session; without one, 401.
    Api,
}

/// Routes that take unauthenticated cross-site POSTs: the public JSON API.
const CSRF_EXEMPT: &[&str] = &["/api/leads"];

/// The integrator API: bearer tokens, never cookies, so no CSRF check; its
/// own middleware authenticates ([`super::token::require_token`]).
pub const TOKEN_API: &str = "/api/v1/";

/// Classifies a path. Everything under `/leads`, `/admin` and `/api/internal/` is internal.
/// The account's passkey routes that `/passkey.js` calls for JSON: a lost
/// session answers 401 there, not a redirect the script would follow.
pub const PASSKEY_JSON: &[&str] =
    &["/account/passkeys", "/account/passkeys/options", "/account/confirm/passkey", "/account/confirm/passkey/options"];

pub fn protection(path: &str) -> Protection {
    if path.starts_with("/api/internal/") || PASSKEY_JSON.contains(&path) {
        Protection::Api
    } else if path == "/admin" || path.starts_with("/admin/") || path == "/account" || path.starts_with("/account/") {
        Protection::Page
    } else if path == "/leads" || path.starts_with("/leads/") {
        // Downloads (a resume, the CSV export) answer 401 like the API: a
        // file request redirected to the login page would save HTML as the file.
        if path.ends_with("/resume") || path.ends_with(".csv") { Protection::Api } else { Protection::Page }
    } else {
        Protection::Public
    }
}

pub async fn guard(State(state): State<AppState>, session: Session, mut req: Request, next: Next) -> Response {
    let token_api = req.uri().path().starts_with(TOKEN_API);
    if !is_safe(req.method()) && !token_api && !CSRF_EXEMPT.contains(&req.uri().path()) && !same_origin(&req, &state) {
        tracing::warn!(path = %req.uri().path(), "refused a cross-site request");
        return Error::CrossSite.into_response();
    }
    let path = req.uri().path().to_owned();
    let protection = protection(&path);
    // `/api/account/` answers a link's or a pending enrolment's own secrets.
    let internal = protection != Protection::Public
        || path.starts_with("/login")
        || path.starts_with("/api/account/")
        || token_api;
    if protection != Protection::Public {
        match session::current(&session, &state.db).await {
            Some(attorney) => {
                req.extensions_mut().insert(CurrentAttorney(attorney));
            }
            None if protection == Protection::Api => {
                return no_store(Error::Unauthorized.into_response());
            }
            None => {
                let target = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/leads");
                let to = format!("/login?next={}", encode_component(target));
                return no_store(Redirect::to(&to).into_response());
            }
        }
    }
    let res = next.run(req).await;
    if internal { no_store(res) } else { res }
}

fn no_store(mut res: Response) -> Response {
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

fn is_safe(m: &Method) -> bool {
    matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// A browser always says where a request comes from: `Sec-Fetch-Site`, or
/// else `Origin`. Requests with neither come from non-browser clients, which
/// cannot carry a victim's cookies.
fn same_origin(req: &Request, state: &AppState) -> bool {
    let h = req.headers();
    if let Some(site) = h.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    let Some(origin) = h.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else { return true };
    let host = h.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or_default();
    (!host.is_empty() && origin_host == host) || origin == state.config.site.public_url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_routes() {
        assert_eq!(protection("/"), Protection::Public);
        assert_eq!(protection("/login"), Protection::Public);
        assert_eq!(protection("/api/leads"), Protection::Public);
        assert_eq!(protection("/leads"), Protection::Page);
        assert_eq!(protection("/leads/0190/resume"), Protection::Api);
        assert_eq!(protection("/leads/0190"), Protection::Page);
        assert_eq!(protection("/leads/export.csv"), Protection::Api);
        assert_eq!(protection("/api/internal/leads"), Protection::Api);
        assert_eq!(protection("/leadsx"), Protection::Public);
        assert_eq!(protection("/account/confirm"), Protection::Page);
        assert_eq!(protection("/accountx"), Protection::Public);
    }
}
