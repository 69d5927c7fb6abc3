//! The HTML shell and the router.

use crate::{
    pages::accounts::AccountPage, pages::accounts::SetPasswordPage, pages::admin::AdminPage, pages::home::HomePage,
    pages::lead::LeadPage, pages::leads::LeadsPage, pages::login::LoginCodePage, pages::login::LoginPage,
    pages::not_found::NotFound, pages::two_factor::LoginEnrolPage,
};
use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, provide_meta_context};
use leptos_router::{
    Lazy, LazyRoute, ParamSegment, SsrMode, StaticSegment,
    components::{Route, Router, Routes},
    lazy_route,
};

/// How this build renders components. `erase_components` changes the
/// hydration markers the server writes, so a page hydrates only in a WASM app
/// built the same way; the shell records the server's mode for the browser
/// to check ([`crate::hydrate`]). Cargo.toml's `[package.metadata.leptos]`
/// decides it for both sides.
pub const RENDER_MODE: &str = if cfg!(erase_components) { "erased" } else { "typed" };

/// The document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang=crate::pages::home::request_lang().code()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <meta name="intake-render" content=RENDER_MODE/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/intake.css"/>
        <Router>
            <Routes fallback=NotFound>
                // Async: the whole page, data included, is in the HTML, so it works without JavaScript.
                <Route path=StaticSegment("") view=HomePage ssr=SsrMode::Async/>
                <Route path=StaticSegment("login") view=LoginPage ssr=SsrMode::Async/>
                <Route path=(StaticSegment("login"), StaticSegment("code")) view=LoginCodePage ssr=SsrMode::Async/>
                <Route path=(StaticSegment("login"), StaticSegment("enrol")) view=LoginEnrolPage ssr=SsrMode::Async/>
                // The attorneys' pages are split out of the main WASM (`cargo leptos build --split`)
                // and loaded when first shown: a prospect's visit downloads only what the form needs.
                <Route path=StaticSegment("leads") view={Lazy::<Leads>::new()} ssr=SsrMode::Async/>
                <Route path=(StaticSegment("leads"), ParamSegment("id")) view={Lazy::<Lead>::new()} ssr=SsrMode::Async/>
                <Route path=StaticSegment("admin") view={Lazy::<Admin>::new()} ssr=SsrMode::Async/>
                <Route path=(StaticSegment("admin"), StaticSegment("parties")) view={Lazy::<Parties>::new()} ssr=SsrMode::Async/>
                <Route path=(StaticSegment("admin"), StaticSegment("form")) view={Lazy::<FormEditor>::new()} ssr=SsrMode::Async/>
                <Route path=StaticSegment("account") view={Lazy::<Account>::new()} ssr=SsrMode::Async/>
                <Route path=(StaticSegment("account"), StaticSegment("confirm")) view={Lazy::<Confirm>::new()} ssr=SsrMode::Async/>
                <Route path=StaticSegment("set-password") view={Lazy::<SetPassword>::new()} ssr=SsrMode::Async/>
            </Routes>
        </Router>
    }
}

// Each lazily loaded page: its data is fetched by the page itself (resources),
// so the route's data half is empty and its view half is the whole page.

struct Leads;

#[lazy_route]
impl LazyRoute for Leads {
    fn data() -> Self {
        Leads
    }
    fn view(_this: Self) -> AnyView {
        view! { <LeadsPage/> }.into_any()
    }
}

struct Lead;

#[lazy_route]
impl LazyRoute for Lead {
    fn data() -> Self {
        Lead
    }
    fn view(_this: Self) -> AnyView {
        view! { <LeadPage/> }.into_any()
    }
}

struct Admin;

#[lazy_route]
impl LazyRoute for Admin {
    fn data() -> Self {
        Admin
    }
    fn view(_this: Self) -> AnyView {
        view! { <AdminPage/> }.into_any()
    }
}

struct Parties;

#[lazy_route]
impl LazyRoute for Parties {
    fn data() -> Self {
        Parties
    }
    fn view(_this: Self) -> AnyView {
        view! { <crate::pages::conflicts::PartiesPage/> }.into_any()
    }
}

struct FormEditor;

#[lazy_route]
impl LazyRoute for FormEditor {
    fn data() -> Self {
        FormEditor
    }
    fn view(_this: Self) -> AnyView {
        view! { <crate::pages::form_editor::FormEditorPage/> }.into_any()
    }
}

struct Account;

#[lazy_route]
impl LazyRoute for Account {
    fn data() -> Self {
        Account
    }
    fn view(_this: Self) -> AnyView {
        view! { <AccountPage/> }.into_any()
    }
}

struct Confirm;

#[lazy_route]
impl LazyRoute for Confirm {
    fn data() -> Self {
        Confirm
    }
    fn view(_this: Self) -> AnyView {
        view! { <crate::pages::two_factor::ConfirmPage/> }.into_any()
    }
}

struct SetPassword;

#[lazy_route]
impl LazyRoute for SetPassword {
    fn data() -> Self {
        SetPassword
    }
    fn view(_this: Self) -> AnyView {
        view! { <SetPasswordPage/> }.into_any()
    }
}
