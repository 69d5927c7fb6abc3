//! `/leads/:id`: one lead, its resume, its history and its emails' delivery.

use crate::{
    api::{MarkReachedOut, get_lead},
    components::{
        internal::{InternalHeader, redirect_if_unauthorized, use_mark_reached_out},
        live::{LiveUpdate, use_live},
    },
    domain::{
        LeadState,
        dashboard::{AppError, LeadDetail},
        human_bytes,
        time::{format_utc, iso_utc, relative},
    },
    pages::leads::MarkButton,
};
use leptos::prelude::*;
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
    // Only this lead's events (or a gap) reload the page.
    let live = use_live(
        Callback::new(|_| None),
        Callback::new(move |u| match u {
            LiveUpdate::Event(ev) if Some(ev.lead_id) != id.get_untracked() => {}
            _ => lead.refetch(),
        }),
    );
    let (mark, notice) = use_mark_reached_out(Callback::new(move |_| lead.refetch()));
    view! {
        <InternalHeader live/>
        <main class="page wide" id="main">
            <p><a href="/leads">"← All leads"</a></p>
            {move || notice.get().map(|m| view! { <div class="notice" role="alert">{m}</div> })}
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match lead.await {
                        Ok(d) => view! { <Detail d mark/> }.into_any(),
                        Err(e) => {
                            redirect_if_unauthorized(&e);
                            #[cfg(feature = "ssr")]
                            if e == AppError::NotFound {
                                crate::server::error::Error::NotFound("lead").set_on_response();
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

#[component]
fn Detail(d: LeadDetail, mark: ServerAction<MarkReachedOut>) -> impl IntoView {
    let l = d.lead.clone();
    let name = format!("{} {}", l.first_name, l.last_name);
    let resume_href = format!("/leads/{}/resume", l.id);
    let is_pdf = l.resume_content_type == "application/pdf";
    let pending = l.state == LeadState::Pending;
    view! {
        <Title text=format!("{name} — Intake")/>
        <div class="page-head">
            <h1>{name.clone()}</h1>
            <span class="badge" class:badge-pending=pending class:badge-done=!pending data-state=l.state.as_str()>
                {l.state.label()}
            </span>
        </div>
        <section class="card">
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
                <dt>"Resume"</dt>
                <dd>
                    {format!("{} ({}, {})", l.resume_file_name, human_bytes(d.resume_size as u64), short_type(&l.resume_content_type))}
                    <br/>
                    <small class="muted mono" title="SHA-256">{d.resume_sha256.clone()}</small>
                </dd>
            </dl>
            <div class="actions">
                <a class="button secondary" href=resume_href.clone() download=l.resume_file_name.clone() rel="external">
                    "Download resume"
                </a>
                {pending.then(|| view! { <MarkButton id=l.id mark/> })}
            </div>
        </section>
        {is_pdf.then(|| view! {
            <section class="card preview-card">
                <h2>"Resume preview"</h2>
                <iframe class="preview" src=format!("{resume_href}?inline=1") title="Resume preview"></iframe>
            </section>
        })}
        <section class="card">
            <h2>"History"</h2>
            <ol class="history">
                {d.history.iter().map(|h| {
                    let what = if h.created {
                        "Submitted by the prospect".to_string()
                    } else {
                        format!("Marked {} by {}", h.state.label().to_ascii_lowercase(), h.by.clone().unwrap_or_else(|| "an attorney".into()))
                    };
                    view! { <li><time datetime=iso_utc(h.at)>{format_utc(h.at)}</time>" — "{what}</li> }
                }).collect_view()}
            </ol>
        </section>
        <section class="card">
            <h2>"Emails"</h2>
            <div class="table-wrap">
                <table class="emails">
                    <thead>
                        <tr>
                            <th scope="col">"Message"</th>
                            <th scope="col">"To"</th>
                            <th scope="col">"Status"</th>
                            <th scope="col">"Attempts"</th>
                            <th scope="col">"Details"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {d.emails.iter().map(|m| {
                            let kind = match m.kind.as_str() {
                                "prospect_confirmation" => "Confirmation to the prospect",
                                "attorney_notification" => "Notification to attorneys",
                                other => other,
                            }.to_string();
                            let status = match m.status.as_str() { "SENT" => "Sent", "FAILED" => "Failed", _ => "Queued" };
                            let details = match (&m.sent_at, &m.last_error) {
                                (Some(t), _) => format!("sent {}", format_utc(*t)),
                                (None, Some(e)) => format!("last error: {e}"),
                                _ => String::new(),
                            };
                            view! {
                                <tr data-email-kind=m.kind.clone()>
                                    <td data-label="Message">{kind}</td>
                                    <td data-label="To" class="email">{m.recipients.clone()}</td>
                                    <td data-label="Status">{status}</td>
                                    <td data-label="Attempts">{m.attempts}</td>
                                    <td data-label="Details">{details}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
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
