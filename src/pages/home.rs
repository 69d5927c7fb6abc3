//! `/`: the prospect's intake form.
//!
//! Rendered complete on the server so it works without JavaScript (a plain
//! multipart POST to `/`). Once hydrated, fields are checked as the prospect
//! types, with the same rules the server applies, and the form is sent to the
//! `submit_lead` server function without a page reload.

use crate::pages::{
    intake_form::IntakeForm,
    questions::{AnswerState, MatterPicker},
};
use intake_domain::{
    LeadForm, LeadOrigin, SubmitFailure, SubmitReceipt,
    i18n::Msg,
    questions::{IntakeForm as FirmForm, Lang, SentAnswers},
};
// `Either`, not `into_any`: an `AnyView` keeps every way of rendering its
// view, async hydration included, which the form's own WASM never uses.
use leptos::{either::Either, prelude::*};
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

/// Result of a form post without JavaScript, provided as context to the re-rendered page.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum FormOutcome {
    Submitted(SubmitReceipt),
    Refused(Box<Refusal>),
}

/// A refused post: why, and what was typed, to show again.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Refusal {
    pub values: LeadForm,
    pub failure: SubmitFailure,
    /// Where the prospect came from, as posted, for the form's hidden fields.
    pub origin: LeadOrigin,
    /// The matter type and answers, as sent.
    pub matter_type: String,
    pub answers: SentAnswers,
    /// The language the form was sent in.
    pub lang: Lang,
    /// The consent box was ticked.
    #[serde(default)]
    pub consent: bool,
}

/// What the page needs from the server to render.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct FormBoot {
    firm_name: String,
    max_resume_bytes: u64,
    outcome: Option<FormOutcome>,
    /// Where the prospect came from, for the hidden fields.
    origin: LeadOrigin,
    /// The firm's current form and its version (`None`: it has none).
    form_version: Option<i64>,
    form: FirmForm,
    /// The matter type chosen with `?matter=` (the picker without JavaScript).
    matter: Option<String>,
    /// The prospect's language (see [`request_lang`]).
    lang: Lang,
}

async fn load_boot() -> FormBoot {
    #[cfg(feature = "ssr")]
    {
        let state = use_context::<crate::server::state::AppState>();
        let outcome = use_context::<FormOutcome>();
        let parts = use_context::<axum::http::request::Parts>();
        let origin = match &outcome {
            Some(FormOutcome::Refused(r)) => r.origin.clone(),
            _ => parts.as_ref().map(arrival).unwrap_or_default(),
        };
        let current = match &state {
            Some(s) => s.db.forms().current_form().await.unwrap_or_else(|e| {
                tracing::error!(error = %e, "cannot read the intake form");
                None
            }),
            None => None,
        };
        let matter = match &outcome {
            Some(FormOutcome::Refused(r)) => Some(r.matter_type.clone()),
            _ => parts.as_ref().and_then(|p| query_value(p, "matter")),
        };
        FormBoot {
            lang: request_lang(),
            form_version: current.as_ref().map(|c| c.version),
            form: current.map(|c| c.form).unwrap_or_default(),
            matter: matter.filter(|m| !m.is_empty()),
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
/// the `utm_*` tags of its address (cleaned again when stored). A reload of
/// the page by the page itself (its language switch, its matter step) carries
/// the first arrival's referrer in the address ([`LeadOrigin::query`]): its
/// own `Referer` would be the form.
#[cfg(feature = "ssr")]
fn arrival(parts: &axum::http::request::Parts) -> LeadOrigin {
    let header = parts.headers.get(axum::http::header::REFERER).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let query: std::collections::HashMap<_, _> =
        url::form_urlencoded::parse(parts.uri.query().unwrap_or_default().as_bytes()).collect();
    let tag = |k: &str| query.get(k).map(|v| v.as_ref()).unwrap_or_default();
    let referrer = query.get("referrer").map_or(header, |r| r.as_ref());
    LeadOrigin::clean(referrer, tag("utm_source"), tag("utm_medium"), tag("utm_campaign"))
}

/// The language of the public page: the one a refused or accepted form was
/// sent in, else `?lang=`, else the browser's `Accept-Language`, else
/// English. Other pages are the attorneys', in English.
pub fn request_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        match use_context::<FormOutcome>() {
            Some(FormOutcome::Refused(r)) => return r.lang,
            Some(FormOutcome::Submitted(r)) => return r.lang,
            None => {}
        }
        let Some(parts) = use_context::<axum::http::request::Parts>() else { return Lang::En };
        if parts.uri.path() != "/" {
            return Lang::En;
        }
        query_value(&parts, "lang")
            .and_then(|l| Lang::parse(&l))
            .or_else(|| {
                let header = parts.headers.get(axum::http::header::ACCEPT_LANGUAGE)?.to_str().ok()?;
                Lang::from_accept_language(header)
            })
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    Lang::En
}

#[cfg(feature = "ssr")]
fn query_value(parts: &axum::http::request::Parts, key: &str) -> Option<String> {
    url::form_urlencoded::parse(parts.uri.query().unwrap_or_default().as_bytes())
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.chars().take(64).collect())
}

/// The element the prospect's page hydrates by itself (see [`crate::hydrate`]):
/// the form's code is the main WASM, and the attorneys' app is loaded only
/// on their pages.
pub const PUBLIC_ROOT: &str = "intake-public";
/// The `<script type="application/json">` holding the page's [`FormBoot`].
pub const BOOT_DATA: &str = "intake-boot";

#[component]
pub fn HomePage() -> impl IntoView {
    // No resource: the browser reads the page's data from `BOOT_DATA` and
    // hydrates `PUBLIC_ROOT` alone, without the router around it.
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                let boot = load_boot().await;
                let title = boot.lang.fill(Msg::PageTitle, &[("firm", boot.firm_name.as_str())]);
                let data = boot_json(&boot);
                view! {
                    <Title text=title/>
                    <div id=PUBLIC_ROOT class="public-root"><IntakePage boot/></div>
                    <script type="application/json" id=BOOT_DATA inner_html=data></script>
                }
            })}
        </Suspense>
    }
}

/// The page's data as JSON that cannot end its `<script>` element early.
fn boot_json(boot: &FormBoot) -> String {
    #[cfg(feature = "ssr")]
    {
        serde_json::to_string(boot)
            .unwrap_or_default()
            .replace('<', "\\u003c")
            .replace('>', "\\u003e")
            .replace('&', "\\u0026")
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = boot;
        String::new()
    }
}

/// The prospect's page (inside [`PUBLIC_ROOT`]), from its data.
#[component]
pub fn IntakePage(boot: FormBoot) -> impl IntoView {
    let firm = boot.firm_name.clone();
    let (values, failure, receipt, sent, consented) = match boot.outcome {
        Some(FormOutcome::Submitted(r)) => (LeadForm::default(), None, Some(r), SentAnswers::new(), false),
        Some(FormOutcome::Refused(r)) => {
            let Refusal { values, failure, answers, consent, .. } = *r;
            (values, Some(failure), None, answers, consent)
        }
        None => (LeadForm::default(), None, None, SentAnswers::new(), false),
    };
    let receipt = RwSignal::new(receipt);
    // The matter type: chosen in the picker, or the only one.
    let firm_form = StoredValue::new(boot.form.clone());
    let chosen = RwSignal::new(boot.matter.clone());
    let matter = Signal::derive(move || firm_form.with_value(|f| f.chosen(chosen.get().as_deref()).cloned()));
    let answer_errors = failure.as_ref().map(|f| f.fields.answers.clone()).unwrap_or_default();
    let lang = boot.lang;
    let answers = AnswerState::new(sent, answer_errors, matter, lang, boot.max_resume_bytes);
    let picker = (boot.form.matter_types.len() > 1).then(|| boot.form.clone());
    // Whether a matter type is chosen (a change of type keeps the form and what is typed in it).
    let has_matter = Memo::new(move |_| matter.with(Option::is_some));
    view! {
        <header class="site-header">
            <span class="brand">{firm.clone()}</span>
            <LanguageSwitch lang matter=chosen origin=boot.origin.clone()/>
        </header>
        <main class="page" id="main">
            {move || match receipt.get() {
                Some(r) => Either::Left(view! { <Confirmation receipt=r lang/> }),
                None => {
                    let has_picker = picker.is_some();
                    // A refusal that came before the form was read (a file over the
                    // limit, say) while no matter type is chosen: said above the picker.
                    let early = failure.clone().filter(|_| has_picker && !has_matter.get_untracked()).map(|f| {
                        view! {
                            <div class="error-summary" role="alert">
                                <p class="error-summary-title">{f.message}</p>
                            </div>
                        }
                    });
                    let (values, failure, origin) = (values.clone(), failure.clone(), boot.origin.clone());
                    let notice = boot.form.notice.clone();
                    let (max_resume_bytes, form_version) = (boot.max_resume_bytes, boot.form_version);
                    Either::Right(view! {
                        {early}
                        {picker.clone().map(|f| view! {
                            <section class="card">
                                <MatterPicker form=f chosen lang origin=boot.origin.clone()/>
                            </section>
                        })}
                        // With several matter types, the form follows the choice (its own
                        // closure: the picker is not drawn again, so focus stays on it).
                        {move || (!has_picker || has_matter.get()).then(|| view! {
                            <IntakeForm
                                values=values.clone()
                                failure=failure.clone()
                                max_resume_bytes
                                origin=origin.clone()
                                answers
                                form_version
                                notice=notice.clone()
                                consented
                                on_success=Callback::new(move |r| receipt.set(Some(r)))
                            />
                        })}
                    })
                }
            }}
        </main>
    }
}

#[component]
fn Confirmation(receipt: SubmitReceipt, lang: Lang) -> impl IntoView {
    let (before, after) = lang.around(Msg::ConfirmationSent, "email");
    view! {
        <section class="card confirmation" role="status">
            <h1>{lang.fill(Msg::Thanks, &[("name", receipt.first_name.as_str())])}</h1>
            <p>{lang.text(if receipt.resume { Msg::ReceivedWithResume } else { Msg::Received })}</p>
            <p>{before} <strong class="email">{receipt.email.clone()}</strong> {after}</p>
            <p>{lang.text(Msg::NextSteps)}</p>
        </section>
    }
}

/// Links to the page in the other languages (a full load: the page is
/// rendered in the language asked for, `<html lang>` included), keeping the
/// matter type chosen and where the prospect came from.
#[component]
fn LanguageSwitch(lang: Lang, matter: RwSignal<Option<String>>, origin: LeadOrigin) -> impl IntoView {
    let links = Lang::ALL
        .into_iter()
        .map(|l| {
            let origin = origin.query();
            let href = move || match matter.get() {
                Some(m) => format!("/?lang={}&matter={}{origin}", l.code(), url_component(&m)),
                None => format!("/?lang={}{origin}", l.code()),
            };
            if l == lang {
                Either::Left(view! { <span class="current" aria-current="true" lang=l.code()>{l.name()}</span> })
            } else {
                Either::Right(view! { <a href=href hreflang=l.code() lang=l.code() rel="external">{l.name()}</a> })
            }
        })
        .collect_view();
    view! { <nav class="lang-switch" aria-label=lang.text(Msg::LanguageSwitch)>{links}</nav> }
}

/// A matter type key for a URL (keys are letters, digits, `-` and `_`; anything else is dropped).
fn url_component(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}
