//! `/`: the prospect's intake form.
//!
//! Rendered complete on the server so it works without JavaScript (a plain
//! multipart POST to `/`). Once hydrated, fields are checked as the prospect
//! types, with the same rules the server applies, and the form is sent to the
//! `submit_lead` server function without a page reload.

use crate::pages::intake_form::IntakeForm;
use intake_domain::{LeadForm, LeadOrigin, SubmitFailure, SubmitReceipt};
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

/// Result of a form post without JavaScript, provided as context to the re-rendered page.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum FormOutcome {
    Submitted(SubmitReceipt),
    /// With where the prospect came from, as posted, for the form's hidden fields.
    Refused {
        values: LeadForm,
        failure: SubmitFailure,
        origin: Box<LeadOrigin>,
    },
}

/// What the page needs from the server to render.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct FormBoot {
    firm_name: String,
    max_resume_bytes: u64,
    outcome: Option<FormOutcome>,
    /// Where the prospect came from, for the hidden fields.
    origin: LeadOrigin,
}

async fn load_boot() -> FormBoot {
    #[cfg(feature = "ssr")]
    {
        let state = use_context::<crate::server::state::AppState>();
        let outcome = use_context::<FormOutcome>();
        let origin = match &outcome {
            Some(FormOutcome::Refused { origin, .. }) => (**origin).clone(),
            _ => use_context::<axum::http::request::Parts>().map(|p| arrival(&p)).unwrap_or_default(),
        };
        FormBoot {
            firm_name: state.as_ref().map(|s| s.config.site.firm_name.clone()).unwrap_or_default(),
            max_resume_bytes: state.as_ref().map(|s| s.config.intake.max_resume_bytes).unwrap_or_default(),
            outcome,
            origin,
        }
    }
    // After hydration the value comes from the HTML; this never runs.
    #[cfg(not(feature = "ssr"))]
    FormBoot::default()
}

/// Where the prospect arrived from: the `Referer` of this page's request and
/// the `utm_*` tags of its address (cleaned again when stored).
#[cfg(feature = "ssr")]
fn arrival(parts: &axum::http::request::Parts) -> LeadOrigin {
    let referrer = parts.headers.get(axum::http::header::REFERER).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let query: std::collections::HashMap<_, _> =
        url::form_urlencoded::parse(parts.uri.query().unwrap_or_default().as_bytes()).collect();
    let tag = |k: &str| query.get(k).map(|v| v.as_ref()).unwrap_or_default();
    LeadOrigin::clean(referrer, tag("utm_source"), tag("utm_medium"), tag("utm_campaign"))
}

#[component]
pub fn HomePage() -> impl IntoView {
    let boot = Resource::new_blocking(|| (), |_| load_boot());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move { view! { <IntakePage boot=boot.await/> } })}
        </Suspense>
    }
}

#[component]
fn IntakePage(boot: FormBoot) -> impl IntoView {
    let firm = boot.firm_name.clone();
    let (values, failure, receipt) = match boot.outcome {
        Some(FormOutcome::Submitted(r)) => (LeadForm::default(), None, Some(r)),
        Some(FormOutcome::Refused { values, failure, .. }) => (values, Some(failure), None),
        None => (LeadForm::default(), None, None),
    };
    let receipt = RwSignal::new(receipt);
    view! {
        <Title text=format!("Contact {firm}")/>
        <header class="site-header">
            <span class="brand">{firm.clone()}</span>
        </header>
        <main class="page" id="main">
            {move || match receipt.get() {
                Some(r) => view! { <Confirmation receipt=r/> }.into_any(),
                None => {
                    view! {
                        <IntakeForm
                            values=values.clone()
                            failure=failure.clone()
                            max_resume_bytes=boot.max_resume_bytes
                            origin=boot.origin.clone()
                            on_success=Callback::new(move |r| receipt.set(Some(r)))
                        />
                    }
                        .into_any()
                }
            }}
        </main>
    }
}

#[component]
fn Confirmation(receipt: SubmitReceipt) -> impl IntoView {
    view! {
        <section class="card confirmation" role="status">
            <h1>{format!("Thank you, {}!", receipt.first_name)}</h1>
            <p>"We have received your details and your resume."</p>
            <p>
                "A confirmation email is on its way to " <strong class="email">{receipt.email.clone()}</strong> "."
            </p>
            <p>"An attorney will review your information and contact you. There is no need to submit the form again."</p>
        </section>
    }
}
