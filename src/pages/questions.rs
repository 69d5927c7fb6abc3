//! The firm's questions on the prospect's form: the matter type picker and
//! one field per question, checked as the prospect goes with the same
//! `Question::check` the server runs.

use intake_domain::{
    LeadOrigin, countries,
    i18n::Msg,
    questions::{AnswerError, IntakeForm, Lang, MatterType, Question, QuestionKind, SentAnswers, answer_field},
};
use leptos::{
    either::{Either, EitherOf4},
    prelude::*,
};
use std::collections::{BTreeMap, BTreeSet};

/// The answers' state, shared by the question fields (`Copy`: all signals).
#[derive(Clone, Copy)]
pub struct AnswerState {
    pub values: RwSignal<SentAnswers>,
    touched: RwSignal<BTreeSet<String>>,
    /// The server's verdict per question key, shown until the answer is changed.
    pub server: RwSignal<BTreeMap<String, String>>,
    pub matter: Signal<Option<MatterType>>,
    pub lang: Lang,
    /// A document question's file, at most (the resume's limit).
    max_file_bytes: u64,
    /// A pointer is pressed (on Submit, say): an answer left now shows its
    /// error when the press ends, so the button does not move under it.
    pub pressing: StoredValue<bool>,
    deferred: StoredValue<Vec<String>>,
}

impl AnswerState {
    pub fn new(
        values: SentAnswers,
        server: BTreeMap<String, String>,
        matter: Signal<Option<MatterType>>,
        lang: Lang,
        max_file_bytes: u64,
    ) -> Self {
        Self {
            values: RwSignal::new(values),
            touched: RwSignal::new(BTreeSet::new()),
            server: RwSignal::new(server),
            matter,
            lang,
            max_file_bytes,
            pressing: StoredValue::new(false),
            deferred: StoredValue::new(Vec::new()),
        }
    }

    /// The press ended: the answers left meanwhile show their errors.
    pub fn release(self) {
        let keys = self.deferred.try_update_value(std::mem::take).unwrap_or_default();
        if !keys.is_empty() {
            self.touched.update(|t| t.extend(keys));
        }
    }

    /// The error shown for a question: the server's, or the browser's once it was left.
    pub fn error_for(self, q: &Question) -> Option<String> {
        if let Some(e) = self.server.with(|s| s.get(&q.key).cloned()) {
            return Some(e);
        }
        if !self.touched.with(|t| t.contains(&q.key)) {
            return None;
        }
        self.values
            .with(|v| q.check(v.get(&q.key).map_or(&[][..], Vec::as_slice)))
            .err()
            .map(|e| self.lang.answer_error(&e))
    }

    /// Every question of the chosen matter type counted as left: its errors, by key.
    pub fn check_all(self) -> BTreeMap<String, String> {
        let Some(m) = self.matter.get_untracked() else { return BTreeMap::new() };
        self.touched.update(|t| t.extend(m.questions.iter().map(|q| q.key.clone())));
        m.questions.iter().filter_map(|q| untrack(|| self.error_for(q)).map(|e| (q.key.clone(), e))).collect()
    }

    /// The chosen matter type's questions with an error, in form order: (element id, message).
    pub fn errors_in_order(self) -> Vec<(String, String)> {
        self.matter
            .get()
            .map(|m| m.questions.iter().filter_map(|q| self.error_for(q).map(|e| (answer_field(&q.key), e))).collect())
            .unwrap_or_default()
    }

    fn set(self, key: &str, values: Vec<String>) {
        self.values.update(|v| {
            v.insert(key.to_owned(), values);
        });
        self.server.update(|s| {
            s.remove(key);
        });
    }

    fn toggle(self, key: &str, choice: &str, on: bool) {
        self.values.update(|v| {
            let list = v.entry(key.to_owned()).or_default();
            list.retain(|c| c != choice);
            if on {
                list.push(choice.to_owned());
            }
        });
        self.server.update(|s| {
            s.remove(key);
        });
    }

    fn leave(self, key: &str) {
        if self.pressing.get_value() {
            self.deferred.update_value(|d| d.push(key.to_owned()));
            return;
        }
        self.touched.update(|t| {
            t.insert(key.to_owned());
        });
    }

    fn first(self, key: &str) -> String {
        self.values.with_untracked(|v| v.get(key).and_then(|l| l.first().cloned()).unwrap_or_default())
    }

    fn has(self, key: &str, choice: &str) -> bool {
        self.values.with_untracked(|v| v.get(key).is_some_and(|l| l.iter().any(|c| c == choice)))
    }
}

/// The matter types to choose from (when the firm has more than one). A
/// plain GET form, so it works without JavaScript (`?matter=`); with it, a
/// choice shows its questions at once and the button is not needed.
#[component]
pub fn MatterPicker(
    form: IntakeForm,
    chosen: RwSignal<Option<String>>,
    lang: Lang,
    /// Where the prospect came from, carried through the reload.
    origin: LeadOrigin,
) -> impl IntoView {
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let kept = origin.query();
    let hidden = origin
        .fields()
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| view! { <input type="hidden" name=k value=v.to_owned()/> })
        .collect_view();
    view! {
        <form method="get" action="/" class="matter-picker">
            <fieldset>
                <legend>{lang.text(Msg::MatterLegend)}</legend>
                <input type="hidden" name="lang" value=lang.code()/>
                {hidden}
                {form.matter_types.iter().enumerate().map(|(i, m)| {
                    let key = m.key.clone();
                    // The first carries the id an error links to.
                    let id = if i == 0 { "matter".to_owned() } else { format!("matter-{}", m.key) };
                    let checked = chosen.get_untracked().as_deref() == Some(m.key.as_str());
                    view! {
                        <div class="choice">
                            <input
                                type="radio"
                                name="matter"
                                id=id.clone()
                                value=m.key.clone()
                                checked=checked
                                on:change={
                                    let kept = kept.clone();
                                    move |_| {
                                        chosen.set(Some(key.clone()));
                                        replace_query(lang, &key, &kept);
                                    }
                                }
                            />
                            <label for=id>{m.name.get(lang).to_owned()}</label>
                        </div>
                    }
                }).collect_view()}
            </fieldset>
            <button type="submit" class="secondary" hidden=move || hydrated.get()>{lang.text(Msg::MatterContinue)}</button>
        </form>
    }
}

/// Keeps the choice in the address (with the origin, `kept`), so a reload
/// (or going back) keeps it.
fn replace_query(_lang: Lang, _key: &str, _kept: &str) {
    #[cfg(feature = "hydrate")]
    if let Ok(history) = window().history() {
        let url = match _lang {
            Lang::En => format!("/?matter={_key}{_kept}"),
            other => format!("/?lang={}&matter={_key}{_kept}", other.code()),
        };
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// The chosen matter type's questions, in order.
#[component]
pub fn Questions(answers: AnswerState) -> impl IntoView {
    move || {
        answers.matter.get().map(|m| {
            let lang = answers.lang;
            let items = m.questions.into_iter().map(|q| view! { <QuestionField answers q lang/> }).collect_view();
            view! {
                <input type="hidden" name=intake_domain::questions::MATTER_FIELD value=m.key.clone()/>
                {items}
            }
        })
    }
}

#[component]
fn QuestionField(answers: AnswerState, q: Question, lang: Lang) -> impl IntoView {
    let name = answer_field(&q.key);
    let err_id = format!("{name}-error");
    let mut help = q.help.get(lang).to_owned();
    if q.kind == QuestionKind::Document {
        // The formats and the limit, as the resume's field says them.
        let limit = intake_domain::human_bytes(answers.max_file_bytes);
        let formats = lang.fill(Msg::ResumeHint, &[("formats", lang.text(Msg::ResumeFormats)), ("limit", &limit)]);
        help = if help.is_empty() { formats } else { format!("{help} {formats}") };
    }
    let hint_id = (!help.is_empty()).then(|| format!("{name}-hint"));
    let label = if q.required {
        q.label.get(lang).to_owned()
    } else {
        format!("{} {}", q.label.get(lang), lang.text(Msg::Optional))
    };
    let question = StoredValue::new(q.clone());
    let err = move || question.with_value(|q| answers.error_for(q));
    let described = {
        let (err_id, hint_id) = (err_id.clone(), hint_id.clone());
        move || {
            let ids: Vec<String> = hint_id.iter().cloned().chain(err().map(|_| err_id.clone())).collect();
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let hint = hint_id.clone().map(|id| view! { <p class="hint" id=id>{help.clone()}</p> });
    let error = {
        let err_id = err_id.clone();
        move || err().map(|m| view! { <p class="field-error" id=err_id.clone()>{m}</p> })
    };
    let key = q.key.clone();
    let leave = {
        let key = key.clone();
        move || answers.leave(&key)
    };
    match q.kind {
        QuestionKind::SingleChoice | QuestionKind::MultipleChoice | QuestionKind::YesNo => {
            let multiple = q.kind == QuestionKind::MultipleChoice;
            let options: Vec<(String, String)> = if q.kind == QuestionKind::YesNo {
                vec![("yes".into(), lang.text(Msg::AnswerYes).into()), ("no".into(), lang.text(Msg::AnswerNo).into())]
            } else {
                q.choices.iter().map(|c| (c.key.clone(), c.label.get(lang).to_owned())).collect()
            };
            let items = options
                .into_iter()
                .enumerate()
                .map(|(i, (value, text))| {
                    // The first option carries the question's id: the error summary links to it.
                    let id = if i == 0 { name.clone() } else { format!("{name}--{value}") };
                    let (key, v) = (key.clone(), value.clone());
                    let leave = leave.clone();
                    view! {
                        <div class="choice">
                            <input
                                type=if multiple { "checkbox" } else { "radio" }
                                id=id.clone()
                                name=name.clone()
                                value=value.clone()
                                checked=answers.has(&key, &value)
                                on:change=move |ev| {
                                    if multiple {
                                        answers.toggle(&key, &v, event_target_checked(&ev));
                                    } else {
                                        answers.set(&key, vec![v.clone()]);
                                    }
                                    leave();
                                }
                            />
                            <label for=id>{text}</label>
                        </div>
                    }
                })
                .collect_view();
            Either::Left(view! {
                <fieldset
                    class="field question"
                    class:invalid=move || err().is_some()
                    aria-describedby=described
                >
                    <legend>{label}</legend>
                    {hint}
                    <div class:choices-inline=q.kind == QuestionKind::YesNo>{items}</div>
                    {error}
                </fieldset>
            })
        }
        _ => {
            let on_input = {
                let key = key.clone();
                move |ev: web_sys::Event| answers.set(&key, vec![event_target_value(&ev)])
            };
            let value = answers.first(&key);
            let input = match q.kind {
                QuestionKind::LongText => EitherOf4::A(view! {
                    <textarea
                        id=name.clone()
                        name=name.clone()
                        rows="5"
                        maxlength=intake_domain::questions::MAX_LONG_TEXT
                        aria-invalid=move || err().is_some().then_some("true")
                        aria-describedby=described.clone()
                        on:input=on_input
                        on:blur=move |_| leave()
                    >
                        {crate::pages::lead::textarea_text(&value)}
                    </textarea>
                }),
                QuestionKind::Country => {
                    let list = countries::in_order(lang);
                    let chosen = value.to_ascii_uppercase();
                    EitherOf4::B(view! {
                        <select
                            id=name.clone()
                            name=name.clone()
                            autocomplete="country"
                            aria-invalid=move || err().is_some().then_some("true")
                            aria-describedby=described.clone()
                            on:change=on_input
                            on:blur=move |_| leave()
                        >
                            <option value="">{lang.text(Msg::ChooseCountry)}</option>
                            {list.into_iter().map(|(code, n)| view! {
                                <option value=code selected=chosen == code>{n}</option>
                            }).collect_view()}
                        </select>
                    })
                }
                QuestionKind::Document => {
                    // Sent as a file part of the form; the answer kept in the
                    // state is its name, so a required one is checked here too.
                    let key = key.clone();
                    EitherOf4::C(view! {
                        <input
                            id=name.clone()
                            name=name.clone()
                            type="file"
                            accept=crate::pages::intake_form::RESUME_ACCEPT
                            aria-invalid=move || err().is_some().then_some("true")
                            aria-describedby=described.clone()
                            on:change=move |ev| {
                                let file = crate::pages::intake_form::chosen_file(&ev);
                                let size = file.as_ref().map_or(0, |f| f.size() as u64);
                                answers.set(&key, file.map(|f| vec![f.name()]).unwrap_or_default());
                                if size > answers.max_file_bytes {
                                    // Told now, not after the upload (the server says the same).
                                    let e = AnswerError::FileTooLarge { limit: answers.max_file_bytes };
                                    answers.server.update(|s| _ = s.insert(key.clone(), answers.lang.answer_error(&e)));
                                }
                                leave();
                            }
                        />
                    })
                }
                kind => {
                    let (ty, autocomplete, inputmode, max) = match kind {
                        QuestionKind::Date => ("date", "off", None, None),
                        QuestionKind::Phone => ("tel", "tel", None, Some(40)),
                        QuestionKind::Url => ("url", "url", None, Some(intake_domain::questions::MAX_URL)),
                        QuestionKind::Number => ("text", "off", Some("decimal"), Some(40)),
                        _ => ("text", "off", None, Some(intake_domain::questions::MAX_SHORT_TEXT)),
                    };
                    EitherOf4::D(view! {
                        <input
                            id=name.clone()
                            name=name.clone()
                            type=ty
                            autocomplete=autocomplete
                            inputmode=inputmode
                            maxlength=max
                            value=value
                            aria-invalid=move || err().is_some().then_some("true")
                            aria-describedby=described.clone()
                            on:input=on_input
                            on:blur=move |_| leave()
                        />
                    })
                }
            };
            Either::Right(view! {
                <div class="field question" class:invalid=move || err().is_some()>
                    <label for=name.clone()>{label}</label>
                    {hint}
                    {input}
                    {error}
                </div>
            })
        }
    }
}
