//! `/leads/:id`: one lead, its resume, its history and its emails' delivery.

use crate::{
    api::AddNote, api::AssignLead, api::DecideConflict, api::EditNote, api::EraseLead, api::MarkReachedOut,
    api::error::AppError, api::get_lead, components::internal::CountsStale, components::internal::InternalHeader,
    components::internal::redirect_if_unauthorized, components::internal::use_mark_reached_out,
    components::live::LiveUpdate, components::live::use_live, pages::conflicts::ConflictSection,
    pages::leads::MarkButton,
};
use intake_domain::{
    LeadState, erasure::ErasureReason, erasure::MAX_REFERENCE_CHARS, human_bytes, listing::EmailStatus,
    listing::LeadDetail, listing::is_overdue, notes::MAX_NOTE_CHARS, notes::Note, time::format_utc, time::iso_utc,
    time::relative,
};
use leptos::{form::ActionForm, prelude::*};
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

#[component]
pub fn LeadPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| Uuid::parse_str(&s).ok())));
    let lead = Resource::new(
        move || id.get(),
        |id| async move {
            match id {
                Some(id) => get_lead(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    let stale = CountsStale::provide();
    // Only this lead's events and notes (or a gap) reload the page. The
    // reload updates the elements in place, so an open edit form and what is
    // typed in it stay (the new note's draft is kept in `NoteActions`).
    let live = use_live(
        Callback::new(|_| None),
        Callback::new(move |u| match u {
            LiveUpdate::Event(ev) if Some(ev.lead_id) != id.get_untracked() => {}
            LiveUpdate::Notes(lead_id) if Some(lead_id) != id.get_untracked() => {}
            // A note changes no count.
            LiveUpdate::Notes(_) => lead.refetch(),
            LiveUpdate::Event(_) | LiveUpdate::Gap => {
                stale.bump();
                lead.refetch();
            }
        }),
    );
    let assign = ServerAction::<AssignLead>::new();
    Effect::new(move |_| {
        if assign.value().get().is_some() {
            lead.refetch();
        }
    });
    let (mark, notice) = use_mark_reached_out(Callback::new(move |_| lead.refetch()));
    let notes = NoteActions::new(lead);
    let erase = ServerAction::<EraseLead>::new();
    let decide = ServerAction::<DecideConflict>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = decide.value().get() {
            lead.refetch();
        }
    });
    provide_context(EraseDraft::default());
    // Erased: back to the list (nothing is left to show here).
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(())) = erase.value().get() {
            navigate("/leads", Default::default());
        }
    });
    view! {
        <InternalHeader live/>
        <main class="page wide" id="main">
            <p><a href="/leads">"← All leads"</a></p>
            {move || notice.get().map(|m| view! { <div class="notice" role="alert">{m}</div> })}
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match lead.await {
                        Ok(d) => view! { <Detail d mark notes erase assign decide/> }.into_any(),
                        Err(e) => {
                            redirect_if_unauthorized(&e);
                            #[cfg(feature = "ssr")]
                            if e == AppError::NotFound {
                                crate::server::respond::Respond::set_on_response(&intake_core::error::Error::NotFound("lead"));
                            }
                            view! {
                                <Title text="Lead not found — Intake"/>
                                <div class="notice" role="alert">{e.to_string()}</div>
                            }
                                .into_any()
                        }
                    }
                })}
            </Transition>
        </main>
    }
}

/// The page's note actions, and the note being written: it lives with the
/// page, not in the lead's view, which a live reload may build anew.
#[derive(Clone, Copy)]
struct NoteActions {
    add: ServerAction<AddNote>,
    edit: ServerAction<EditNote>,
    draft: RwSignal<String>,
    /// The notes whose edit form is open. The page opens and closes them (not
    /// the browser), so a live reload leaves them as they were, and a saved
    /// edit closes its form.
    open_edits: RwSignal<Vec<Uuid>>,
}

impl NoteActions {
    /// The actions, with what follows each: a saved edit closes the form (what
    /// other open forms hold stays in them, hidden), a note once added is no
    /// longer a draft, and after either the page is read again.
    fn new(lead: Resource<Result<LeadDetail, AppError>>) -> Self {
        let notes = Self {
            add: ServerAction::new(),
            edit: ServerAction::new(),
            draft: RwSignal::default(),
            open_edits: RwSignal::default(),
        };
        Effect::new(move |_| {
            if let Some(Ok(())) = notes.edit.value().get() {
                notes.open_edits.set(Vec::new());
            }
        });
        Effect::new(move |_| {
            if let Some(Ok(())) = notes.add.value().get() {
                notes.draft.set(String::new());
            }
        });
        // Not on the first run: only after an action.
        Effect::new(move |first: Option<()>| {
            notes.add.version().track();
            notes.edit.version().track();
            if first.is_some() {
                lead.refetch();
            }
        });
        notes
    }
}

#[component]
fn Detail(
    d: LeadDetail,
    mark: ServerAction<MarkReachedOut>,
    notes: NoteActions,
    erase: ServerAction<EraseLead>,
    assign: ServerAction<AssignLead>,
    decide: ServerAction<DecideConflict>,
) -> impl IntoView {
    provide_context(notes);
    let l = d.lead.clone();
    let name = format!("{} {}", l.first_name, l.last_name);
    let resume_href = format!("/leads/{}/resume", l.id);
    let is_pdf = l.resume_content_type.as_deref() == Some("application/pdf");
    let pending = l.state == LeadState::Pending;
    view! {
        <Title text=format!("{name} — Intake")/>
        <div class="page-head">
            <h1>{name.clone()}</h1>
            <span class="badges">
                <span class="badge" class:badge-pending=pending class:badge-done=!pending data-state=l.state.as_str()>
                    {l.state.label()}
                </span>
                {is_overdue(&l, d.follow_up_ms, d.now_ms).then(|| view! { <span class="badge badge-overdue">"Overdue"</span> })}
                {l.conflict.badge().map(|b| view! { <span class="flag" data-conflict=l.conflict.as_str()>{b}</span> })}
            </span>
        </div>
        <section class="card">
            <Facts d=d.clone()/>
            <div class="actions">
                {l.resume_file_name.clone().map(|file| view! {
                    <a class="button secondary" href=resume_href.clone() download=file rel="external">
                        "Download resume"
                    </a>
                })}
                {pending.then(|| view! { <MarkButton id=l.id mark/> })}
            </div>
            <AssignForm d=d.clone() assign/>
        </section>
        {d.answers.clone().map(|a| view! { <AnswersSection a lead=l.id/> })}
        <ConflictSection d=d.clone() decide/>
        {is_pdf.then(|| view! {
            <section class="card preview-card">
                <h2>"Resume preview"</h2>
                <iframe class="preview" src=format!("{resume_href}?inline=1") title="Resume preview"></iframe>
            </section>
        })}
        <section class="card">
            <h2>"History"</h2>
            <ol class="history">
                {timeline(&d)}
            </ol>
            <NoteForm lead=l.id notes/>
        </section>
        <section class="card">
            <h2>"Emails"</h2>
            {deliveries(&d.emails, "Message", "To", |kind| match kind {
                "prospect_confirmation" => "Confirmation to the prospect".into(),
                "attorney_notification" => "Notification to attorneys".into(),
                "assignment" => "Assignment to an attorney".into(),
                other => other.into(),
            })}
        </section>
        {(!d.webhooks.is_empty()).then(|| view! {
            <section class="card">
                <h2>"Webhooks"</h2>
                {deliveries(&d.webhooks, "Event", "Endpoint", |kind| kind.into())}
            </section>
        })}
        {d.can_erase.then(|| view! { <EraseForm id=l.id erase/> })}
    }
}

/// The firm's questions as the prospect saw them, and the answers
/// (long text keeps its line breaks: see `.answer` in the style sheet).
#[component]
fn AnswersSection(a: intake_domain::questions::LeadAnswers, lead: uuid::Uuid) -> impl IntoView {
    let lang = (a.lang != intake_domain::questions::Lang::En).then(|| format!(", in {}", a.lang.english_name()));
    let title = a.matter_type.as_ref().map_or_else(|| "Intake form".to_owned(), |m| format!("Matter: {m}"));
    let consent = a.notice.then(|| match a.consent_at {
        Some(at) => view! {
            <dt>"Privacy notice"</dt>
            <dd data-consent="agreed">"Agreed at " <time datetime=iso_utc(at)>{format_utc(at)}</time></dd>
        }
        .into_any(),
        None => view! {
            <dt>"Privacy notice"</dt>
            <dd data-consent="none">"Not agreed"</dd>
        }
        .into_any(),
    });
    view! {
        <section class="card" aria-labelledby="answers-title">
            <h2 id="answers-title">{title}</h2>
            <p class="muted">{format!("Answered on version {} of the intake form{}.", a.form_version, lang.unwrap_or_default())}</p>
            <dl class="facts answers">
                {a.answers.into_iter().map(|x| view! {
                    <dt>{x.question}</dt>
                    <dd class="answer">
                        {match x.document {
                            // A file sent for a document question: its name downloads it.
                            Some(key) => view! {
                                <a href=format!("/leads/{lead}/documents/{key}") download=x.answer.clone() rel="external">
                                    {x.answer.clone()}
                                </a>
                            }
                                .into_any(),
                            None => x.answer.into_any(),
                        }}
                    </dd>
                }).collect_view()}
                {consent}
            </dl>
        </section>
    }
}

/// What is known of the lead: contact, dates, state, owner, origin, resume.
#[component]
fn Facts(d: LeadDetail) -> impl IntoView {
    let l = d.lead.clone();
    view! {
        <dl class="facts">
            <dt>"Email"</dt>
            <dd><a href=format!("mailto:{}", l.email)>{l.email.clone()}</a></dd>
            <dt>"Submitted"</dt>
            <dd>
                <time datetime=iso_utc(l.created_at)>{format_utc(l.created_at)}</time>
                {format!(" ({})", relative(l.created_at, d.now_ms))}
            </dd>
            <dt>"State"</dt>
            <dd>
                {l.state.label()}
                {l.reached_out_by.clone().map(|b| format!(" by {b}"))}
                {l.reached_out_at.map(|t| format!(" at {}", format_utc(t)))}
            </dd>
            <dt>"Assigned to"</dt>
            <dd data-assignee=l.assignee.as_ref().map(|a| a.name.clone()).unwrap_or_default()>
                {match l.assignee.clone() {
                    Some(a) => view! { <span>{a.name}</span> }.into_any(),
                    None => view! { <span class="muted">"Nobody yet"</span> }.into_any(),
                }}
            </dd>
            {(!l.origin.is_empty()).then(|| {
                let o = l.origin.clone();
                let tags = [("source", o.utm_source), ("medium", o.utm_medium), ("campaign", o.utm_campaign)]
                    .into_iter()
                    .filter_map(|(k, v)| v.map(|v| format!("{k}: {v}")))
                    .collect::<Vec<_>>()
                    .join(", ");
                view! {
                    <dt>"Came from"</dt>
                    <dd class="origin">
                        {(!tags.is_empty()).then(|| view! { <span>{tags}</span> })}
                        {o.referrer.map(|r| view! { <span class="muted">{format!("referred by {r}")}</span> })}
                    </dd>
                }
            })}
            <dt>"Resume"</dt>
            <dd>
                {match (l.resume_file_name.clone(), l.resume_content_type.clone(), d.resume_size, d.resume_sha256.clone()) {
                    (Some(file), Some(kind), Some(size), Some(sha)) => view! {
                        {format!("{file} ({}, {})", human_bytes(size as u64), short_type(&kind))}
                        <br/>
                        <small class="muted mono" title="SHA-256">{sha}</small>
                    }
                        .into_any(),
                    _ => view! { <span class="muted">"None sent (optional for this matter type)"</span> }.into_any(),
                }}
            </dd>
        </dl>
    }
}

/// The state changes and the notes, oldest first.
fn timeline(d: &LeadDetail) -> Vec<AnyView> {
    let mut entries: Vec<(i64, AnyView)> = d
        .history
        .iter()
        .map(|h| {
            let by = || h.by.clone().unwrap_or_else(|| "an attorney".into());
            let what = if h.resubmitted {
                "Submitted again by the prospect (no new lead; they were emailed that nothing more is needed)"
                    .to_string()
            } else if h.created {
                "Submitted by the prospect".to_string()
            } else if let Some(c) = h.conflict {
                crate::pages::conflicts::history_text(c, h.by.as_deref(), h.note.as_deref())
            } else if let Some(to) = &h.assigned {
                match (to, &h.by) {
                    (Some(to), None) => format!("Assigned to {to} in turn (round robin)"),
                    (Some(to), Some(_)) => format!("Assigned to {to} by {}", by()),
                    (None, _) => format!("Unassigned by {}", by()),
                }
            } else {
                format!(
                    "Marked {} by {}",
                    h.state.label().to_ascii_lowercase(),
                    h.by.clone().unwrap_or_else(|| "an attorney".into())
                )
            };
            (h.at, view! { <li><time datetime=iso_utc(h.at)>{format_utc(h.at)}</time>" — "{what}</li> }.into_any())
        })
        .collect();
    entries.extend(d.notes.iter().cloned().map(|n| (n.created_at, view! { <NoteEntry n/> }.into_any())));
    entries.sort_by_key(|(at, _)| *at);
    entries.into_iter().map(|(_, v)| v).collect()
}

#[component]
fn NoteEntry(n: Note) -> impl IntoView {
    let actions = use_context::<NoteActions>();
    let edit = actions.map(|a| a.edit);
    let id = n.id;
    let is_open = move || actions.is_some_and(|a| a.open_edits.with(|o| o.contains(&id)));
    let toggle = move |ev: leptos::ev::MouseEvent| {
        if let Some(a) = actions {
            ev.prevent_default();
            a.open_edits.update(|o| {
                if o.contains(&id) {
                    o.retain(|x| *x != id);
                } else {
                    o.push(id);
                }
            });
        }
    };
    view! {
        <li class="note" data-note-id=n.id.to_string()>
            <time datetime=iso_utc(n.created_at)>{format_utc(n.created_at)}</time>
            {format!(" — Note by {}", n.author)}
            {n.edited_at.map(|t| view! { <span class="muted">{format!(" (edited {})", format_utc(t))}</span> })}
            <p class="note-body">{n.body.clone()}</p>
            {(n.editable).then(|| edit.map(|edit| view! {
                <details class="note-edit" prop:open=is_open>
                    <summary on:click=toggle>"Edit"</summary>
                    <ActionForm action=edit>
                        <input type="hidden" name="id" value=n.id.to_string()/>
                        <label class="visually-hidden" for=format!("edit-{}", n.id)>"Edit note"</label>
                        <textarea id=format!("edit-{}", n.id) name="body" rows="3" maxlength=MAX_NOTE_CHARS required>{textarea_text(&n.body)}</textarea>
                        <button type="submit" class="secondary small">"Save note"</button>
                    </ActionForm>
                </details>
            }))}
        </li>
    }
}

/// Tachys writes a `<textarea>`'s children unescaped on the server (as it
/// does `<script>`'s), so a note holding `</textarea>` would end the element
/// and inject markup: escape it there. The browser decodes the entities, so
/// the text the client hydrates is the text as typed.
pub(crate) fn textarea_text(s: &str) -> String {
    #[cfg(feature = "ssr")]
    return intake_core::mail::escape_html(s);
    #[cfg(not(feature = "ssr"))]
    s.to_owned()
}

#[component]
fn NoteForm(lead: Uuid, notes: NoteActions) -> impl IntoView {
    let busy = notes.add.pending();
    let failure =
        move || [notes.add.value().get(), notes.edit.value().get()].into_iter().flatten().find_map(Result::err);
    view! {
        {move || failure().map(|e| {
            redirect_if_unauthorized(&e);
            view! { <div class="field-error" role="alert">{e.to_string()}</div> }
        })}
        <ActionForm action=notes.add>
            <input type="hidden" name="lead" value=lead.to_string()/>
            <div class="field">
                <label for="note">"Add a note"</label>
                <textarea
                    id="note"
                    name="body"
                    rows="3"
                    maxlength=MAX_NOTE_CHARS
                    required
                    placeholder="Called, left a voicemail…"
                    prop:value=move || notes.draft.get()
                    on:input=move |ev| notes.draft.set(event_target_value(&ev))
                ></textarea>
            </div>
            <button type="submit" class="secondary" aria-disabled=move || busy.get().then_some("true")>"Add note"</button>
        </ActionForm>
    }
}

/// Who works the lead: "Assign to me", or to a colleague, or to nobody. The
/// form says whom the attorney saw holding it, so a colleague's assignment
/// made meanwhile is reported instead of overwritten.
#[component]
fn AssignForm(d: LeadDetail, assign: ServerAction<AssignLead>) -> impl IntoView {
    let id = d.lead.id.to_string();
    let current = d.lead.assignee.as_ref().map(|a| a.id);
    let expected = current.map(|c| c.to_string()).unwrap_or_default();
    let busy = assign.pending();
    let mine = d.viewer.is_some() && current == d.viewer;
    let me = d.viewer.map(|v| v.to_string()).unwrap_or_default();
    view! {
        {move || assign.value().get().and_then(Result::err).map(|e| {
            redirect_if_unauthorized(&e);
            view! { <div class="field-error" role="alert">{e.to_string()}</div> }
        })}
        <div class="assign">
            {(!mine && d.viewer.is_some()).then(|| {
                let (id, expected) = (id.clone(), expected.clone());
                view! {
                    <ActionForm action=assign>
                        <input type="hidden" name="id" value=id/>
                        <input type="hidden" name="expected" value=expected/>
                        <input type="hidden" name="to" value=me/>
                        <button type="submit" class="secondary" aria-disabled=move || busy.get().then_some("true")>
                            "Assign to me"
                        </button>
                    </ActionForm>
                }
            })}
            <ActionForm action=assign attr:class="assign-other">
                <input type="hidden" name="id" value=id/>
                <input type="hidden" name="expected" value=expected/>
                <label for="assign-to">"Assign to"</label>
                <select id="assign-to" name="to">
                    <option value="" selected=current.is_none()>"Nobody"</option>
                    {d.colleagues.iter().map(|c| {
                        view! { <option value=c.id.to_string() selected=current == Some(c.id)>{c.name.clone()}</option> }
                    }).collect_view()}
                </select>
                <button type="submit" class="secondary" aria-disabled=move || busy.get().then_some("true")>"Assign"</button>
            </ActionForm>
        </div>
    }
}

/// For administrators: erase the lead for good, with a reason for the audit trail.
/// What is chosen in the erase form: it lives with the page, not in the
/// lead's view, which a live reload (an email sent, an assignment) may build
/// anew while an administrator fills the form in.
#[derive(Clone, Copy, Default)]
struct EraseDraft {
    reason: RwSignal<String>,
    reference: RwSignal<String>,
    confirmed: RwSignal<bool>,
}

#[component]
fn EraseForm(id: Uuid, erase: ServerAction<EraseLead>) -> impl IntoView {
    let busy = erase.pending();
    let draft = expect_context::<EraseDraft>();
    view! {
        <section class="card danger-zone" aria-labelledby="erase-title">
            <h2 id="erase-title">"Erase this lead"</h2>
            <p class="hint">
                "Deletes the prospect's details, resume, notes, history and emails for good, for example when they ask. "
                "Only the lead's id, who erased it, when and why are kept: a reason from the list and, if you wish, "
                "the request's or ticket's number (never the person's name)."
            </p>
            {move || erase.value().get().and_then(Result::err).map(crate::components::internal::error_alert)}
            <ActionForm action=erase>
                <input type="hidden" name="id" value=id.to_string()/>
                <div class="field">
                    <label for="erase-reason">"Reason"</label>
                    <select id="erase-reason" name="reason" required
                        on:change=move |ev| draft.reason.set(event_target_value(&ev))>
                        <option value="">"Choose a reason…"</option>
                        {ErasureReason::CHOICES.map(|r| view! {
                            <option value=r.as_str() selected=move || draft.reason.with(|v| v == r.as_str())>{r.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="erase-reference">"Reference (optional)"</label>
                    <input id="erase-reference" name="reference" type="text" maxlength=MAX_REFERENCE_CHARS autocomplete="off"
                        placeholder="REQ-2024-117" aria-describedby="erase-reference-hint"
                        prop:value=move || draft.reference.get()
                        on:input=move |ev| draft.reference.set(event_target_value(&ev))/>
                    <p class="hint" id="erase-reference-hint">"A request or ticket number, needed for \"Other\": at most 4 letters, then digits and -_./#:."</p>
                </div>
                <div class="field check">
                    <input type="checkbox" id="erase-confirm" required
                        prop:checked=move || draft.confirmed.get()
                        on:change=move |ev| draft.confirmed.set(event_target_checked(&ev))/>
                    <label for="erase-confirm">"I understand that this cannot be undone"</label>
                </div>
                <button type="submit" class="danger" aria-disabled=move || busy.get().then_some("true")>"Erase permanently"</button>
            </ActionForm>
        </section>
    }
}

/// A delivery table: emails, or webhook deliveries.
fn deliveries(
    rows: &[EmailStatus],
    what: &'static str,
    to: &'static str,
    label: fn(&str) -> String,
) -> impl IntoView + use<> {
    view! {
        <div class="table-wrap">
            <table class="emails stack">
                <thead>
                    <tr>
                        <th scope="col">{what}</th>
                        <th scope="col">{to}</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Attempts"</th>
                        <th scope="col">"Details"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.iter().map(|m| {
                        let status = match (m.status.as_str(), m.attempts) {
                            ("SENT", _) => "Sent",
                            ("FAILED", _) => "Failed",
                            (_, 0) => "Queued",
                            _ => "Retrying",
                        };
                        let details = match (&m.sent_at, &m.last_error) {
                            (Some(t), _) => format!("sent {}", format_utc(*t)),
                            (None, Some(e)) => format!("last error: {e}"),
                            _ => String::new(),
                        };
                        view! {
                            <tr data-email-kind=m.kind.clone()>
                                <td data-label=what>{label(&m.kind)}</td>
                                <td data-label=to class="email">{m.recipients.clone()}</td>
                                <td data-label="Status">{status}</td>
                                <td data-label="Attempts">{m.attempts}</td>
                                <td data-label="Details">{details}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

fn short_type(mime: &str) -> &'static str {
    match mime {
        "application/pdf" => "PDF",
        "application/msword" => "Word (DOC)",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => "Word (DOCX)",
        "application/vnd.oasis.opendocument.text" => "OpenDocument",
        "application/rtf" => "RTF",
        _ => "Text",
    }
}
