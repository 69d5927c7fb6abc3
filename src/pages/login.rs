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

async fn load_outcome() -> (Option<LoginOutcome>, bool) {
    #[cfg(feature = "ssr")]
    {
        let passkeys = use_context::<crate::server::state::AppState>().is_some_and(|s| s.passkeys.is_some());
        (use_context::<LoginOutcome>(), passkeys)
    }
    #[cfg(not(feature = "ssr"))]
    (None, false)
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
                        let (o, passkeys) = outcome.await;
                        let o = o.unwrap_or_default();
                        let has_error = !o.error.is_empty();
                        view! {
                            {has_error.then(|| view! {
                                <div class="error-summary" role="alert" id="login-error">
                                    <p class="error-summary-title">{o.error.clone()}</p>
                                </div>
                            })}
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
                                <button type="submit" class="primary">"Log in"</button>
                            </form>
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
