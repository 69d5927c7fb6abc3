//! `/login`: a plain form posted to `POST /login` (works without JavaScript).

use crate::pages::passkeys::PasskeyButton;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

/// A refused login, provided as context when the page is rendered again.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct LoginOutcome {
    pub email: String,
    pub error: String,
}

/// The ways in this server offers, besides a password.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct WaysIn {
    pub passkeys: bool,
    /// The firm's single sign-on provider's name, when there is one.
    pub sso: Option<String>,
    /// Only the provider signs in (and one break-glass account with its password).
    pub sso_only: bool,
}

async fn load_outcome() -> (Option<LoginOutcome>, WaysIn) {
    // Also on a client-side visit (a "Start again" link), so the buttons stay.
    let ways = crate::api::login_ways().await.unwrap_or_default();
    #[cfg(feature = "ssr")]
    {
        (use_context::<LoginOutcome>(), ways)
    }
    #[cfg(not(feature = "ssr"))]
    (None, ways)
}

/// The sentence for a refused single sign-on (`/login?sso=…`), from the fixed list.
fn sso_refusal(code: &str, provider: &str) -> Option<String> {
    let message = match code {
        "state" => "That sign-in expired or began in another browser. Try again.".to_owned(),
        "provider" => format!("{provider} did not sign you in. Try again, or ask your administrator."),
        "unverified" => {
            format!(
                "{provider} has not verified your email address, so it cannot sign you in here. Verify it there first."
            )
        }
        "unknown" => {
            "There is no Intake account for your email address. Ask an administrator to invite you.".to_owned()
        }
        "disabled" => "Your Intake account is disabled. Ask an administrator.".to_owned(),
        "unavailable" => format!("{provider} cannot be reached right now. Try again in a minute."),
        _ => return None,
    };
    Some(message)
}

/// Which second steps the account that typed its password can take.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondStep {
    /// A password was right in this session, moments ago.
    pub pending: bool,
    /// A code from an authenticator app (or a recovery code).
    pub app: bool,
    pub passkey: bool,
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let outcome = Resource::new_blocking(|| (), |_| load_outcome());
    let next = move || use_query_map().with(|q| q.get("next")).unwrap_or_else(|| "/leads".into());
    view! {
        <Title text="Log in — Intake"/>
        <header class="site-header">
            <span class="brand">"Intake"</span>
        </header>
        <main class="page narrow">
            <section class="card">
                <h1>"Log in"</h1>
                <p class="lede">"For the firm's attorneys."</p>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let (o, ways) = outcome.await;
                        let mut o = o.unwrap_or_default();
                        let sso_name = ways.sso.clone().unwrap_or_default();
                        if o.error.is_empty()
                            && let Some(m) = use_query_map().with(|q| q.get("sso")).and_then(|c| sso_refusal(&c, &sso_name))
                        {
                            o.error = m;
                        }
                        let has_error = !o.error.is_empty();
                        let sso_href = format!("/login/sso?next={}", intake_domain::filter::encode_component(&next()));
                        let sso = ways.sso.clone().map(|name| view! {
                            <a class="button primary sso" href=sso_href.clone() rel="external">{format!("Sign in with {name}")}</a>
                        });
                        let password_form = view! {
                            <form method="post" action="/login">
                                <input type="hidden" name="next" value=next()/>
                                <div class="field">
                                    <label for="email">"Email"</label>
                                    <input id="email" name="email" type="email" autocomplete="username" required
                                        value=o.email.clone()
                                        aria-describedby=has_error.then_some("login-error")/>
                                </div>
                                <div class="field">
                                    <label for="password">"Password"</label>
                                    <input id="password" name="password" type="password" autocomplete="current-password" required/>
                                </div>
                                <button type="submit" class=if ways.sso.is_some() { "secondary wide" } else { "primary" }>"Log in"</button>
                            </form>
                        };
                        let passkeys = ways.passkeys && !ways.sso_only;
                        view! {
                            {has_error.then(|| view! {
                                <div class="error-summary" role="alert" id="login-error">
                                    <p class="error-summary-title">{o.error.clone()}</p>
                                </div>
                            })}
                            {sso.map(|button| view! {
                                {button}
                                <p class="or-divider"><span>"or"</span></p>
                            })}
                            {if ways.sso_only {
                                view! {
                                    <details class="break-glass">
                                        <summary>"Emergency sign-in with a password (one administrator)"</summary>
                                        {password_form}
                                    </details>
                                }.into_any()
                            } else {
                                password_form.into_any()
                            }}
                            {passkeys.then(|| view! {
                                <p class="or-divider"><span>"or"</span></p>
                                <PasskeyButton kind="sign-in" label="Sign in with a passkey"/>
                            })}
                        }
                    })}
                </Suspense>
            </section>
        </main>
    }
}

/// A refused code (at the second step, or confirming before a dangerous
/// action), provided as context when the page is rendered again.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct CodeOutcome {
    pub error: String,
}

/// A refused code's outcome, when the page is rendered again for it
/// (`/login/code`, `/account/confirm`).
pub(crate) async fn load_code_outcome() -> Option<CodeOutcome> {
    #[cfg(feature = "ssr")]
    {
        use_context::<CodeOutcome>()
    }
    #[cfg(not(feature = "ssr"))]
    None
}

/// `/login/code`: the second step after a right password, for accounts with
/// an authenticator app; a plain form posted to `POST /login/code`.
#[component]
pub fn LoginCodePage() -> impl IntoView {
    let outcome = Resource::new_blocking(
        || (),
        |_| async move { (load_code_outcome().await, crate::api::second_step_factors().await.unwrap_or_default()) },
    );
    let next = move || use_query_map().with(|q| q.get("next")).unwrap_or_else(|| "/leads".into());
    view! {
        <Title text="Your second step — Intake"/>
        <header class="site-header">
            <span class="brand">"Intake"</span>
        </header>
        <main class="page narrow">
            <section class="card">
                <h1>"Confirm it is you"</h1>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let (o, step) = outcome.await;
                        let o = o.unwrap_or_default();
                        let has_error = !o.error.is_empty();
                        // No app but a passkey: the passkey is the only way on.
                        let code = step.app || !step.passkey;
                        let lede = match (code, step.passkey) {
                            (true, true) => "Your password was right. Now use your passkey, or type the 6-digit code your authenticator app shows.",
                            (false, true) => "Your password was right. Now use your passkey.",
                            _ => "Your password was right. Now type the 6-digit code your authenticator app shows.",
                        };
                        view! {
                            <p class="lede">{lede}</p>
                            {has_error.then(|| view! {
                                <div class="error-summary" role="alert" id="code-error">
                                    <p class="error-summary-title">{o.error.clone()}</p>
                                </div>
                            })}
                            {step.passkey.then(|| view! {
                                <input type="hidden" name="next" value=next() data-passkey-next=""/>
                                <PasskeyButton kind="second-step" label="Use your passkey" primary=!step.app/>
                            })}
                            {(code && step.passkey).then(|| view! { <p class="or-divider"><span>"or"</span></p> })}
                            {code.then(|| view! {
                            <form method="post" action="/login/code">
                                <input type="hidden" name="next" value=next()/>
                                <div class="field">
                                    <label for="code">"Code"</label>
                                    <p class="hint" id="code-hint">"Lost your phone? Type one of your recovery codes instead (like 4f7k2-9xq3m)."</p>
                                    <input id="code" name="code" type="text" required autocomplete="one-time-code"
                                        autocapitalize="none" spellcheck="false" maxlength="32" class="code-input"
                                        autofocus=true
                                        aria-describedby=if has_error { "code-hint code-error" } else { "code-hint" }/>
                                </div>
                                <button type="submit" class="primary">"Sign in"</button>
                            </form>
                            })}
                            <p class="hint after-form">{if code { "Not you, or no code at hand? " } else { "Not you, or no passkey at hand? " }} <a href="/login">"Start again"</a> "."</p>
                        }
                    })}
                </Suspense>
            </section>
        </main>
    }
}
