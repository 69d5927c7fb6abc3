//! `/leads`: every lead, newest first, filtered and searched through the URL,
//! updated live.

use crate::{
    api::MarkReachedOut, api::error::AppError, api::list_leads, api::view_choices, components::internal::CountsStale,
    components::internal::InternalHeader, components::internal::redirect_if_unauthorized,
    components::internal::use_mark_reached_out, components::live::Live, components::live::LiveUpdate,
    components::live::use_live,
};
use intake_domain::{
    LeadState, conflict::ConflictStatus, filter::LeadFilter, filter::Owner, filter::state_param,
    listing::FilterChoices, listing::LeadPage, listing::LeadSummary, listing::SEARCH_COUNT_CAP, listing::is_overdue,
    live::LiveEvent, live::LiveEventKind, live::Patch, time::format_utc, time::iso_utc, time::relative,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use std::collections::VecDeque;

/// Events kept for a page that is loading; a page older than the ones
/// dropped beyond this is fetched again.
const RECENT_EVENTS: usize = 1000;

#[component]
pub fn LeadsPage() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| query.with(|q| LeadFilter::from_query(|k| q.get_str(k))));
    let leads = Resource::new(move || filter.get(), list_leads);
    let choices = Resource::new(|| (), |_| view_choices());
    let stale = CountsStale::provide();
    refetch_when_overdue_changes(leads, filter);
    let live = patch_live(leads, filter, stale);
    let (mark, notice) = use_mark_reached_out(Callback::new(move |_| leads.refetch()));

    view! {
        <Title text="Leads — Intake"/>
        <InternalHeader live/>
        <main class="page wide" id="main">
            <div class="page-head">
                <h1>"Leads"</h1>
                <FilterForm filter choices/>
            </div>
            {move || notice.get().map(|m| view! { <div class="notice" role="alert">{m}</div> })}
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match leads.await {
                        Err(e) => {
                            redirect_if_unauthorized(&e);
                            view! { <div class="notice" role="alert">{e.to_string()}</div> }.into_any()
                        }
                        Ok(page) => {
                            // Names for the rows' matter types (keys alone if they cannot be read).
                            let choices = choices.await.unwrap_or_default();
                            view! { <LeadTable page filter=filter.get_untracked() choices mark/> }.into_any()
                        }
                    }
                })}
            </Transition>
        </main>
    }
}

/// Live events patch the page in place (see `LeadPage::apply`); events that
/// arrive while a page loads wait and are applied to it. Returns the live status.
fn patch_live(
    leads: Resource<Result<LeadPage, AppError>>,
    filter: Memo<LeadFilter>,
    stale: CountsStale,
) -> ReadSignal<Live> {
    let recent = StoredValue::new(VecDeque::<LiveEvent>::new());
    // The newest event dropped from `recent`: a page older than it cannot catch up.
    let dropped = StoredValue::new(0i64);
    let shown_as_of =
        move || leads.with_untracked(|p| p.as_ref().and_then(|p| p.as_ref().ok()).map(|p: &LeadPage| p.as_of));
    let catch_up = move || {
        let Some(as_of) = shown_as_of() else { return };
        if as_of < dropped.get_value() {
            dropped.set_value(0);
            leads.refetch();
            return;
        }
        let pending: Vec<LiveEvent> = recent.with_value(|r| r.iter().filter(|e| e.id > as_of).cloned().collect());
        if pending.is_empty() {
            return;
        }
        let f = filter.get_untracked();
        let mut refetch = false;
        leads.update(|p| {
            if let Some(Ok(page)) = p {
                for ev in &pending {
                    refetch |= page.apply(&f, ev) == Patch::Refetch;
                }
            }
        });
        if refetch {
            leads.refetch();
        }
    };
    Effect::new(move |_| {
        leads.track();
        catch_up();
    });
    use_live(
        Callback::new(move |_| shown_as_of()),
        Callback::new(move |u| match u {
            LiveUpdate::Event(ev) => {
                if ev.kind != LiveEventKind::Created {
                    stale.bump();
                }
                recent.update_value(|r| {
                    r.push_back(*ev);
                    if r.len() > RECENT_EVENTS
                        && let Some(old) = r.pop_front()
                    {
                        dropped.set_value(old.id);
                    }
                });
                catch_up();
            }
            // The list shows no notes.
            LiveUpdate::Notes(_) => {}
            LiveUpdate::Gap => {
                stale.bump();
                recent.update_value(VecDeque::clear);
                dropped.set_value(0);
                leads.refetch();
            }
        }),
    )
}

/// One page of leads: the count, the table and the pager.
#[component]
fn LeadTable(
    page: LeadPage,
    filter: LeadFilter,
    choices: FilterChoices,
    mark: ServerAction<MarkReachedOut>,
) -> impl IntoView {
    let choices = StoredValue::new(choices);
    let f = filter;
    let (now, follow_up, total) = (page.now_ms, page.follow_up_ms, page.total);
    let empty = page.rows.is_empty();
    let rows = page.rows;
    let busy = mark.pending();
    view! {
        <p class="count" data-total=total>
            {if !f.q.is_empty() && total > SEARCH_COUNT_CAP {
                "1000+ leads".to_string()
            } else {
                format!("{total} lead{}", if total == 1 { "" } else { "s" })
            }}
            {(!f.q.is_empty()
                || f.state.is_some()
                || f.source.is_some()
                || f.owner.is_some()
                || f.conflict.is_some()
                || f.matter.is_some())
                .then_some(if total == 1 { " matches this view" } else { " match this view" })}
        </p>
        {empty.then(|| view! { <p class="empty">"No leads match this view."</p> })}
        <div class="table-wrap">
            // The rows' "Mark reached out" forms are plain forms (they post
            // without JavaScript); one handler here sends them as actions. An
            // `ActionForm` per row was 6% of the page's CPU (issue 22 profile).
            <table class="leads stack" aria-busy=move || busy.get().then_some("true") on:submit=move |ev| submit_mark(ev, mark)>
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Email"</th>
                        <th scope="col">"State"</th>
                        <th scope="col">"Submitted"</th>
                        <th scope="col">"Assigned to"</th>
                        <th scope="col">"Resume"</th>
                        <th scope="col"><span class="visually-hidden">"Action"</span></th>
                    </tr>
                </thead>
                <tbody>
                    // Keyed, so a row keeps its element (and the keyboard focus or
                    // pointer on it) while live leads are inserted above it; a row whose
                    // state changes is drawn again.
                    <For
                        each=move || rows.clone()
                        key=move |l| (l.id, l.state.as_str(), l.assignee.clone(), is_overdue(l, follow_up, now), l.conflict)
                        let:lead
                    >
                        <LeadRow
                            matter=lead.matter_type.as_deref().map(|k| choices.with_value(|c| c.matter_name(k).to_owned()))
                            lead
                            now
                            follow_up
                        />
                    </For>
                </tbody>
            </table>
        </div>
        <nav class="pager" aria-label="Pages">
            {page.newer.map(|n| view! { <a href=f.href(None, Some(n)) rel="prev">"← Newer"</a> })}
            {page.older.map(|o| view! { <a href=f.href(Some(o), None) rel="next">"Older →"</a> })}
        </nav>
    }
}

/// Leads become overdue with time alone, not through an event: the page is
/// read again when the first of its rows passes its deadline, and every
/// minute in the overdue view (which others join).
///
/// Live events patch the page without changing its `now_ms` (the server's
/// clock when it was read), so the wait is measured from the server's time
/// now, estimated from when the page was read: a patch that arrives later
/// must not push the re-check past the deadline.
#[allow(unused_variables)]
fn refetch_when_overdue_changes(leads: Resource<Result<LeadPage, AppError>>, filter: Memo<LeadFilter>) {
    #[cfg(feature = "hydrate")]
    {
        let generation = StoredValue::new(0u64);
        // (the page's server time, the browser's time when it arrived)
        let read_at = StoredValue::new((0i64, 0f64));
        Effect::new(move |_| {
            let Some(Ok(page)) = leads.get() else { return };
            if page.follow_up_ms.is_none() {
                return;
            }
            if read_at.get_value().0 != page.now_ms {
                read_at.set_value((page.now_ms, js_sys::Date::now()));
            }
            let (server_then, browser_then) = read_at.get_value();
            let server_now = server_then + (js_sys::Date::now() - browser_then).max(0.0) as i64;
            let next = page.next_deadline_in(server_now);
            let wait = match (filter.get_untracked().overdue, next) {
                (true, n) => n.unwrap_or(60_000).min(60_000),
                (false, Some(n)) => n,
                (false, None) => return,
            };
            generation.update_value(|g| *g += 1);
            let mine = generation.get_value();
            set_timeout(
                move || {
                    if generation.try_get_value() == Some(mine) {
                        leads.refetch();
                    }
                },
                // Just after the deadline; a refetched page leaves that row out of the next wait.
                std::time::Duration::from_millis(wait.clamp(0, 24 * 3_600_000) as u64 + 250),
            );
        });
    }
}

#[component]
fn FilterForm(filter: Memo<LeadFilter>, choices: Resource<Result<FilterChoices, AppError>>) -> impl IntoView {
    let f = filter.get_untracked();
    let selected = move |s: Option<LeadState>| filter.with(|f| f.state == s && !f.overdue);
    let owner_is = move |o: Option<Owner>| filter.with(|f| f.owner == o);
    let conflict_is = move |c: Option<ConflictStatus>| filter.with(|f| f.conflict == c);
    view! {
        <form method="get" action="/leads" class="filters" role="search">
            <div class="field inline">
                <label for="q">"Search"</label>
                <input
                    id="q"
                    name="q"
                    type="search"
                    placeholder="Name, email, phone…"
                    title="Searches names, emails, and short-text and phone answers"
                    value=f.q.clone()
                />
            </div>
            <div class="field inline">
                <label for="state">"State"</label>
                <select id="state" name="state">
                    <option value="" selected=move || selected(None)>"All"</option>
                    <option value=state_param(LeadState::Pending) selected=move || selected(Some(LeadState::Pending))>"Pending"</option>
                    <option value="overdue" selected=move || filter.with(|f| f.overdue)>"Overdue"</option>
                    <option value=state_param(LeadState::ReachedOut) selected=move || selected(Some(LeadState::ReachedOut))>"Reached out"</option>
                </select>
            </div>
            <div class="field inline">
                <label for="owner">"Assigned to"</label>
                <select id="owner" name="owner">
                    <option value="" selected=move || owner_is(None)>"Anyone"</option>
                    <option value=Owner::Me.param() selected=move || owner_is(Some(Owner::Me))>"Me"</option>
                    <option value=Owner::Nobody.param() selected=move || owner_is(Some(Owner::Nobody))>"Nobody"</option>
                </select>
            </div>
            <div class="field inline">
                <label for="conflict">"Conflicts"</label>
                <select id="conflict" name="conflict">
                    <option value="" selected=move || conflict_is(None)>"Any"</option>
                    {[(ConflictStatus::Possible, "Possible conflict"), (ConflictStatus::Conflict, "Conflict"),
                      (ConflictStatus::Cleared, "Cleared"), (ConflictStatus::Clear, "No match")]
                        .into_iter()
                        .map(|(c, label)| view! {
                            <option value=c.as_str() selected=move || conflict_is(Some(c))>{label}</option>
                        })
                        .collect_view()}
                </select>
            </div>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let FilterChoices { sources: mut list, mut matter_types } = choices.await.unwrap_or_default();
                    let current = filter.with_untracked(|f| f.source.clone());
                    if let Some(c) = &current && !list.contains(c) {
                        list.insert(0, c.clone());
                    }
                    let matter = filter.with_untracked(|f| f.matter.clone());
                    if let Some(m) = &matter && !matter_types.iter().any(|(k, _)| k == m) {
                        matter_types.insert(0, (m.clone(), m.clone()));
                    }
                    let matters = (!matter_types.is_empty()).then(|| view! {
                        <div class="field inline">
                            <label for="matter">"Matter type"</label>
                            <select id="matter" name="matter">
                                <option value="" selected=matter.is_none()>"All"</option>
                                {matter_types.into_iter().map(|(key, name)| {
                                    let selected = matter.as_ref() == Some(&key);
                                    view! { <option value=key selected=selected>{name}</option> }
                                }).collect_view()}
                            </select>
                        </div>
                    });
                    let sources = (!list.is_empty()).then(|| view! {
                        <div class="field inline">
                            <label for="source">"Source"</label>
                            <select id="source" name="source">
                                <option value="" selected=current.is_none()>"All"</option>
                                {list.into_iter().map(|s| {
                                    let selected = current.as_ref() == Some(&s);
                                    let label = s.clone();
                                    view! { <option value=s selected=selected>{label}</option> }
                                }).collect_view()}
                            </select>
                        </div>
                    });
                    view! { {matters} {sources} }
                })}
            </Suspense>
            <button type="submit" class="secondary">"Apply"</button>
            <a class="button secondary" href=move || filter.with(LeadFilter::export_href) download="" rel="external">
                "Export CSV"
            </a>
        </form>
    }
}

/// A row's "Mark reached out" form, submitted: dispatched as the page's
/// action (once at a time), instead of the browser's own post.
fn submit_mark(ev: leptos::ev::SubmitEvent, mark: ServerAction<MarkReachedOut>) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let id = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
            .and_then(|f| f.query_selector("input[name=id]").ok().flatten())
            .and_then(|i| i.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|i| uuid::Uuid::parse_str(&i.value()).ok());
        let Some(id) = id else { return };
        ev.prevent_default();
        if !mark.pending().get_untracked() {
            mark.dispatch(MarkReachedOut { id });
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (ev, mark);
}

#[component]
fn LeadRow(lead: LeadSummary, matter: Option<String>, now: i64, follow_up: Option<i64>) -> impl IntoView {
    let name = format!("{} {}", lead.first_name, lead.last_name);
    let href = format!("/leads/{}", lead.id);
    let pending = lead.state == LeadState::Pending;
    let overdue = is_overdue(&lead, follow_up, now);
    let mark_url = <MarkReachedOut as server_fn::ServerFn>::url();
    let created = format_utc(lead.created_at);
    view! {
        <tr data-lead-id=lead.id.to_string() data-state=lead.state.as_str()>
            <td data-label="Name">
                <a href=href.clone()>{name}</a>
                {matter.map(|m| view! { <span class="matter">{m}</span> })}
            </td>
            <td data-label="Email" class="email">{lead.email.clone()}</td>
            <td data-label="State">
                <span class="badge" class:badge-pending=pending class:badge-done=!pending>{lead.state.label()}</span>
                {overdue.then(|| view! { <span class="badge badge-overdue">"Overdue"</span> })}
                {lead.conflict.badge().map(|b| view! {
                    <span class="flag" data-conflict=lead.conflict.as_str()>{b}</span>
                })}
            </td>
            <td data-label="Submitted">
                <time datetime=iso_utc(lead.created_at) title=created.clone()>{relative(lead.created_at, now)}</time>
                <span class="abs">{created}</span>
            </td>
            <td data-label="Assigned to" class="assignee">
                {match lead.assignee.clone() {
                    Some(a) => view! { <span>{a.name}</span> }.into_any(),
                    None => view! { <span class="muted">"Nobody"</span> }.into_any(),
                }}
            </td>
            <td data-label="Resume">
                {match lead.resume_file_name.clone() {
                    Some(file) => view! {
                        <a href=format!("{href}/resume") download=file.clone() rel="external">{file.clone()}</a>
                    }
                        .into_any(),
                    None => view! { <span class="muted">"None"</span> }.into_any(),
                }}
            </td>
            <td data-label="Action">
                {if pending {
                    view! {
                        <form method="post" action=mark_url>
                            <input type="hidden" name="id" value=lead.id.to_string()/>
                            <button type="submit" class="secondary small">"Mark reached out"</button>
                        </form>
                    }
                        .into_any()
                } else {
                    view! {
                        <span class="muted">
                            {lead.reached_out_by.clone().map(|b| format!("by {b}")).unwrap_or_default()}
                        </span>
                    }
                        .into_any()
                }}
            </td>
        </tr>
    }
}

/// The "Mark reached out" button: an action form, so it also works without JavaScript.
#[component]
pub fn MarkButton(id: uuid::Uuid, mark: ServerAction<MarkReachedOut>) -> impl IntoView {
    let busy = mark.pending();
    view! {
        <leptos::form::ActionForm action=mark>
            <input type="hidden" name="id" value=id.to_string()/>
            <button type="submit" class="secondary small" aria-disabled=move || busy.get().then_some("true")>
                "Mark reached out"
            </button>
        </leptos::form::ActionForm>
    }
}
