//! The live connection: an `EventSource` on `/api/internal/events` that asks
//! the page to refresh when leads change, and reports whether it is connected.

use leptos::prelude::*;

/// State of the live connection, shown to the attorney.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Live {
    Connecting,
    Up,
    Down,
}

/// Opens the live stream (in the browser only) and calls `refresh` — at most
/// every 150 ms — when leads change or after a reconnection.
pub fn use_live(refresh: Callback<()>) -> ReadSignal<Live> {
    let (live, set_live) = signal(Live::Connecting);
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::{JsCast, closure::Closure};
        let scheduled = StoredValue::new_local(false);
        let schedule = move || {
            if scheduled.get_value() {
                return;
            }
            scheduled.set_value(true);
            set_timeout(
                // The page may have been left (and its resources disposed) meanwhile.
                move || {
                    if scheduled.try_set_value(false).is_none() {
                        refresh.try_run(());
                    }
                },
                std::time::Duration::from_millis(150),
            );
        };
        let handles = StoredValue::new_local(None::<(web_sys::EventSource, Vec<Closure<dyn FnMut(web_sys::Event)>>)>);
        Effect::new(move |_| {
            let Ok(es) = web_sys::EventSource::new("/api/internal/events") else {
                set_live.set(Live::Down);
                return;
            };
            let was_down = StoredValue::new_local(false);
            let on_open = Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
                set_live.set(Live::Up);
                // Catch up on anything missed while disconnected.
                if was_down.get_value() {
                    was_down.set_value(false);
                    schedule();
                }
            });
            let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
                was_down.set_value(true);
                set_live.set(Live::Down);
            });
            let on_change = Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| schedule());
            es.set_onopen(Some(on_open.as_ref().unchecked_ref()));
            es.set_onerror(Some(on_error.as_ref().unchecked_ref()));
            let _ = es.add_event_listener_with_callback("lead", on_change.as_ref().unchecked_ref());
            let _ = es.add_event_listener_with_callback("resync", on_change.as_ref().unchecked_ref());
            handles.set_value(Some((es, vec![on_open, on_error, on_change])));
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
    let _ = (refresh, set_live);
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
                Live::Down => "down",
                Live::Connecting => "connecting",
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
