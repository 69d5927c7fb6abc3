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
    // `hydrate_lazy`, plus a marker once it has finished. A lazily loaded
    // page's code (see app.rs) is fetched before that page is hydrated, so its
    // buttons are wired only when this future ends; end-to-end tests wait for
    // the marker before clicking (an effect in the shell would run too early).
    wasm_bindgen_futures::spawn_local(async {
        let Some(body) = leptos::prelude::document().body() else { return };
        leptos::mount::hydrate_from_async(body, app::App).await.forget();
        if let Some(root) = leptos::prelude::document().document_element() {
            let _ = root.set_attribute("data-hydrated", "true");
        }
    });
}
