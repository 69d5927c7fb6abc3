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
