//! The live connection: an `EventSource` on `/api/internal/events` that
//! hands each lead event (and notes change) to the page, which patches its view in place, and
//! says when the page must reload instead (after a gap: a reconnection or
//! a resync), and reports whether it is connected.

use intake_domain::live::LiveEvent;
use leptos::prelude::*;
use uuid::Uuid;

/// State of the live connection, shown to the attorney.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Live {
    Connecting,
    Up,
    Down,
}

/// What the page is told.
#[derive(Clone, Debug)]
pub enum LiveUpdate {
    /// A change, in commit order.
    Event(Box<LiveEvent>),
    /// This lead's notes changed.
    Notes(Uuid),
    /// Changes may have been missed: reload the view (at most every 150 ms).
    Gap,
}

/// Opens the live stream (in the browser only). `since` gives, when the
/// stream opens, the newest event the page already shows: the server
/// replays what came after it, so nothing between rendering and connecting is lost.
pub fn use_live(since: Callback<(), Option<i64>>, on_update: Callback<LiveUpdate>) -> ReadSignal<Live> {
    let (live, set_live) = signal(Live::Connecting);
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::{JsCast, closure::Closure};
        let scheduled = StoredValue::new_local(false);
        let gap = move || {
            if scheduled.get_value() {
                return;
            }
            scheduled.set_value(true);
            set_timeout(
                // The page may have been left (and its resources disposed) meanwhile.
                move || {
                    if scheduled.try_set_value(false).is_none() {
                        on_update.try_run(LiveUpdate::Gap);
                    }
                },
                std::time::Duration::from_millis(150),
            );
        };
        let handles = StoredValue::new_local(None::<(web_sys::EventSource, Vec<Closure<dyn FnMut(web_sys::Event)>>)>);
        Effect::new(move |_| {
            let url = match since.try_run(()).flatten() {
                Some(id) => format!("/api/internal/events?after={id}"),
                None => "/api/internal/events".to_owned(),
            };
            let Ok(es) = web_sys::EventSource::new(&url) else {
                set_live.set(Live::Down);
                return;
            };
            let was_down = StoredValue::new_local(false);
            let on_open = Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
                set_live.set(Live::Up);
                // The browser reconnects with Last-Event-ID and the server
                // replays what was missed; reload anyway, in case the replay
                // was cut short or this is another instance.
                if was_down.get_value() {
                    was_down.set_value(false);
                    gap();
                }
            });
            let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
                was_down.set_value(true);
                set_live.set(Live::Down);
            });
            let on_lead = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
                let data = e.dyn_ref::<web_sys::MessageEvent>().and_then(|m| m.data().as_string());
                match data.and_then(|d| serde_json::from_str::<LiveEvent>(&d).ok()) {
                    Some(ev) => {
                        on_update.try_run(LiveUpdate::Event(Box::new(ev)));
                    }
                    None => gap(),
                }
            });
            let on_notes = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
                let data = e.dyn_ref::<web_sys::MessageEvent>().and_then(|m| m.data().as_string());
                if let Some(n) = data.and_then(|d| serde_json::from_str::<intake_domain::live::NotesChanged>(&d).ok()) {
                    on_update.try_run(LiveUpdate::Notes(n.lead_id));
                }
            });
            let on_resync = Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| gap());
            es.set_onopen(Some(on_open.as_ref().unchecked_ref()));
            es.set_onerror(Some(on_error.as_ref().unchecked_ref()));
            let _ = es.add_event_listener_with_callback("lead", on_lead.as_ref().unchecked_ref());
            let _ = es.add_event_listener_with_callback("notes", on_notes.as_ref().unchecked_ref());
            let _ = es.add_event_listener_with_callback("resync", on_resync.as_ref().unchecked_ref());
            handles.set_value(Some((es, vec![on_open, on_error, on_lead, on_notes, on_resync])));
        });
        on_cleanup(move || {
            handles.update_value(|h| {
                if let Some((es, _)) = h.take() {
                    es.close();
                }
            })
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (since, on_update, set_live);
    live
}

/// A small badge saying whether updates are live.
#[component]
pub fn LiveIndicator(live: ReadSignal<Live>) -> impl IntoView {
    view! {
        <span
            class="live"
            class:live-up=move || live.get() == Live::Up
            class:live-down=move || live.get() == Live::Down
            data-live=move || match live.get() {
                Live::Up => "up",
                Live::Connecting => "connecting",
                Live::Down => "down",
            }
            role="status"
        >
            {move || match live.get() {
                Live::Up => "Live",
                Live::Connecting => "Connecting…",
                Live::Down => "Offline — reconnecting…",
            }}
        </span>
    }
}
