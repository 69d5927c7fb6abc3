//! `/login`: a plain form posted to `POST /login` (works without JavaScript).

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

async fn load_outcome() -> Option<LoginOutcome> {
    #[cfg(feature = "ssr")]
    {
        use_context::<LoginOutcome>()
    }
    #[cfg(not(feature = "ssr"))]
    None
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
                        let o = outcome.await.unwrap_or_default();
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
    let outcome = Resource::new_blocking(|| (), |_| load_code_outcome());
    let next = move || use_query_map().with(|q| q.get("next")).unwrap_or_else(|| "/leads".into());
    view! {
        <Title text="Your sign-in code — Intake"/>
        <header class="site-header">
            <span class="brand">"Intake"</span>
        </header>
        <main class="page narrow">
            <section class="card">
                <h1>"Your sign-in code"</h1>
                <p class="lede">"Your password was right. Now type the 6-digit code your authenticator app shows."</p>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let o = outcome.await.unwrap_or_default();
                        let has_error = !o.error.is_empty();
                        view! {
                            {has_error.then(|| view! {
                                <div class="error-summary" role="alert" id="code-error">
                                    <p class="error-summary-title">{o.error.clone()}</p>
                                </div>
                            })}
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
                            <p class="hint after-form">"Not you, or no code at hand? " <a href="/login">"Start again"</a> "."</p>
                        }
                    })}
                </Suspense>
            </section>
        </main>
    }
}
