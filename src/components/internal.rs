//! The frame of internal pages: header with navigation, the attorney, log out.

use super::live::{Live, LiveIndicator};
use crate::{
    api::{MarkReachedOut, current_attorney},
    domain::dashboard::AppError,
};
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

/// The "Mark reached out" action of a page, with the message it leaves
/// (e.g. "already marked by …"); the page's data is refetched after each try.
pub fn use_mark_reached_out(refetch: Callback<()>) -> (ServerAction<MarkReachedOut>, RwSignal<Option<String>>) {
    let mark = ServerAction::<MarkReachedOut>::new();
    let notice = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let Some(result) = mark.value().get() else { return };
        match result {
            Ok(_) => notice.set(None),
            Err(e) => {
                redirect_if_unauthorized(&e);
                notice.set(Some(e.to_string()));
            }
        }
        refetch.run(());
    });
    (mark, notice)
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
