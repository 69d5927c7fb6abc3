//! Security headers, set in one middleware. Pages (HTML) get a
//! Content-Security-Policy whose script source is a per-request nonce that
//! Leptos puts on its own inline scripts ([`provide_page_nonce`]); every
//! other response gets a policy that allows nothing.

use crate::server::state::AppState;
use axum::{
    extract::{Request, State},
    http::{HeaderName, HeaderValue, header},
    middleware::Next,
    response::Response,
};

/// The public form may be embedded by the sites `INTAKE_FRAME_ANCESTORS`
/// names; nothing else may be framed.
fn frame_ancestors(path: &str, embed: Option<&str>) -> String {
    match embed {
        Some(sources) if path == "/" => sources.to_owned(),
        _ => "'none'".to_owned(),
    }
}

/// The policy of a rendered page: its own scripts (by nonce), its WASM, its
/// stylesheet; no inline styles, plugins or foreign connections.
pub fn page_policy(nonce: &str, path: &str, embed: Option<&str>) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; frame-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors {}",
        frame_ancestors(path, embed)
    )
}

/// For responses that are not pages (JSON, files, errors): nothing may run or load.
const LOCKED_DOWN: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// The API docs (Swagger UI): its own script files, styles it sets inline,
/// calls to this site only (to try the API).
const DOCS_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// The nonce of one request's page; the middleware makes it, the page's
/// inline scripts carry it (see [`provide_page_nonce`]), the CSP names it.
#[derive(Clone, Debug)]
pub struct PageNonce(pub std::sync::Arc<str>);

/// In every page render's context: Leptos's scripts use the request's nonce.
pub fn provide_page_nonce() {
    use leptos::prelude::{provide_context, use_context};
    let nonce = use_context::<axum::http::request::Parts>().and_then(|p| p.extensions.get::<PageNonce>().cloned());
    if let Some(PageNonce(n)) = nonce {
        provide_context(leptos::nonce::Nonce::from_value(n));
    }
}

pub async fn security_headers(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let nonce = PageNonce(leptos::nonce::Nonce::new().as_inner().clone());
    req.extensions_mut().insert(nonce.clone());
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        let is_page = h.get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
        let docs = path == super::openapi::DOCS || path.starts_with(&format!("{}/", super::openapi::DOCS));
        let policy = if docs && is_page {
            HeaderValue::from_static(DOCS_POLICY)
        } else if is_page {
            HeaderValue::from_str(&page_policy(&nonce.0, &path, state.config.site.frame_ancestors.as_deref()))
                .unwrap_or(HeaderValue::from_static(LOCKED_DOWN))
        } else {
            HeaderValue::from_static(LOCKED_DOWN)
        };
        h.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    let embeddable = path == "/" && state.config.site.frame_ancestors.is_some();
    if !embeddable && !h.contains_key(header::X_FRAME_OPTIONS) {
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
    );
    h.insert(HeaderName::from_static("cross-origin-opener-policy"), HeaderValue::from_static("same-origin"));
    if state.config.site.public_url.starts_with("https://") {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_public_form_may_be_embedded() {
        let embed = Some("https://www.firm.example");
        assert!(page_policy("n0nce", "/", embed).contains("'nonce-n0nce'"));
        assert!(page_policy("n", "/", embed).ends_with("frame-ancestors https://www.firm.example"));
        assert!(page_policy("n", "/leads", embed).ends_with("frame-ancestors 'none'"));
        assert!(page_policy("n", "/", None).ends_with("frame-ancestors 'none'"));
    }
}
