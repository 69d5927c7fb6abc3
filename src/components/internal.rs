//! The frame of internal pages: header with navigation, the attorney, log out.

use super::live::{Live, LiveIndicator};
use crate::{api::current_attorney, domain::dashboard::AppError};
use leptos::prelude::*;

#[component]
pub fn InternalHeader(live: ReadSignal<Live>) -> impl IntoView {
    let who = Resource::new_blocking(|| (), |_| current_attorney());
    view! {
        <header class="site-header internal">
            <a class="brand" href="/leads">"Intake"</a>
            <nav aria-label="Main">
                <a href="/leads">"Leads"</a>
            </nav>
            <LiveIndicator live/>
            <span class="spacer"></span>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    who.await.ok().map(|m| view! { <span class="who" title=m.email.clone()>{m.display_name}</span> })
                })}
            </Suspense>
            <form method="post" action="/logout" class="logout">
                <button type="submit" class="link-button">"Log out"</button>
            </form>
        </header>
    }
}

/// Sends the browser to the login page when the session has ended.
pub fn redirect_if_unauthorized(err: &AppError) {
    #[cfg(feature = "hydrate")]
    if *err == AppError::Unauthorized {
        let loc = window().location();
        let here = format!("{}{}", loc.pathname().unwrap_or_default(), loc.search().unwrap_or_default());
        let _ = loc.set_href(&format!("/login?next={}", crate::domain::dashboard::encode_component(&here)));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = err;
}
