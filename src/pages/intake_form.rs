//! The prospect's form: checked as they type by the shared domain rules, sent
//! without a reload, and (with JavaScript off) a plain multipart post to `/`.

use crate::api::submit_lead;
use crate::pages::questions::{AnswerState, Questions};
use intake_domain::{
    Field, FieldErrors, LeadForm, LeadOrigin, SubmitFailure, SubmitReceipt, human_bytes, submission::resume_error,
};
use intake_domain::{i18n::Msg, questions::Notice};
use leptos::{ev::SubmitEvent, prelude::*};

/// What the browser accepts in the file picker (the server checks content, not this).
pub(crate) const RESUME_ACCEPT: &str = ".pdf,.docx,.doc,.odt,.rtf,.txt,application/pdf,application/msword,\
    application/vnd.openxmlformats-officedocument.wordprocessingml.document,application/vnd.oasis.opendocument.text,\
    application/rtf,text/plain";

/// Per-field state: the value, and whether the prospect has left the field.
#[derive(Clone, Copy)]
struct FieldState {
    value: RwSignal<String>,
    touched: RwSignal<bool>,
}

impl FieldState {
    fn new(value: String) -> Self {
        Self { value: RwSignal::new(value), touched: RwSignal::new(false) }
    }
}

/// The form's state, shared by its parts (every field is a signal, so it is `Copy`).
#[derive(Clone, Copy)]
struct FormState {
    first: FieldState,
    last: FieldState,
    email: FieldState,
    resume_touched: RwSignal<bool>,
    resume_size: RwSignal<Option<u64>>,
    max_resume_bytes: u64,
    /// The server's verdict per field, shown until the field is edited.
    server_errors: RwSignal<FieldErrors>,
    summary: RwSignal<Option<String>>,
    /// Bumped by every refused attempt: the summary is inserted anew each
    /// time, so a screen reader announces it again even when its text is the same.
    attempts: RwSignal<u32>,
    /// A field's error shows once it loses focus. When it loses focus because
    /// the prospect is pressing a button (Submit), the error waits until the
    /// press ends: shown at once, it would push the button down under the
    /// pointer, and the click would land beside it and be lost.
    /// (The answers' state holds the flag: their errors wait the same way.)
    deferred: StoredValue<Vec<RwSignal<bool>>>,
    /// The firm's questions for the chosen matter type.
    answers: AnswerState,
    /// The privacy notice's consent box: required, ticked, tried to submit.
    consent_required: bool,
    consent: RwSignal<bool>,
    consent_touched: RwSignal<bool>,
}

impl FormState {
    fn new(
        values: LeadForm,
        failure: Option<SubmitFailure>,
        max_resume_bytes: u64,
        answers: AnswerState,
        consent_required: bool,
    ) -> Self {
        Self {
            first: FieldState::new(values.first_name),
            last: FieldState::new(values.last_name),
            email: FieldState::new(values.email),
            resume_touched: RwSignal::new(false),
            resume_size: RwSignal::new(None),
            max_resume_bytes,
            server_errors: RwSignal::new(failure.as_ref().map(|f| f.fields.clone()).unwrap_or_default()),
            summary: RwSignal::new(failure.map(|f| f.message)),
            attempts: RwSignal::new(0),
            deferred: StoredValue::new(Vec::new()),
            answers,
            consent_required,
            consent: RwSignal::new(false),
            consent_touched: RwSignal::new(false),
        }
    }

    /// The consent box's error: the server's, or once a submission was tried.
    fn consent_error(self) -> Option<String> {
        if let Some(e) = self.server_errors.with(|s| s.consent.clone()) {
            return Some(e);
        }
        (self.consent_required && self.consent_touched.get() && !self.consent.get())
            .then(|| self.answers.lang.text(Msg::ConsentRequired).to_owned())
    }

    /// Every error shown, in the form's order: (element id, message).
    fn errors_in_order(self) -> Vec<(String, String)> {
        let fixed = |fields: &[Field]| -> Vec<(String, String)> {
            fields.iter().filter_map(|f| self.error_for(*f).map(|m| (f.name().to_owned(), m))).collect()
        };
        let matter = self.server_errors.with(|s| s.matter_type.clone()).map(|m| ("matter".to_owned(), m));
        let mut all: Vec<(String, String)> = matter.into_iter().collect();
        all.extend(fixed(&[Field::FirstName, Field::LastName, Field::Email]));
        all.extend(self.answers.errors_in_order());
        all.extend(fixed(&[Field::Resume]));
        all.extend(self.consent_error().map(|m| ("consent".to_owned(), m)));
        all
    }

    fn field(self, f: Field) -> Option<FieldState> {
        match f {
            Field::FirstName => Some(self.first),
            Field::LastName => Some(self.last),
            Field::Email => Some(self.email),
            Field::Resume => None,
        }
    }

    fn values(self) -> LeadForm {
        LeadForm { first_name: self.first.value.get(), last_name: self.last.value.get(), email: self.email.value.get() }
    }

    /// Whether the chosen matter type asks for a resume (all do unless the firm made it optional).
    fn resume_required(self) -> bool {
        self.answers.matter.with(|m| m.as_ref().is_none_or(|m| m.resume_required))
    }

    /// The error shown for a field: the server's, or the browser's once the field was left.
    fn error_for(self, f: Field) -> Option<String> {
        if let Some(e) = self.server_errors.with(|s| s.get(f).cloned()) {
            return Some(e);
        }
        let touched = self.field(f).map(|s| s.touched.get()).unwrap_or_else(|| self.resume_touched.get());
        if !touched {
            return None;
        }
        let english = match f {
            Field::Resume => match self.resume_size.get() {
                None if !self.resume_required() => None,
                size => resume_error(size, self.max_resume_bytes),
            },
            _ => self.values().check(f),
        };
        english.map(|e| self.answers.lang.field_error(f, &e))
    }

    fn clear_server_error(self, f: Field) {
        self.server_errors.update(|s| s.set(f, None));
    }

    /// A field was left: its error shows now, or when the pointer press ends.
    fn left(self, touched: RwSignal<bool>) {
        if self.answers.pressing.get_value() {
            self.deferred.update_value(|d| d.push(touched));
        } else {
            touched.set(true);
        }
    }

    /// Tracks pointer presses on the whole window while the form is shown.
    #[cfg(feature = "hydrate")]
    fn watch_presses(self) {
        let release = move || {
            self.answers.pressing.set_value(false);
            self.answers.release();
            for touched in self.deferred.try_update_value(std::mem::take).unwrap_or_default() {
                touched.set(true);
            }
        };
        let down = window_event_listener(leptos::ev::pointerdown, move |_| self.answers.pressing.set_value(true));
        let up = window_event_listener(leptos::ev::pointerup, move |_| release());
        let cancel = window_event_listener(leptos::ev::pointercancel, move |_| release());
        on_cleanup(move || {
            down.remove();
            up.remove();
            cancel.remove();
        });
    }

    /// Every field's error, all fields counted as left.
    fn check_all(self) -> FieldErrors {
        for s in [self.first, self.last, self.email] {
            s.touched.set(true);
        }
        self.resume_touched.set(true);
        let mut errors = FieldErrors::default();
        for f in Field::ALL {
            errors.set(f, untrack(|| self.error_for(f)));
        }
        errors.answers = self.answers.check_all();
        self.consent_touched.set(true);
        errors.consent = untrack(|| self.consent_error());
        errors.lang = self.answers.lang;
        errors
    }

    /// A refused attempt: the summary (announced again) and focus on the first error.
    fn refused(self, message: String) {
        self.summary.set(Some(message));
        self.attempts.update(|n| *n += 1);
        if let Some((id, _)) = untrack(|| self.errors_in_order()).into_iter().next() {
            focus(&id);
        }
    }
}

#[component]
pub fn IntakeForm(
    values: LeadForm,
    failure: Option<SubmitFailure>,
    max_resume_bytes: u64,
    origin: LeadOrigin,
    /// The firm's questions (none when it has no form), and the version shown.
    answers: AnswerState,
    form_version: Option<i64>,
    /// The firm's privacy notice (and its consent box), if it has one.
    notice: Option<Notice>,
    /// The box was ticked (a refused form, shown again).
    consented: bool,
    on_success: Callback<SubmitReceipt>,
) -> impl IntoView {
    let lang = answers.lang;
    let consent_required = notice.as_ref().is_some_and(|n| n.consent_required);
    let form = FormState::new(values, failure, max_resume_bytes, answers, consent_required);
    form.consent.set(consented);
    #[cfg(feature = "hydrate")]
    form.watch_presses();

    let submit = Action::new_local(|data: &web_sys::FormData| submit_lead(data.clone().into()));
    let pending = submit.pending();
    Effect::new(move |_| match submit.value().get() {
        Some(Ok(r)) => on_success.run(r),
        Some(Err(f)) => {
            let f = f.in_lang(lang, max_resume_bytes);
            form.server_errors.set(f.fields.clone());
            form.answers.server.set(f.fields.answers.clone());
            form.refused(f.message);
        }
        None => {}
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let errors = form.check_all();
        if !errors.is_empty() {
            form.refused(SubmitFailure::invalid(errors).message);
            return;
        }
        form.summary.set(None);
        use wasm_bindgen::JsCast;
        let Some(el) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok()) else {
            return;
        };
        if let Ok(data) = web_sys::FormData::new_with_form(&el) {
            submit.dispatch_local(data);
        }
    };

    view! {
        <section class="card">
            <h1>{lang.text(Msg::FormTitle)}</h1>
            <p class="lede">{lang.text(Msg::FormLede)}</p>
            <ErrorSummary form=form/>
            <form method="post" action="/" enctype="multipart/form-data" novalidate on:submit=on_submit>
                <TextField form=form field=Field::FirstName autocomplete="given-name" kind="text"/>
                <TextField form=form field=Field::LastName autocomplete="family-name" kind="text"/>
                <TextField form=form field=Field::Email autocomplete="email" kind="email"/>
                <input type="hidden" name="lang" value=lang.code()/>
                <Questions answers=form.answers/>
                {form_version.map(|v| view! {
                    <input type="hidden" name=intake_domain::questions::FORM_VERSION_FIELD value=v.to_string()/>
                })}
                <ResumeField form=form/>
                {notice.map(|n| view! { <ConsentField form=form notice=n lang=form.answers.lang/> })}
                // Where the prospect came from (see `home::arrival`).
                {origin.fields().map(|(name, value)| {
                    view! { <input type="hidden" name=name value=value.to_owned()/> }
                }).collect_view()}
                // Honeypot: invisible to people and screen readers, tempting to bots.
                <div class="hp" aria-hidden="true">
                    <label for="website">{lang.text(Msg::Honeypot)}</label>
                    <input id="website" name="website" type="text" tabindex="-1" autocomplete="off"/>
                </div>
                <button type="submit" class="primary" aria-disabled=move || pending.get().then_some("true")>
                    {move || lang.text(if pending.get() { Msg::Submitting } else { Msg::Submit })}
                </button>
            </form>
        </section>
    }
}

/// The refusal's message and a link to each field in error, announced as an alert.
#[component]
fn ErrorSummary(form: FormState) -> impl IntoView {
    move || {
        form.attempts.track();
        form.summary.get().map(|message| {
            let items = form
                .errors_in_order()
                .into_iter()
                .map(|(id, m)| view! { <li><a href=format!("#{id}")>{m}</a></li> })
                .collect_view();
            view! {
                <div class="error-summary" role="alert">
                    <p class="error-summary-title">{message}</p>
                    <ul>{items}</ul>
                </div>
            }
        })
    }
}

#[component]
fn TextField(form: FormState, field: Field, autocomplete: &'static str, kind: &'static str) -> impl IntoView {
    let s = form.field(field).expect("a text field");
    let err = move || form.error_for(field);
    let err_id = format!("{}-error", field.name());
    view! {
        <div class="field" class:invalid=move || err().is_some()>
            <label for=field.name()>{form.answers.lang.field(field)}</label>
            <input
                id=field.name()
                name=field.name()
                type=kind
                autocomplete=autocomplete
                value=s.value.get_untracked()
                maxlength=if field == Field::Email { 254 } else { 100 }
                aria-invalid=move || err().is_some().then_some("true")
                aria-describedby={
                    let id = err_id.clone();
                    move || err().map(|_| id.clone())
                }
                on:input=move |ev| {
                    s.value.set(event_target_value(&ev));
                    form.clear_server_error(field);
                }
                on:blur=move |_| form.left(s.touched)
            />
            {move || err().map(|m| view! { <p class="field-error" id=err_id.clone()>{m}</p> })}
        </div>
    }
}

#[component]
fn ResumeField(form: FormState) -> impl IntoView {
    let err = move || form.error_for(Field::Resume);
    let limit = human_bytes(form.max_resume_bytes);
    let lang = form.answers.lang;
    view! {
        <div class="field" class:invalid=move || err().is_some()>
            <label for="resume">
                {lang.field(Field::Resume)}
                {move || (!form.resume_required()).then(|| format!(" {}", lang.text(Msg::Optional)))}
            </label>
            <p class="hint" id="resume-hint">
                {lang.fill(Msg::ResumeHint, &[("formats", lang.text(Msg::ResumeFormats)), ("limit", limit.as_str())])}
            </p>
            <input
                id="resume"
                name="resume"
                type="file"
                accept=RESUME_ACCEPT
                aria-invalid=move || err().is_some().then_some("true")
                aria-describedby=move || if err().is_some() { "resume-hint resume-error" } else { "resume-hint" }
                on:change=move |ev| {
                    let size = chosen_file(&ev).map(|file| file.size() as u64);
                    form.resume_size.set(size);
                    form.resume_touched.set(true);
                    form.clear_server_error(Field::Resume);
                }
            />
            {move || err().map(|m| view! { <p class="field-error" id="resume-error">{m}</p> })}
        </div>
    }
}

/// The firm's privacy notice and the box that records agreement to it.
#[component]
fn ConsentField(form: FormState, notice: Notice, lang: intake_domain::questions::Lang) -> impl IntoView {
    let err = move || form.consent_error();
    let label = if notice.consent_required {
        lang.text(Msg::ConsentLabel).to_owned()
    } else {
        format!("{} {}", lang.text(Msg::ConsentLabel), lang.text(Msg::Optional))
    };
    view! {
        <div class="field consent" class:invalid=move || err().is_some()>
            <h2 class="notice-title">{lang.text(Msg::NoticeTitle)}</h2>
            <div class="notice-text" id="notice-text">{notice.text.get(lang).to_owned()}</div>
            <div class="choice">
                <input
                    type="checkbox"
                    id="consent"
                    name=intake_domain::questions::CONSENT_FIELD
                    value="yes"
                    checked=form.consent.get_untracked()
                    aria-invalid=move || err().is_some().then_some("true")
                    aria-describedby=move || if err().is_some() { "notice-text consent-error" } else { "notice-text" }
                    on:change=move |ev| {
                        form.consent.set(event_target_checked(&ev));
                        form.server_errors.update(|s| s.consent = None);
                    }
                />
                <label for="consent">{label}</label>
            </div>
            {move || err().map(|m| view! { <p class="field-error" id="consent-error">{m}</p> })}
        </div>
    }
}

/// Moves keyboard focus to a field (the first with an error).
fn focus(id: &str) {
    use wasm_bindgen::JsCast;
    if let Some(el) = document().get_element_by_id(id)
        && let Ok(el) = el.dyn_into::<web_sys::HtmlElement>()
    {
        let _ = el.focus();
    }
}

/// The file chosen in a file input, from its `change` event.
pub(crate) fn chosen_file(ev: &web_sys::Event) -> Option<web_sys::File> {
    use wasm_bindgen::JsCast;
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        .and_then(|input| input.files())
        .and_then(|files| files.get(0))
}
