//! The HTTP host's state: the services, and what Leptos needs to render.

use axum::extract::FromRef;
use intake_core::services::Services;
use leptos::config::LeptosOptions;
use std::ops::Deref;

/// Cheap to clone; handed to axum handlers and provided as Leptos context.
/// Derefs to [`Services`], so `&state` is what every use case takes.
#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    pub leptos_options: LeptosOptions,
}

impl Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.services
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
