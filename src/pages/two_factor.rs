//! `/account`'s authenticator app: add one (QR code, or the secret typed in),
//! confirm it with a first code, see the recovery codes once, renew them,
//! turn it off. Plain forms posted to `POST /account`, so it all works
//! without JavaScript; each post renders the page again with its outcome.

use crate::api::{error::AppError, get_enrolment, get_two_factor};
use intake_domain::time::format_utc;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

/// Where the account's app stands, read on every visit.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorView {
    /// The server can seal secrets (`INTAKE_SECRET_KEY` is set).
    pub available: bool,
    /// In use since.
    pub on_since: Option<i64>,
    pub codes_left: i64,
    /// The account has a passkey (which can confirm it is you too).
    #[serde(default)]
    pub has_passkey: bool,
}

/// An app being added: what to scan or type.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolmentView {
    pub secret: String,
    pub uri: String,
    /// Rendered by the server from `uri` (no user text in it).
    pub qr_svg: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TwoFactorStep {
    Added,
    Renewed,
    Removed,
}

/// What a post came to, provided as context when the page is rendered again.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorOutcome {
    pub enrolment: Option<EnrolmentView>,
    pub step: Option<TwoFactorStep>,
    /// Shown once, after adding the app or renewing them.
    pub recovery_codes: Vec<String>,
    pub error: Option<String>,
    /// A wrong first code: show the confirmation form again.
    pub retry_confirm: bool,
}

async fn load_outcome() -> TwoFactorOutcome {
    #[cfg(feature = "ssr")]
    {
        use_context::<TwoFactorOutcome>().unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    TwoFactorOutcome::default()
}

#[component]
pub fn TwoFactorSection() -> impl IntoView {
    let page = Resource::new_blocking(
        || (),
        |_| async move {
            let outcome = load_outcome().await;
            (outcome, get_two_factor().await)
        },
    );
    view! {
        <section class="card" aria-labelledby="two-factor-title" id="two-factor">
            <h2 id="two-factor-title">"Two-step sign-in"</h2>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let (outcome, view) = page.await;
                    match view {
                        Ok(v) => two_factor_body(outcome, v).into_any(),
                        Err(e) => failure(e).into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

pub(crate) fn failure(e: AppError) -> impl IntoView {
    crate::components::internal::redirect_if_unauthorized(&e);
    view! { <div class="field-error" role="alert">{e.to_string()}</div> }
}

/// The first code, which turns the app on.
fn confirm_form() -> impl IntoView {
    view! {
        <form method="post" action="/account" class="stack">
            <input type="hidden" name="step" value="confirm"/>
            {code_field("confirm-code", "The 6-digit code your app shows")}
            <button type="submit" class="primary">"Turn on"</button>
        </form>
    }
}

fn code_field(id: &'static str, label: &'static str) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input id=id name="code" type="text" required autocomplete="one-time-code" autocapitalize="none"
                spellcheck="false" maxlength="32" class="code-input"/>
        </div>
    }
}

/// The recovery codes, shown once.
fn recovery_list(codes: Vec<String>) -> impl IntoView {
    view! {
        <div class="recovery-codes">
            <h3>"Your recovery codes"</h3>
            <p class="hint">"Keep them somewhere safe, away from your phone: each one signs you in once if your phone is lost. They are shown only now."</p>
            <ul class="codes" data-recovery-codes="">
                {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
            </ul>
        </div>
    }
}

/// What to scan, or type.
fn qr_and_key(e: &EnrolmentView) -> impl IntoView {
    view! {
        <p>"Scan this code with an authenticator app (such as Google Authenticator, Microsoft Authenticator, 1Password or Aegis), or type the key into it."</p>
        <div class="qr" role="img" aria-label="QR code for your authenticator app" inner_html=e.qr_svg.clone()></div>
        <p class="hint">"Key: " <code class="totp-secret" data-totp-secret=e.secret.clone()>{grouped(&e.secret)}</code></p>
    }
}

/// The key in blocks of four, as apps take it typed (they ignore the spaces).
fn grouped(key: &str) -> String {
    key.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ")
}

fn two_factor_body(outcome: TwoFactorOutcome, v: TwoFactorView) -> impl IntoView {
    let error = outcome.error.clone().map(|e| {
        view! { <div class="error-summary" role="alert" id="two-factor-error"><p class="error-summary-title">{e}</p></div> }
    });
    let done = match outcome.step {
        Some(TwoFactorStep::Added) => {
            Some("Your authenticator app is set up: signing in now asks for its code after your password.")
        }
        Some(TwoFactorStep::Renewed) => Some("New recovery codes are ready; the old ones no longer work."),
        Some(TwoFactorStep::Removed) => {
            Some("Your authenticator app is turned off: signing in asks for your password only.")
        }
        None => None,
    }
    .map(|m| view! { <div class="secret" role="status"><p>{m}</p></div> });
    let codes = (!outcome.recovery_codes.is_empty()).then(|| recovery_list(outcome.recovery_codes.clone()));
    let enrolment = outcome.enrolment.clone();
    let body = if let Some(since) = v.on_since {
        view! {
            <p>{format!("An authenticator app is on since {}. ", format_utc(since))}
               {format!("{} unused recovery code{} left.", v.codes_left, if v.codes_left == 1 { "" } else { "s" })}</p>
            <form method="post" action="/account" class="stack">
                <input type="hidden" name="step" value="renew"/>
                {code_field("renew-code", "Code from your app, to make new recovery codes")}
                <button type="submit" class="secondary">"Make new recovery codes"</button>
            </form>
            <form method="post" action="/account" class="stack">
                <input type="hidden" name="step" value="remove"/>
                {code_field("remove-code", "Code from your app, to turn it off")}
                <button type="submit" class="danger">"Turn off the authenticator app"</button>
            </form>
        }
        .into_any()
    } else if let Some(e) = enrolment {
        view! {
            {qr_and_key(&e)}
            {confirm_form()}
        }
        .into_any()
    } else if outcome.retry_confirm {
        view! {
            <p>"The key is still waiting for its first code: type the code your app shows now."</p>
            {confirm_form()}
        }
        .into_any()
    } else if v.available {
        view! {
            <p>"With an authenticator app on your phone, signing in asks for a 6-digit code after your password, so a stolen password alone does not open the leads."</p>
            <form method="post" action="/account">
                <input type="hidden" name="step" value="start"/>
                <button type="submit" class="primary">"Set up an authenticator app"</button>
            </form>
        }
        .into_any()
    } else {
        view! {
            <p>"Authenticator apps cannot be added until the administrator sets INTAKE_SECRET_KEY on the server."</p>
        }
        .into_any()
    };
    view! { {error} {done} {codes} {body} }
}

/// What a post of `/login/enrol`'s form came to: its recovery codes once
/// the app is on, or the error.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolOutcome {
    pub recovery_codes: Vec<String>,
    pub error: Option<String>,
    /// Where to go once signed in (already checked to be on this site).
    pub next: String,
}

async fn load_enrol_outcome() -> Option<EnrolOutcome> {
    #[cfg(feature = "ssr")]
    {
        use_context::<EnrolOutcome>()
    }
    #[cfg(not(feature = "ssr"))]
    None
}

/// `/login/enrol`: when the firm requires two-step sign-in
/// (`INTAKE_REQUIRE_2FA`) and the account has no app yet, a right password
/// leads here, and nothing else opens until the app is added. The key comes
/// from the session's pending enrolment; without one, the page says to log
/// in again.
#[component]
pub fn LoginEnrolPage() -> impl IntoView {
    let outcome = Resource::new_blocking(
        || (),
        |_| async move {
            let outcome = load_enrol_outcome().await.unwrap_or_default();
            // Once the app is on, nothing is pending: no key to ask for.
            let pending = if outcome.recovery_codes.is_empty() { get_enrolment().await } else { Ok(None) };
            (outcome, pending)
        },
    );
    let next_in_url = move || use_query_map().with(|q| q.get("next")).unwrap_or_default();
    view! {
        <Title text="Set up two-step sign-in — Intake"/>
        <header class="site-header">
            <span class="brand">"Intake"</span>
        </header>
        <main class="page narrow">
            <section class="card">
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let (mut o, pending) = outcome.await;
                        if o.next.is_empty() {
                            o.next = next_in_url();
                        }
                        let pending = match pending {
                            Ok(p) => p,
                            Err(e) => {
                                o.error.get_or_insert_with(|| e.to_string());
                                None
                            }
                        };
                        let error = o.error.clone().map(|e| view! {
                            <div class="error-summary" role="alert" id="enrol-error"><p class="error-summary-title">{e}</p></div>
                        });
                        if !o.recovery_codes.is_empty() {
                            let next = if o.next.is_empty() { "/leads".to_owned() } else { o.next.clone() };
                            view! {
                                <h1>"Two-step sign-in is on"</h1>
                                <div class="secret" role="status"><p>"Your authenticator app is set up, and you are signed in."</p></div>
                                {recovery_list(o.recovery_codes.clone())}
                                <p><a class="button primary" href=next>"Continue"</a></p>
                            }
                            .into_any()
                        } else if let Some(e) = pending {
                            view! {
                                <h1>"Set up two-step sign-in"</h1>
                                <p class="lede">"Your firm requires a code from an authenticator app after your password. Set one up to continue."</p>
                                {error}
                                {qr_and_key(&e)}
                                <form method="post" action="/login/enrol" class="stack">
                                    <input type="hidden" name="next" value=o.next.clone()/>
                                    <div class="field">
                                        <label for="enrol-code">"The 6-digit code your app shows"</label>
                                        <input id="enrol-code" name="code" type="text" required autocomplete="one-time-code"
                                            autocapitalize="none" spellcheck="false" maxlength="32" class="code-input"/>
                                    </div>
                                    <button type="submit" class="primary">"Turn on and sign in"</button>
                                </form>
                            }
                            .into_any()
                        } else {
                            view! {
                                <h1>"Set up two-step sign-in"</h1>
                                {error}
                                <p>"This step follows your password. " <a href="/login">"Log in again"</a> " to continue."</p>
                            }
                            .into_any()
                        }
                    })}
                </Suspense>
            </section>
        </main>
    }
}

/// `/account/confirm`: a code from the app before a dangerous action, when
/// the last one is older than `INTAKE_FRESH_PROOF`; a plain form posted to
/// `POST /account/confirm`, which goes back to `next`.
#[component]
pub fn ConfirmPage() -> impl IntoView {
    let page = Resource::new_blocking(
        || (),
        |_| async move { (crate::pages::login::load_code_outcome().await, get_two_factor().await) },
    );
    // Links back only to a path on this site (the form's `next` is checked again by the server).
    let next = move || {
        use_query_map().with(|q| q.get("next")).filter(|n| same_site_path(n)).unwrap_or_else(|| "/leads".into())
    };
    view! {
        <Title text="Confirm it is you — Intake"/>
        <crate::components::internal::InternalHeader/>
        <main class="page narrow" id="main">
            <section class="card">
                <h1>"Confirm it is you"</h1>
                <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        let (outcome, view) = page.await;
                        match view {
                            Err(e) => failure(e).into_any(),
                            Ok(v) if v.on_since.is_none() && !v.has_passkey => view! {
                                <p class="lede">"Your account has no second factor (an authenticator app or a passkey), so there is nothing to confirm."</p>
                                <p><a href=next()>"Go back"</a></p>
                            }
                            .into_any(),
                            Ok(v) => {
                                let app = v.on_since.is_some();
                                let error = outcome.map(|o| o.error).filter(|e| !e.is_empty());
                                let has_error = error.is_some();
                                view! {
                                    <p class="lede">
                                        "What you are about to do cannot be undone, or opens the firm's data to others. "
                                        {match (app, v.has_passkey) {
                                            (true, true) => "Use your passkey, or type the 6-digit code your authenticator app shows now, then do it again.",
                                            (false, true) => "Use your passkey now, then do it again.",
                                            _ => "Type the 6-digit code your authenticator app shows now, then do it again.",
                                        }}
                                    </p>
                                    {error.map(|e| view! {
                                        <div class="error-summary" role="alert" id="confirm-error">
                                            <p class="error-summary-title">{e}</p>
                                        </div>
                                    })}
                                    {v.has_passkey.then(|| view! {
                                        <input type="hidden" name="next" value=next() data-passkey-next=""/>
                                        <crate::pages::passkeys::PasskeyButton kind="confirm" label="Use your passkey" primary=!app/>
                                    })}
                                    {(app && v.has_passkey).then(|| view! { <p class="or-divider"><span>"or"</span></p> })}
                                    {app.then(|| view! {
                                    <form method="post" action="/account/confirm">
                                        <input type="hidden" name="next" value=next()/>
                                        <div class="field">
                                            <label for="confirm-code">"Code"</label>
                                            <p class="hint" id="confirm-hint">"Or one of your recovery codes (each works once)."</p>
                                            <input id="confirm-code" name="code" type="text" required autocomplete="one-time-code"
                                                autocapitalize="none" spellcheck="false" maxlength="32" class="code-input"
                                                autofocus=true
                                                aria-describedby=if has_error { "confirm-hint confirm-error" } else { "confirm-hint" }/>
                                        </div>
                                        <button type="submit" class="primary">"Confirm"</button>
                                    </form>
                                    })}
                                    <p class="hint after-form"><a href=next()>"Cancel"</a></p>
                                }
                                .into_any()
                            }
                        }
                    })}
                </Suspense>
            </section>
        </main>
    }
}

/// A path on this site as a browser reads it: one leading `/`, and no
/// backslash, space or control character that could make it another origin.
fn same_site_path(next: &str) -> bool {
    next.starts_with('/')
        && !next.starts_with("//")
        && !next.chars().any(|c| c == '\\' || c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::same_site_path;

    #[test]
    fn links_back_stay_on_this_site() {
        assert!(same_site_path("/admin"));
        assert!(same_site_path("/leads/0190?x=1"));
        for hostile in
            ["https://evil.example", "//evil.example", "/\\evil.example", "/\t/evil.example", "javascript:alert(1)", ""]
        {
            assert!(!same_site_path(hostile), "{hostile:?}");
        }
    }
}
