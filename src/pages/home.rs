//! `/`: the prospect's intake form.
//!
//! Rendered complete on the server so it works without JavaScript (a plain
//! multipart POST to `/`). Once hydrated, fields are checked as the prospect
//! types, with the same rules the server applies, and the form is sent to the
//! `submit_lead` server function without a page reload.

use crate::{
    api::submit_lead,
    domain::lead::ORIGIN_FIELDS,
    domain::{
        Field, FieldErrors, LeadForm, SubmitFailure, SubmitReceipt, human_bytes,
        submission::{ACCEPTED_FORMATS, resume_error},
    },
};
use leptos::{ev::SubmitEvent, prelude::*};
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
        origin: Box<[String; 4]>,
    },
}

/// What the page needs from the server to render.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct FormBoot {
    firm_name: String,
    max_resume_bytes: u64,
    outcome: Option<FormOutcome>,
    /// `referrer`, `utm_source`, `utm_medium`, `utm_campaign` for the hidden fields.
    origin: [String; 4],
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
            firm_name: state.as_ref().map(|s| s.config.firm_name.clone()).unwrap_or_default(),
            max_resume_bytes: state.as_ref().map(|s| s.config.max_resume_bytes).unwrap_or_default(),
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
fn arrival(parts: &axum::http::request::Parts) -> [String; 4] {
    let referrer = parts.headers.get(axum::http::header::REFERER).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let mut origin = [referrer.to_owned(), String::new(), String::new(), String::new()];
    for (k, v) in url::form_urlencoded::parse(parts.uri.query().unwrap_or_default().as_bytes()) {
        let slot = match k.as_ref() {
            "utm_source" => 1,
            "utm_medium" => 2,
            "utm_campaign" => 3,
            _ => continue,
        };
        origin[slot] = v.chars().take(crate::domain::lead::MAX_TAG_CHARS).collect();
    }
    origin[0] = origin[0].chars().take(crate::domain::lead::MAX_REFERRER_CHARS).collect();
    origin
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

/// Per-field state: the value, whether the prospect has left the field, and
/// the server's verdict (shown until the field is edited).
#[derive(Clone, Copy)]
struct FieldState {
    value: RwSignal<String>,
    touched: RwSignal<bool>,
}

#[component]
fn IntakeForm(
    values: LeadForm,
    failure: Option<SubmitFailure>,
    max_resume_bytes: u64,
    origin: [String; 4],
    on_success: Callback<SubmitReceipt>,
) -> impl IntoView {
    let first = FieldState { value: RwSignal::new(values.first_name), touched: RwSignal::new(false) };
    let last = FieldState { value: RwSignal::new(values.last_name), touched: RwSignal::new(false) };
    let email = FieldState { value: RwSignal::new(values.email), touched: RwSignal::new(false) };
    let resume_touched = RwSignal::new(false);
    let resume_size = RwSignal::new(None::<u64>);
    let server_errors = RwSignal::new(failure.as_ref().map(|f| f.fields.clone()).unwrap_or_default());
    let summary = RwSignal::new(failure.map(|f| f.message));
    // Bumped by every refused attempt: the summary is inserted anew each
    // time, so a screen reader announces it again even when its text is the same.
    let attempts = RwSignal::new(0u32);
    // A field's error shows once it loses focus. When it loses focus because
    // the prospect is pressing a button (Submit), the error waits until the
    // press ends: shown at once, it would push the button down under the
    // pointer, and the click would land beside it and be lost.
    let pressing = StoredValue::new(false);
    let deferred = StoredValue::new(Vec::<RwSignal<bool>>::new());
    #[cfg(feature = "hydrate")]
    {
        let release = move || {
            pressing.set_value(false);
            for touched in deferred.try_update_value(std::mem::take).unwrap_or_default() {
                touched.set(true);
            }
        };
        let down = window_event_listener(leptos::ev::pointerdown, move |_| pressing.set_value(true));
        let up = window_event_listener(leptos::ev::pointerup, move |_| release());
        let cancel = window_event_listener(leptos::ev::pointercancel, move |_| release());
        on_cleanup(move || {
            down.remove();
            up.remove();
            cancel.remove();
        });
    }

    let state_of = move |f: Field| match f {
        Field::FirstName => Some(first),
        Field::LastName => Some(last),
        Field::Email => Some(email),
        Field::Resume => None,
    };
    let form_values =
        move || LeadForm { first_name: first.value.get(), last_name: last.value.get(), email: email.value.get() };
    // The browser-side verdict for one field, using the shared domain rules.
    let client_error = move |f: Field| match f {
        Field::Resume => resume_error(resume_size.get(), max_resume_bytes),
        _ => form_values().check(f),
    };
    let error_for = move |f: Field| -> Option<String> {
        if let Some(e) = server_errors.with(|s| s.get(f).cloned()) {
            return Some(e);
        }
        let touched = state_of(f).map(|s| s.touched.get()).unwrap_or_else(|| resume_touched.get());
        if touched { client_error(f) } else { None }
    };
    let clear_server_error = move |f: Field| server_errors.update(|s| s.set(f, None));

    let submit = Action::new_local(|data: &web_sys::FormData| submit_lead(data.clone().into()));
    let pending = submit.pending();
    Effect::new(move |_| {
        if let Some(result) = submit.value().get() {
            match result {
                Ok(r) => on_success.run(r),
                Err(f) => {
                    server_errors.set(f.fields.clone());
                    summary.set(Some(f.message));
                    attempts.update(|n| *n += 1);
                    focus_first_error(&server_errors.get_untracked());
                }
            }
        }
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        for s in [first, last, email] {
            s.touched.set(true);
        }
        resume_touched.set(true);
        let mut errors = FieldErrors::default();
        for f in Field::ALL {
            errors.set(f, untrack(|| error_for(f)));
        }
        if !errors.is_empty() {
            summary.set(Some(SubmitFailure::invalid(errors.clone()).message));
            attempts.update(|n| *n += 1);
            focus_first_error(&errors);
            return;
        }
        summary.set(None);
        use wasm_bindgen::JsCast;
        let Some(form) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok()) else {
            return;
        };
        if let Ok(data) = web_sys::FormData::new_with_form(&form) {
            submit.dispatch_local(data);
        }
    };

    let text_field = move |f: Field, autocomplete: &'static str, kind: &'static str| {
        let s = state_of(f).expect("text field");
        let err = move || error_for(f);
        let err_id = format!("{}-error", f.name());
        view! {
            <div class="field" class:invalid=move || err().is_some()>
                <label for=f.name()>{f.label()}</label>
                <input
                    id=f.name()
                    name=f.name()
                    type=kind
                    autocomplete=autocomplete
                    value=s.value.get_untracked()
                    maxlength=if f == Field::Email { 254 } else { 100 }
                    aria-invalid=move || err().is_some().then_some("true")
                    aria-describedby={
                        let id = err_id.clone();
                        move || err().map(|_| id.clone())
                    }
                    on:input=move |ev| {
                        s.value.set(event_target_value(&ev));
                        clear_server_error(f);
                    }
                    on:blur=move |_| {
                        if pressing.get_value() {
                            deferred.update_value(|d| d.push(s.touched));
                        } else {
                            s.touched.set(true);
                        }
                    }
                />
                {move || err().map(|m| view! { <p class="field-error" id=err_id.clone()>{m}</p> })}
            </div>
        }
    };

    let resume_err = move || error_for(Field::Resume);
    let limit = human_bytes(max_resume_bytes);
    view! {
        <section class="card">
            <h1>"Tell us about yourself"</h1>
            <p class="lede">"Leave your details and your resume. An attorney will review them and contact you."</p>
            {move || {
                attempts.track();
                summary
                    .get()
                    .map(|message| {
                        let items = Field::ALL
                            .into_iter()
                            .filter_map(|f| error_for(f).map(|m| (f, m)))
                            .map(|(f, m)| view! { <li><a href=format!("#{}", f.name())>{m}</a></li> })
                            .collect_view();
                        view! {
                            <div class="error-summary" role="alert">
                                <p class="error-summary-title">{message}</p>
                                <ul>{items}</ul>
                            </div>
                        }
                    })
            }}
            <form method="post" action="/" enctype="multipart/form-data" novalidate on:submit=on_submit>
                {text_field(Field::FirstName, "given-name", "text")}
                {text_field(Field::LastName, "family-name", "text")}
                {text_field(Field::Email, "email", "email")}
                <div class="field" class:invalid=move || resume_err().is_some()>
                    <label for="resume">"Resume"</label>
                    <p class="hint" id="resume-hint">{format!("{ACCEPTED_FORMATS}; up to {limit}.")}</p>
                    <input
                        id="resume"
                        name="resume"
                        type="file"
                        accept=".pdf,.docx,.doc,.odt,.rtf,.txt,application/pdf,application/msword,application/vnd.openxmlformats-officedocument.wordprocessingml.document,application/vnd.oasis.opendocument.text,application/rtf,text/plain"
                        aria-invalid=move || resume_err().is_some().then_some("true")
                        aria-describedby=move || {
                            if resume_err().is_some() { "resume-hint resume-error" } else { "resume-hint" }
                        }
                        on:change=move |ev| {
                            use wasm_bindgen::JsCast;
                            let size = ev
                                .target()
                                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                                .and_then(|input| input.files())
                                .and_then(|files| files.get(0))
                                .map(|file| file.size() as u64);
                            resume_size.set(size);
                            resume_touched.set(true);
                            clear_server_error(Field::Resume);
                        }
                    />
                    {move || resume_err().map(|m| view! { <p class="field-error" id="resume-error">{m}</p> })}
                </div>
                // Where the prospect came from (see `arrival`).
                {ORIGIN_FIELDS.iter().zip(origin).map(|(name, value)| {
                    view! { <input type="hidden" name=*name value=value/> }
                }).collect_view()}
                // Honeypot: invisible to people and screen readers, tempting to bots.
                <div class="hp" aria-hidden="true">
                    <label for="website">"Leave this field empty"</label>
                    <input id="website" name="website" type="text" tabindex="-1" autocomplete="off"/>
                </div>
                <button type="submit" class="primary" aria-disabled=move || pending.get().then_some("true")>
                    {move || if pending.get() { "Submitting…" } else { "Submit" }}
                </button>
            </form>
        </section>
    }
}

/// Moves keyboard focus to the first field with an error.
fn focus_first_error(errors: &FieldErrors) {
    use wasm_bindgen::JsCast;
    if let Some((f, _)) = errors.iter().next()
        && let Some(el) = document().get_element_by_id(f.name())
        && let Ok(el) = el.dyn_into::<web_sys::HtmlElement>()
    {
        let _ = el.focus();
    }
}
