//! Intake: lead intake and lead management for law firms. The app: pages,
//! components and server functions (server and browser), and on the server
//! the HTTP host. Rule: the top of the workspace; use cases live in
//! `intake-core`, data in `intake-store`, shared types in `intake-domain`.
#![recursion_limit = "256"]

pub mod api;
pub mod app;
pub mod components;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;

/// Entry point of the browser bundle: hydrates the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // A server and a browser app built with different `erase_components`
    // settings panic deep inside hydration; say what is wrong instead, and
    // leave the server-rendered page (which works without JavaScript) alone.
    let server_mode = leptos::prelude::document()
        .query_selector("meta[name=intake-render]")
        .ok()
        .flatten()
        .and_then(|m| m.get_attribute("content"));
    if server_mode.as_deref() != Some(app::RENDER_MODE) {
        leptos::logging::error!(
            "Intake: the server rendered this page in {:?} mode but the browser app was built in {:?} mode \
             (erase_components differs); build both with cargo leptos. Not hydrating.",
            server_mode.unwrap_or_default(),
            app::RENDER_MODE
        );
        return;
    }
    let document = leptos::prelude::document();
    // The prospect's page hydrates its form alone, with the code in the main
    // WASM; the router and the attorneys' pages are a chunk loaded only for
    // their pages (`cargo leptos build --split`), so a prospect never downloads them.
    if let Some(root) = document.get_element_by_id(pages::home::PUBLIC_ROOT) {
        use wasm_bindgen::JsCast;
        let boot = document
            .get_element_by_id(pages::home::BOOT_DATA)
            .and_then(|e| e.text_content())
            .map(|json| serde_json::from_str::<pages::home::FormBoot>(&json));
        match boot {
            Some(Ok(boot)) => {
                leptos::mount::hydrate_from(root.unchecked_into(), move || {
                    leptos::prelude::view! { <pages::home::IntakePage boot/> }
                })
                .forget();
                hydrated();
            }
            Some(Err(e)) => leptos::logging::error!("Intake: the page's data cannot be read ({e}). Not hydrating."),
            None => leptos::logging::error!("Intake: the page's data is missing. Not hydrating."),
        }
        return;
    }
    wasm_bindgen_futures::spawn_local(hydrate_app());
}

/// Hydrates an attorney's page: the whole app, router included, loaded from
/// its own chunk. A lazily loaded page's code (see app.rs) is fetched before
/// that page is hydrated, so its buttons are wired only when this ends.
#[cfg(feature = "hydrate")]
#[leptos::lazy]
async fn hydrate_app() {
    let Some(body) = leptos::prelude::document().body() else { return };
    leptos::mount::hydrate_from_async(body, app::App).await.forget();
    hydrated();
}

/// Marks the page hydrated: end-to-end tests wait for it before clicking
/// (an effect in the shell would run too early).
#[cfg(feature = "hydrate")]
fn hydrated() {
    if let Some(root) = leptos::prelude::document().document_element() {
        let _ = root.set_attribute("data-hydrated", "true");
    }
}
