//! The frame of internal pages: header with navigation, the attorney, log out.

use super::live::{Live, LiveIndicator};
use crate::{api::MarkReachedOut, api::current_attorney, api::error::AppError, api::header_counts};
use leptos::prelude::*;

/// Bumped by a page when a change it saw (an assignment, a lead reached out)
/// may change the header's numbers; they are also read again every minute,
/// as leads pass their follow-up deadline with time alone.
#[derive(Clone, Copy)]
pub struct CountsStale(pub RwSignal<u64>);

impl CountsStale {
    /// The page's signal, shared with its header.
    pub fn provide() -> Self {
        let this = Self(RwSignal::new(0));
        provide_context(this);
        this
    }

    pub fn bump(self) {
        self.0.try_update(|n| *n += 1);
    }
}

/// `live`: the page's live-update status, shown beside the navigation (pages without one leave it out).
#[component]
pub fn InternalHeader(#[prop(optional)] live: Option<ReadSignal<Live>>) -> impl IntoView {
    let who = Resource::new_blocking(|| (), |_| current_attorney());
    let stale = use_context::<CountsStale>().unwrap_or_else(CountsStale::provide);
    let counts = Resource::new(move || stale.0.get(), |_| header_counts());
    #[cfg(feature = "hydrate")]
    if let Ok(h) = set_interval_with_handle(move || stale.bump(), std::time::Duration::from_secs(60)) {
        on_cleanup(move || h.clear());
    }
    // The overdue count also changes when the next pending lead passes its
    // deadline: read again then (just after), whatever else happens meanwhile.
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let Some(Ok(c)) = counts.get() else { return };
        let Some(at) = c.overdue_changes_at else { return };
        let seen = stale.0.get_untracked();
        let wait = (at - c.now_ms).clamp(0, 24 * 3_600_000) as u64 + 500;
        set_timeout(
            move || {
                // Only if nothing has read the counts again since.
                if stale.0.try_get_untracked() == Some(seen) {
                    stale.bump();
                }
            },
            std::time::Duration::from_millis(wait),
        );
    });
    view! {
        <header class="site-header internal">
            <a class="brand" href="/leads">"Intake"</a>
            <nav aria-label="Main">
                <a href="/leads">"Leads"</a>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        who.await.ok().filter(|m| m.admin).map(|_| view! { <a href="/admin">"Admin"</a> })
                    })}
                </Suspense>
            </nav>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    counts.await.ok().map(|c| view! {
                        <span class="my-counts">
                            <a href="/leads?state=pending&owner=me" data-count="mine">
                                "Mine " <span class="count-badge">{c.mine}</span>
                            </a>
                            {c.overdue.map(|n| view! {
                                <a href="/leads?state=overdue" data-count="overdue" class:has-overdue={n > 0}>
                                    "Overdue " <span class="count-badge">{n}</span>
                                </a>
                            })}
                        </span>
                    })
                })}
            </Transition>
            {live.map(|live| view! { <LiveIndicator live/> })}
            <span class="spacer"></span>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    who.await.ok().map(|m| view! {
                        <a class="who" href="/account" title=format!("Your account ({})", m.email)>{m.display_name}</a>
                    })
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

/// A failed action's message, announced (`role="alert"`): the login page
/// when the session has ended; a link to confirm with a code when the action
/// needs fresh proof (it comes back here after).
pub fn error_alert(err: AppError) -> AnyView {
    redirect_if_unauthorized(&err);
    if err == AppError::ProofNeeded {
        let loc = leptos_router::hooks::use_location();
        let (path, search) = (loc.pathname.get_untracked(), loc.search.get_untracked());
        let here = if search.is_empty() { path } else { format!("{path}?{}", search.trim_start_matches('?')) };
        let href = format!("/account/confirm?next={}", intake_domain::filter::encode_component(&here));
        return view! {
            <div class="field-error" role="alert">
                {err.to_string()} " " <a href=href>"Confirm it is you"</a>
            </div>
        }
        .into_any();
    }
    view! { <div class="field-error" role="alert">{err.to_string()}</div> }.into_any()
}

/// Sends the browser to the login page when the session has ended.
pub fn redirect_if_unauthorized(err: &AppError) {
    #[cfg(feature = "hydrate")]
    if *err == AppError::Unauthorized {
        let loc = window().location();
        let here = format!("{}{}", loc.pathname().unwrap_or_default(), loc.search().unwrap_or_default());
        let _ = loc.set_href(&format!("/login?next={}", intake_domain::filter::encode_component(&here)));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = err;
}
