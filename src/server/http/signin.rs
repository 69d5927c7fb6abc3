//! Signing a browser in from an HTTP request: what the request tells of the
//! browser (its User-Agent, address and cookie), and the cookie to give it.

use crate::server::state::AppState;
use axum::{
    http::{HeaderMap, HeaderValue, header},
    response::Response,
};
use intake_core::{
    auth::signin::{self, Arrival, BROWSER_COOKIE},
    client_ip::ClientIp,
    error::Error,
};
use intake_store::Attorney;
use tower_sessions::Session;

/// A cookie's value from the request's `Cookie` headers.
pub(super) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(name)?.strip_prefix('='))
}

/// Signs `attorney` in on this browser (see [`signin::sign_in`]); the
/// `Set-Cookie` to add to the response when the browser had no secret yet.
pub async fn sign_in(
    state: &AppState,
    session: &Session,
    headers: &HeaderMap,
    client: &ClientIp,
    attorney: &Attorney,
    second_factor: bool,
) -> Result<Option<HeaderValue>, Error> {
    let arrival = Arrival {
        user_agent: headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or(""),
        address: client.0,
        browser: cookie(headers, BROWSER_COOKIE),
        second_factor,
    };
    let fresh = signin::sign_in(state, session, attorney, arrival).await?;
    let secure = state.config.site.public_url.starts_with("https://");
    Ok(fresh.and_then(|secret| HeaderValue::from_str(&signin::browser_cookie(&secret, secure)).ok()))
}

/// `res` with the browser's new cookie, if any.
pub fn with_cookie(mut res: Response, cookie: Option<HeaderValue>) -> Response {
    if let Some(c) = cookie {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_browser_cookie_is_found_among_others() {
        let mut h = HeaderMap::new();
        h.append(header::COOKIE, HeaderValue::from_static("a=1; intake_browser_x=2"));
        h.append(header::COOKIE, HeaderValue::from_static("intake_session=s; intake_browser=b_1"));
        assert_eq!(cookie(&h, BROWSER_COOKIE), Some("b_1"));
        assert_eq!(cookie(&HeaderMap::new(), BROWSER_COOKIE), None);
    }
}
