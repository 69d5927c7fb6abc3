use leptos::prelude::*;
use leptos_meta::Title;

/// Shown for unknown paths, with a 404 status.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::respond::Respond::set_on_response(&intake_core::error::Error::NotFound("page"));
    view! {
        <Title text="Page not found"/>
        <main class="page">
            <section class="card">
                <h1>"Page not found"</h1>
                <p>"There is nothing at this address."</p>
                <p><a href="/" rel="external">"Go to the contact form"</a></p>
            </section>
        </main>
    }
}
