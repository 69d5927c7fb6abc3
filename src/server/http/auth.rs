//! `POST /login` and `POST /logout`: plain form posts, so they work without JavaScript.

use super::render_page;
use crate::{pages::login::LoginOutcome, server::state::AppState};
use axum::{
    Extension,
    extract::{Request, State},
    response::{IntoResponse, Redirect, Response},
};
use intake_core::{
    auth::check_password, auth::second_factor, auth::second_factor::AfterPassword, auth::session, auth::throttle,
    client_ip::ClientIp, error::Error,
};
use intake_domain::filter::encode_component;
use leptos::prelude::provide_context;
use serde::Deserialize;
use tower_sessions::Session;

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

pub async fn login(
    State(state): State<AppState>,
    Extension(client): Extension<ClientIp>,
    session: Session,
    req: Request,
) -> Response {
    let (parts, form) = match super::page_form::<LoginForm>(&state, req, "the login form").await {
        Ok(read) => read,
        Err(res) => return res,
    };
    let keys = throttle::keys(&form.email, client.limit_key());
    // The login page again, with the error's message, status and Retry-After.
    let refuse = |err: Error| {
        intake_core::metrics::login_refused(&err);
        let outcome = LoginOutcome { email: form.email.trim().to_owned(), error: err.message() };
        let (state, parts) = (&state, &parts);
        async move {
            let mut res = render_page(state, parts, err.status(), move || provide_context(outcome.clone())).await;
            err.apply_to(&mut res);
            res
        }
    };
    // A firm that signs in only through its provider: one answer for every
    // address but the break-glass one, known or not.
    if !intake_core::auth::sso::local_sign_in_allowed(&state, &form.email) {
        let name = state.sso.as_ref().map_or("single sign-on", |p| p.name()).to_owned();
        return refuse(Error::SsoOnly(name)).await;
    }
    let attorney = match state.db.accounts().by_email(&form.email).await {
        Ok(a) => a,
        Err(e) => return refuse(Error::internal("login: cannot read accounts", e)).await,
    };
    let hash = attorney.as_ref().filter(|a| !a.disabled).map(|a| a.password_hash.clone());
    if let Err(e) = check_password(&state, keys, form.password.clone(), hash).await {
        if matches!(e, Error::BadCredentials) {
            tracing::info!(ip = %client.0, "login failed");
        }
        return refuse(e).await;
    }
    let attorney = attorney.expect("verified");
    let next = safe_next(&form.next, &state.config.site.public_url);
    match second_factor::after_password(&state, &attorney).await {
        Ok(AfterPassword::SignedIn) => {}
        Ok(AfterPassword::Code) => {
            if let Err(e) = session::begin_second_step(&session, &attorney).await {
                return refuse(Error::internal("login: cannot start a session", e)).await;
            }
            return Redirect::to(&format!("/login/code?next={}", encode_component(&next))).into_response();
        }
        Ok(AfterPassword::Enrol) => {
            if let Err(e) = session::begin_enrolment(&session, &attorney).await {
                return refuse(Error::internal("login: cannot start a session", e)).await;
            }
            // The new key is kept sealed; `/login/enrol` opens it for this session only.
            if let Err(e) = second_factor::start(&state, &attorney).await {
                return refuse(e).await;
            }
            return Redirect::to(&format!("/login/enrol?next={}", encode_component(&next))).into_response();
        }
        Err(e) => return refuse(e).await,
    }
    let cookie = match super::signin::sign_in(&state, &session, &parts.headers, &client, &attorney, false).await {
        Ok(c) => c,
        Err(e) => return refuse(e).await,
    };
    tracing::info!(attorney = %attorney.email, "logged in");
    super::signin::with_cookie(Redirect::to(&next).into_response(), cookie)
}

pub async fn logout(State(state): State<AppState>, session: Session) -> Response {
    session::log_out(&session, &state.db).await;
    Redirect::to("/login").into_response()
}

/// Where to go after logging in: `next` only if it is a path on this site as
/// a browser would read it. Browsers drop tabs and newlines anywhere, strip
/// leading spaces and controls, and read `\\` as `/`, so `/\t/evil.example`
/// means `//evil.example`; anything with such characters is refused outright,
/// and what is left must resolve against the public URL to the same origin.
pub(super) fn safe_next(next: &str, public_url: &str) -> String {
    const HOME: &str = "/leads";
    let suspicious = next.chars().any(|c| c.is_control() || c == '\\' || c.is_whitespace());
    if suspicious || !next.starts_with('/') || next.starts_with("//") {
        return HOME.into();
    }
    let Ok(base) = url::Url::parse(public_url) else { return HOME.into() };
    match base.join(next) {
        Ok(u) if u.origin() == base.origin() && !u.path().starts_with("/login") => {
            u[url::Position::BeforePath..].to_owned()
        }
        _ => HOME.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        let next = |n: &str| safe_next(n, "https://intake.firm.test");
        assert_eq!(next("/leads?state=pending"), "/leads?state=pending");
        assert_eq!(next("/leads?q=Zo%C3%AB"), "/leads?q=Zo%C3%AB");
        assert_eq!(next("/leads?q=Zoë"), "/leads?q=Zo%C3%AB", "a header-safe Location");
        for hostile in [
            "//evil.com",
            "https://evil.com",
            "/\\evil.com",
            "/\t/evil.example",
            "/\n/evil.example",
            "\t//evil.example",
            " //evil.example",
            "/leads\r\nSet-Cookie: x=1",
            "\u{0}/leads",
            "/login",
            "",
            "leads",
            "javascript:alert(1)",
            "/\u{3000}/evil.example",
        ] {
            assert_eq!(next(hostile), "/leads", "{hostile:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn next_is_always_a_path_on_this_site(next in proptest::prelude::any::<String>()) {
            let to = safe_next(&next, "https://intake.firm.test");
            proptest::prop_assert!(to.starts_with('/') && !to.starts_with("//"));
            proptest::prop_assert!(!to.chars().any(|c| c.is_control() || c == '\\' || c.is_whitespace()));
        }
    }
}
