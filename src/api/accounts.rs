//! Accounts: administrators' server functions (`/api/internal/`, admin
//! role), changing one's own password (any attorney), and the public pair
//! behind a one-time link (`/api/account/`: the link is the credential).

use crate::api::error::AppError;
use intake_domain::{accounts::Accounts, accounts::LinkInfo};
use leptos::prelude::*;
use uuid::Uuid;

#[cfg(feature = "ssr")]
use crate::server::respond::Respond;
#[cfg(feature = "ssr")]
use intake_core::error::Error;

/// The accounts and the audit log (`activity`: one action, or empty for all).
#[server(prefix = "/api/internal", endpoint = "accounts")]
pub async fn get_accounts(activity: String) -> Result<Accounts, AppError> {
    let admin = crate::server::http::caller::require_admin().await?;
    let action = (!activity.is_empty()).then_some(activity.as_str());
    intake_core::accounts::page(&super::leads::services()?, &admin, action).await.map_err(Respond::into_app_error)
}

/// Creates a colleague's account and emails them a link to set their password.
#[server(prefix = "/api/internal", endpoint = "invite")]
pub async fn invite_colleague(email: String, name: String, role: String) -> Result<(), AppError> {
    let admin = crate::server::http::caller::require_fresh_admin().await?;
    intake_core::accounts::invite(&super::leads::services()?, &admin, &email, &name, &role)
        .await
        .map_err(Respond::into_app_error)
}

#[server(prefix = "/api/internal", endpoint = "disable_account")]
pub async fn disable_account(id: Uuid) -> Result<(), AppError> {
    let admin = crate::server::http::caller::require_fresh_admin().await?;
    intake_core::accounts::set_disabled(&super::leads::services()?, &admin, id, true)
        .await
        .map_err(Respond::into_app_error)
}

#[server(prefix = "/api/internal", endpoint = "enable_account")]
pub async fn enable_account(id: Uuid) -> Result<(), AppError> {
    let admin = crate::server::http::caller::require_admin().await?;
    intake_core::accounts::set_disabled(&super::leads::services()?, &admin, id, false)
        .await
        .map_err(Respond::into_app_error)
}

/// Emails an account a one-time link to set a new password.
#[server(prefix = "/api/internal", endpoint = "send_password_link")]
pub async fn send_password_link(id: Uuid) -> Result<(), AppError> {
    let admin = crate::server::http::caller::require_admin().await?;
    intake_core::accounts::send_reset(&super::leads::services()?, &admin, id).await.map_err(Respond::into_app_error)
}

/// Changes the signed-in attorney's password; their other sessions end, this one goes on.
#[server(prefix = "/api/internal", endpoint = "change_password")]
pub async fn change_password(current: String, new: String, confirm: String) -> Result<(), AppError> {
    let me = crate::server::http::caller::require_attorney().await?;
    let state = super::leads::app_state()?;
    let axum::Extension(client) = leptos_axum::extract::<axum::Extension<intake_core::client_ip::ClientIp>>()
        .await
        .map_err(|_| Error::internal("change password", "no client address").into_app_error())?;
    let updated = intake_core::accounts::change_password(&state, &me, client.limit_key(), &current, &new, &confirm)
        .await
        .map_err(Respond::into_app_error)?;
    let session =
        leptos_axum::extract::<tower_sessions::Session>().await.map_err(|_| Error::Unauthorized.into_app_error())?;
    let headers = leptos_axum::extract::<axum::http::HeaderMap>().await.unwrap_or_default();
    let cookie = crate::server::http::signin::sign_in(&state, &session, &headers, &client, &updated, false)
        .await
        .map_err(Respond::into_app_error)?;
    if let Some(c) = cookie {
        expect_context::<leptos_axum::ResponseOptions>().append_header(axum::http::header::SET_COOKIE, c);
    }
    Ok(())
}

/// The signed-in attorney's browsers, for `/account`.
#[server(prefix = "/api/internal", endpoint = "signins")]
pub async fn get_signins() -> Result<Vec<intake_domain::accounts::SigninRow>, AppError> {
    let me = crate::server::http::caller::require_attorney().await?;
    let current = this_signin().await;
    intake_core::auth::signin::list(&super::leads::services()?, &me, current).await.map_err(Respond::into_app_error)
}

/// Signs one of the attorney's other browsers out.
#[server(prefix = "/api/internal", endpoint = "end_signin")]
pub async fn end_signin(id: Uuid) -> Result<(), AppError> {
    let me = crate::server::http::caller::require_attorney().await?;
    let current = this_signin().await;
    intake_core::auth::signin::end(&super::leads::services()?, &me, id, current).await.map_err(Respond::into_app_error)
}

/// Signs every other browser of the attorney out; how many.
#[server(prefix = "/api/internal", endpoint = "end_other_signins")]
pub async fn end_other_signins() -> Result<u64, AppError> {
    let me = crate::server::http::caller::require_attorney().await?;
    let current = this_signin().await.ok_or_else(|| Error::Unauthorized.into_app_error())?;
    intake_core::auth::signin::end_others(&super::leads::services()?, &me, current)
        .await
        .map_err(Respond::into_app_error)
}

#[cfg(feature = "ssr")]
async fn this_signin() -> Option<Uuid> {
    let session = leptos_axum::extract::<tower_sessions::Session>().await.ok()?;
    intake_core::auth::session::signin_of(&session).await
}

/// An administrator turns off a colleague's authenticator app (a lost
/// phone): their sessions end and they are emailed.
#[server(prefix = "/api/internal", endpoint = "reset_two_step")]
pub async fn reset_two_step(id: Uuid) -> Result<(), AppError> {
    let admin = crate::server::http::caller::require_fresh_admin().await?;
    intake_core::auth::second_factor::reset(&super::leads::services()?, &admin, id)
        .await
        .map_err(Respond::into_app_error)
}

/// Whose account a one-time link is for (public: the link is the credential).
#[server(prefix = "/api/account", endpoint = "link")]
pub async fn account_link(token: String) -> Result<LinkInfo, AppError> {
    intake_core::accounts::link_info(&super::leads::services()?, &token).await.map_err(Respond::into_app_error)
}

/// The signed-in attorney's authenticator app, for `/account`.
#[server(prefix = "/api/internal", endpoint = "two_factor")]
pub async fn get_two_factor() -> Result<crate::pages::two_factor::TwoFactorView, AppError> {
    use intake_core::auth::second_factor::{self, Status};
    let me = crate::server::http::caller::require_attorney().await?;
    let services = super::leads::services()?;
    let status = second_factor::status(&services, me.id).await.map_err(Respond::into_app_error)?;
    let (on_since, codes_left) = match status {
        Status::On { since, codes_left } => (Some(since), codes_left),
        Status::Off => (None, 0),
    };
    let has_passkey = intake_core::auth::passkey::available(&services)
        && intake_core::auth::passkey::has_passkey(&services, me.id).await.map_err(Respond::into_app_error)?;
    Ok(crate::pages::two_factor::TwoFactorView {
        available: second_factor::available(&services),
        on_since,
        codes_left,
        has_passkey,
    })
}

/// The authenticator app the firm requires this session's account to add,
/// for `/login/enrol` (public prefix: the session is not signed in yet; the
/// pending enrolment in the session is the credential).
#[server(prefix = "/api/account", endpoint = "enrolment")]
pub async fn get_enrolment() -> Result<Option<crate::pages::two_factor::EnrolmentView>, AppError> {
    let session =
        leptos_axum::extract::<tower_sessions::Session>().await.map_err(|_| Error::Unauthorized.into_app_error())?;
    let Some(id) = intake_core::auth::session::enrolment_of(&session).await else { return Ok(None) };
    let services = super::leads::services()?;
    let me = services.db.accounts().by_id(id).await.map_err(|e| Error::from(e).into_app_error())?;
    let Some(me) = me.filter(|a| !a.disabled) else { return Ok(None) };
    let pending =
        intake_core::auth::second_factor::pending_enrolment(&services, &me).await.map_err(Respond::into_app_error)?;
    Ok(pending.map(|e| crate::pages::two_factor::EnrolmentView { secret: e.secret, uri: e.uri, qr_svg: e.qr_svg }))
}

/// The signed-in attorney's passkeys, for `/account`.
#[server(prefix = "/api/internal", endpoint = "passkeys")]
pub async fn get_passkeys() -> Result<crate::pages::passkeys::PasskeysView, AppError> {
    use intake_core::auth::passkey;
    let me = crate::server::http::caller::require_attorney().await?;
    let services = super::leads::services()?;
    let passkeys = passkey::list(&services, me.id).await.map_err(Respond::into_app_error)?;
    let session =
        leptos_axum::extract::<tower_sessions::Session>().await.map_err(|_| Error::Unauthorized.into_app_error())?;
    let needs_password = intake_core::auth::fresh::new_factor_needs_password(&services, &session, &me)
        .await
        .map_err(Respond::into_app_error)?;
    Ok(crate::pages::passkeys::PasskeysView { available: passkey::available(&services), passkeys, needs_password })
}

/// Which second steps the account waiting in this session can take, for
/// `/login/code` (public prefix: the session is not signed in yet; its
/// pending second step is the credential). Neither when nothing is pending.
#[server(prefix = "/api/account", endpoint = "second_step")]
pub async fn second_step_factors() -> Result<crate::pages::login::SecondStep, AppError> {
    let session =
        leptos_axum::extract::<tower_sessions::Session>().await.map_err(|_| Error::Unauthorized.into_app_error())?;
    let Some(id) = intake_core::auth::session::second_step_of(&session).await else {
        return Ok(Default::default());
    };
    let services = super::leads::services()?;
    let f = intake_core::auth::second_factor::factors(&services, id).await.map_err(Respond::into_app_error)?;
    Ok(crate::pages::login::SecondStep { pending: true, app: f.app, passkey: f.passkey && services.passkeys.is_some() })
}

/// The ways in `/login` offers besides a password (public: the login page's own).
#[server(prefix = "/api/account", endpoint = "ways_in")]
pub async fn login_ways() -> Result<crate::pages::login::WaysIn, AppError> {
    let s = super::leads::services()?;
    Ok(crate::pages::login::WaysIn {
        passkeys: s.passkeys.is_some(),
        sso: s.sso.as_ref().map(|p| p.name().to_owned()),
        sso_only: s.config.accounts.sso.as_ref().is_some_and(|c| c.only),
    })
}
