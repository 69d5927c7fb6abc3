//! `/admin/form`: the firm's intake form, edited by administrators. Matter
//! types and their ordered questions, in English and Spanish; each save is a
//! new version (earlier leads keep the version they answered).
//!
//! The draft lives outside the reactive graph: typing changes it without
//! redrawing (so the field being typed in keeps its focus and caret); a
//! change of shape (add, remove, move, a question's kind) bumps `shape`,
//! which redraws the editor from the draft.

use crate::{
    api::{FormDraft, SaveIntakeForm, get_intake_form},
    components::internal::{InternalHeader, redirect_if_unauthorized},
};
use intake_domain::questions::{
    Choice, IntakeForm, Lang, Localized, MAX_HELP, MatterType, Notice, Question, QuestionKind,
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn FormEditorPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_intake_form());
    view! {
        <Title text="Intake form — Intake"/>
        <InternalHeader/>
        <main class="page wide" id="main">
            <div class="page-head">
                <h1>"Intake form"</h1>
            </div>
            <p class="lede">
                "The matter types a prospect chooses from, and the questions each one asks, besides name, email and resume. "
                "Each save is a new version: leads already received keep the questions they answered. "
                <a href="/" rel="external">"See the public form"</a>
            </p>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => {
                            redirect_if_unauthorized(&e);
                            view! { <div class="notice" role="alert">{e.to_string()}</div> }.into_any()
                        }
                        Ok(draft) => view! { <Editor draft/> }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

/// The editor's state (`Copy`).
#[derive(Clone, Copy)]
struct Draft {
    form: StoredValue<IntakeForm>,
    /// Bumped by every change of shape: the editor is drawn again.
    shape: RwSignal<u32>,
    /// The version the draft was made from.
    base: RwSignal<Option<i64>>,
}

impl Draft {
    /// A change that adds, removes or moves something: redraw.
    fn reshape(self, f: impl FnOnce(&mut IntakeForm)) {
        self.form.update_value(f);
        self.shape.update(|n| *n += 1);
    }

    /// A change of text: no redraw.
    fn edit(self, f: impl FnOnce(&mut IntakeForm)) {
        self.form.update_value(f);
    }
}

#[component]
fn Editor(draft: FormDraft) -> impl IntoView {
    let d = Draft { form: StoredValue::new(draft.form), shape: RwSignal::new(0), base: RwSignal::new(draft.version) };
    let save = ServerAction::<SaveIntakeForm>::new();
    let local_error = RwSignal::new(None::<String>);
    let saved = move || save.value().get().and_then(Result::ok);
    Effect::new(move |_| {
        if let Some(Ok(v)) = save.value().get() {
            d.base.set(Some(v));
        }
    });
    let on_save = move |_| {
        // Keys once, in the draft too: a second save keeps them.
        d.form.update_value(IntakeForm::fill_keys);
        let mut form = d.form.get_value();
        form.notice = form.notice.filter(|n| !n.text.0.is_empty());
        if let Err(e) = form.check() {
            local_error.set(Some(e.to_string()));
            return;
        }
        local_error.set(None);
        save.dispatch(SaveIntakeForm { form, after: d.base.get_untracked() });
    };
    let failure = move || {
        local_error.get().or_else(|| {
            save.value().get().and_then(Result::err).map(|e| {
                redirect_if_unauthorized(&e);
                e.to_string()
            })
        })
    };
    let busy = save.pending();
    view! {
        <div class="form-editor">
            <NoticeEditor d/>
            {move || {
                d.shape.track();
                let count = d.form.with_value(|f| f.matter_types.len());
                (0..count).map(|i| view! { <MatterEditor d i/> }).collect_view()
            }}
            <div class="actions">
                <button type="button" class="secondary" on:click=move |_| d.reshape(|f| f.matter_types.push(new_matter()))>
                    "Add a matter type"
                </button>
            </div>
            <div class="card save-bar">
                <p class="muted">
                    {move || match d.base.get() {
                        Some(v) => format!("Prospects now see version {v}."),
                        None => "No form saved yet: prospects see name, email and resume only.".to_owned(),
                    }}
                </p>
                {move || failure().map(|e| view! { <div class="field-error" role="alert">{e}</div> })}
                {move || saved().map(|v| view! { <p class="notice ok" role="status">{format!("Saved as version {v}.")}</p> })}
                <button type="button" class="primary" on:click=on_save aria-disabled=move || busy.get().then_some("true")>
                    "Save as a new version"
                </button>
            </div>
        </div>
    }
}

/// The privacy notice: its text in each language (none when both are
/// blank), and whether prospects must agree to it.
#[component]
fn NoticeEditor(d: Draft) -> impl IntoView {
    let n = d.form.with_value(|f| f.notice.clone()).unwrap_or_default();
    // The draft keeps the notice even while its text is blank (so the box
    // ticked first is kept); a blank one is dropped when the form is saved.
    let edit = move |g: Box<dyn FnOnce(&mut Notice)>| d.edit(|f| g(f.notice.get_or_insert_with(Notice::default)));
    let text = |lang: Lang| n.text.0.get(&lang).cloned().unwrap_or_default();
    view! {
        <section class="card" aria-labelledby="notice-title">
            <h2 id="notice-title">"Privacy notice"</h2>
            <p class="hint">
                "Shown above the submit button with a box to tick. Each lead records whether and when its prospect agreed, "
                "and the form version says which text they saw. Leave it blank for none."
            </p>
            <div class="pair">
                <TextArea id="notice-en".to_owned() label="Notice (English)" value=text(Lang::En)
                    on_edit=move |v| edit(Box::new(move |n| set_text(&mut n.text, Lang::En, v)))/>
                <TextArea id="notice-es".to_owned() label="Notice (Spanish)" value=text(Lang::Es)
                    on_edit=move |v| edit(Box::new(move |n| set_text(&mut n.text, Lang::Es, v)))/>
            </div>
            <div class="field check">
                <input type="checkbox" id="notice-required" checked=n.consent_required
                    on:change=move |ev| { let on = event_target_checked(&ev); edit(Box::new(move |n| n.consent_required = on)); }/>
                <label for="notice-required">"Prospects must agree to send the form"</label>
            </div>
        </section>
    }
}

fn new_matter() -> MatterType {
    MatterType {
        key: String::new(),
        name: Localized::default(),
        resume_required: true,
        questions: vec![new_question()],
    }
}

fn new_question() -> Question {
    Question {
        key: String::new(),
        kind: QuestionKind::ShortText,
        label: Localized::default(),
        help: Localized::default(),
        required: false,
        choices: Vec::new(),
    }
}

/// Sets (or, when blank, removes) one language's text.
fn set_text(t: &mut Localized, lang: Lang, v: String) {
    if v.trim().is_empty() {
        t.0.remove(&lang);
    } else {
        t.0.insert(lang, v);
    }
}

#[component]
fn MatterEditor(d: Draft, i: usize) -> impl IntoView {
    let m = d.form.with_value(|f| f.matter_types[i].clone());
    let n = d.form.with_value(|f| f.matter_types.len());
    let id = |what: &str| format!("m{i}-{what}");
    let questions = m.questions.len();
    view! {
        <section class="card matter" aria-labelledby=id("title")>
            <h2 id=id("title")>{format!("Matter type {}", i + 1)}</h2>
            <div class="pair">
                <TextInput id=id("name-en") label="Name (English)" value=m.name.get(Lang::En).to_owned()
                    on_edit=move |v| d.edit(|f| set_text(&mut f.matter_types[i].name, Lang::En, v))/>
                <TextInput id=id("name-es") label="Name (Spanish)" value=m.name.0.get(&Lang::Es).cloned().unwrap_or_default()
                    on_edit=move |v| d.edit(|f| set_text(&mut f.matter_types[i].name, Lang::Es, v))/>
            </div>
            <div class="field check">
                <input type="checkbox" id=id("resume") checked=m.resume_required
                    on:change=move |ev| { let on = event_target_checked(&ev); d.edit(|f| f.matter_types[i].resume_required = on); }/>
                <label for=id("resume")>"Prospects must send a resume"</label>
            </div>
            {(0..questions).map(|j| view! { <QuestionEditor d i j count=questions/> }).collect_view()}
            <div class="actions">
                <button type="button" class="secondary" on:click=move |_| d.reshape(|f| f.matter_types[i].questions.push(new_question()))>
                    "Add a question"
                </button>
                <button type="button" class="secondary small" disabled=i == 0 on:click=move |_| d.reshape(|f| f.matter_types.swap(i - 1, i))>
                    "Move up"
                </button>
                <button type="button" class="secondary small" disabled=i + 1 == n on:click=move |_| d.reshape(|f| f.matter_types.swap(i, i + 1))>
                    "Move down"
                </button>
                <button type="button" class="secondary small" on:click=move |_| d.reshape(|f| { f.matter_types.remove(i); })>
                    "Remove this matter type"
                </button>
            </div>
        </section>
    }
}

#[component]
fn QuestionEditor(d: Draft, i: usize, j: usize, count: usize) -> impl IntoView {
    let q = d.form.with_value(|f| f.matter_types[i].questions[j].clone());
    let id = move |what: &str| format!("m{i}-q{j}-{what}");
    let with_q = move |g: Box<dyn FnOnce(&mut Question)>| d.edit(|f| g(&mut f.matter_types[i].questions[j]));
    let has_choices = matches!(q.kind, QuestionKind::SingleChoice | QuestionKind::MultipleChoice);
    let lines = |lang: Lang| {
        q.choices.iter().map(|c| c.label.0.get(&lang).cloned().unwrap_or_default()).collect::<Vec<_>>().join("\n")
    };
    view! {
        <fieldset class="question-editor">
            <legend>{format!("Question {}", j + 1)}</legend>
            <div class="pair">
                <TextInput id=id("label-en") label="Question (English)" value=q.label.get(Lang::En).to_owned()
                    on_edit=move |v| with_q(Box::new(move |q| set_text(&mut q.label, Lang::En, v)))/>
                <TextInput id=id("label-es") label="Question (Spanish)" value=q.label.0.get(&Lang::Es).cloned().unwrap_or_default()
                    on_edit=move |v| with_q(Box::new(move |q| set_text(&mut q.label, Lang::Es, v)))/>
            </div>
            <div class="pair">
                <TextInput id=id("help-en") label="Help text (English, optional)" value=q.help.get(Lang::En).to_owned() max=MAX_HELP
                    on_edit=move |v| with_q(Box::new(move |q| set_text(&mut q.help, Lang::En, v)))/>
                <TextInput id=id("help-es") label="Help text (Spanish, optional)" value=q.help.0.get(&Lang::Es).cloned().unwrap_or_default() max=MAX_HELP
                    on_edit=move |v| with_q(Box::new(move |q| set_text(&mut q.help, Lang::Es, v)))/>
            </div>
            <div class="pair">
                <div class="field">
                    <label for=id("kind")>"Answer"</label>
                    <select id=id("kind") on:change=move |ev| {
                        let kind = QuestionKind::parse(&event_target_value(&ev)).unwrap_or(QuestionKind::ShortText);
                        d.reshape(|f| {
                            let q = &mut f.matter_types[i].questions[j];
                            q.kind = kind;
                            if !matches!(kind, QuestionKind::SingleChoice | QuestionKind::MultipleChoice) {
                                q.choices.clear();
                            }
                        });
                    }>
                        {QuestionKind::ALL.into_iter().map(|k| view! {
                            <option value=k.as_str() selected=k == q.kind>{k.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field check">
                    <input type="checkbox" id=id("required") checked=q.required
                        on:change=move |ev| { let on = event_target_checked(&ev); with_q(Box::new(move |q| q.required = on)); }/>
                    <label for=id("required")>"Required"</label>
                </div>
            </div>
            {has_choices.then(|| view! {
                <div class="pair">
                    <TextArea id=id("choices-en") label="Choices (English), one per line" value=lines(Lang::En)
                        on_edit=move |v| with_q(Box::new(move |q| set_choices(q, Lang::En, &v)))/>
                    <TextArea id=id("choices-es") label="Choices (Spanish), in the same order" value=lines(Lang::Es)
                        on_edit=move |v| with_q(Box::new(move |q| set_choices(q, Lang::Es, &v)))/>
                </div>
            })}
            <div class="actions">
                <button type="button" class="secondary small" disabled=j == 0
                    on:click=move |_| d.reshape(|f| f.matter_types[i].questions.swap(j - 1, j))>"Move up"</button>
                <button type="button" class="secondary small" disabled=j + 1 == count
                    on:click=move |_| d.reshape(|f| f.matter_types[i].questions.swap(j, j + 1))>"Move down"</button>
                <button type="button" class="secondary small"
                    on:click=move |_| d.reshape(|f| { f.matter_types[i].questions.remove(j); })>"Remove this question"</button>
            </div>
        </fieldset>
    }
}

/// One language's choices from the lines typed: the n-th line is the n-th
/// choice. A choice keeps its key while its English text is the same.
fn set_choices(q: &mut Question, lang: Lang, text: &str) {
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    if lang == Lang::En {
        let old = std::mem::take(&mut q.choices);
        q.choices = lines
            .iter()
            .enumerate()
            .map(|(n, line)| {
                let kept = old.iter().find(|c| c.label.get(Lang::En) == *line);
                let mut label = old.get(n).map(|c| c.label.clone()).unwrap_or_default();
                set_text(&mut label, Lang::En, (*line).to_owned());
                Choice { key: kept.map(|c| c.key.clone()).unwrap_or_default(), label }
            })
            .collect();
    } else {
        for (n, c) in q.choices.iter_mut().enumerate() {
            set_text(&mut c.label, lang, lines.get(n).map(|l| (*l).to_owned()).unwrap_or_default());
        }
    }
}

#[component]
fn TextInput(
    id: String,
    label: &'static str,
    value: String,
    on_edit: impl Fn(String) + 'static,
    /// Longest text (a name or a question; help text is longer).
    #[prop(default = intake_domain::questions::MAX_LABEL)]
    max: usize,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input id=id type="text" value=value maxlength=max on:input=move |ev| on_edit(event_target_value(&ev))/>
        </div>
    }
}

#[component]
fn TextArea(id: String, label: &'static str, value: String, on_edit: impl Fn(String) + 'static) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <textarea id=id rows="4" on:input=move |ev| on_edit(event_target_value(&ev))>
                {crate::pages::lead::textarea_text(&value)}
            </textarea>
        </div>
    }
}
