//! `GET /api/internal/events`: server-sent events for open dashboards.
//! A reconnecting client sends `Last-Event-ID` and first receives what it missed.
//! Besides lead events (`lead`, with ids), a `notes` message tells a lead's
//! open page that its notes changed.
//! A stream lives only as long as its session: it re-checks it at once when
//! its account changes (logout, account disabled, password reset, on any
//! instance), and every second for what nothing announces (expiry, the CLI
//! on SQLite), and ends once the session is over.

use crate::server::state::AppState;
use axum::{
    extract::{Query, State},
    http::HeaderMap,
    response::{
        IntoResponse, Response,
        sse::{Event, KeepAlive, Sse},
    },
};
use intake_core::{auth::session, error::Error, limits::StreamRefusal};
use intake_domain::live::NotesChanged;
use intake_store::{LiveMessage, events::AccountMessage};
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;
use tower_sessions::Session;

/// How often an open stream re-checks its session.
const RECHECK: Duration = Duration::from_secs(1);

/// Most events replayed to a reconnecting client; beyond that it is told to resync.
const REPLAY_LIMIT: i64 = 500;

#[derive(serde::Deserialize)]
pub struct Since {
    after: Option<i64>,
}

pub async fn events(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Query(since): Query<Since>,
) -> Response {
    // The guard has checked the session; this is who it belongs to.
    let Some(login) = session::login_of(&session).await else {
        return Error::Unauthorized.into_response();
    };
    let attorney_id = login.attorney_id;
    let slot = match state.limits.stream((attorney_id, login.auth_at)) {
        Ok(slot) => slot,
        Err(StreamRefusal::Full) => return Error::Busy { retry_after: Duration::from_secs(5) }.into_response(),
        Err(StreamRefusal::SessionFull) => return Error::TooManyStreams.into_response(),
    };
    // A reconnecting browser says what it saw last; a page opening its stream, what it shows (`?after=`).
    let last_id =
        headers.get("last-event-id").and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<i64>().ok()).or(since.after);
    // Subscribe before reading the backlog so nothing falls between the two.
    let mut rx = state.db.events().subscribe();
    let mut accounts = state.db.events().subscribe_accounts();
    let mut shutdown = state.shutdown.clone();
    let backlog = match last_id {
        Some(id) => state.db.dashboard().events_after(id, REPLAY_LIMIT + 1).await.unwrap_or_default(),
        None => vec![],
    };
    let db = state.db.clone();
    let stream = async_stream::stream! {
        let _slot = slot;
        let mut recheck = tokio::time::interval(RECHECK);
        recheck.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        yield Ok::<_, std::convert::Infallible>(Event::default().event("hello").data("{}").retry(Duration::from_secs(2)));
        let mut replayed_up_to = last_id.unwrap_or(0);
        if backlog.len() as i64 > REPLAY_LIMIT {
            yield Ok(Event::default().event("resync").data("{}"));
        } else {
            for ev in backlog {
                replayed_up_to = ev.id;
                yield Ok(to_event(&ev));
            }
        }
        loop {
            // Biased: an account change heard is acted on before any lead event behind it.
            tokio::select! {
                biased;
                _ = shutdown.changed() => break,
                change = accounts.recv() => {
                    let mine = match change {
                        Ok(AccountMessage::Changed(id)) => id == attorney_id,
                        Ok(AccountMessage::Resync) | Err(RecvError::Lagged(_)) => true,
                        // The database is closing: so is this stream.
                        Err(RecvError::Closed) => break,
                    };
                    if mine && !session::recheck(&db, login).await {
                        break;
                    }
                }
                msg = rx.recv() => match msg {
                    Ok(LiveMessage::Event(ev)) if ev.id <= replayed_up_to => {}
                    Ok(LiveMessage::Event(ev)) => yield Ok(to_event(&ev)),
                    // No id: it is not replayed, and must not move the browser's Last-Event-ID.
                    Ok(LiveMessage::Notes(lead_id)) => yield Ok(notes_event(lead_id)),
                    Ok(LiveMessage::Resync) | Err(RecvError::Lagged(_)) => {
                        yield Ok(Event::default().event("resync").data("{}"))
                    }
                    Err(RecvError::Closed) => break,
                },
                _ = recheck.tick() => {
                    if !session::recheck(&db, login).await {
                        break;
                    }
                }
            }
            if *shutdown.borrow() {
                break;
            }
        }
    };
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))).into_response()
}

fn to_event(ev: &intake_domain::live::LiveEvent) -> Event {
    Event::default().id(ev.id.to_string()).event("lead").json_data(ev).unwrap_or_else(|_| Event::default().comment("x"))
}

fn notes_event(lead_id: uuid::Uuid) -> Event {
    Event::default()
        .event("notes")
        .json_data(NotesChanged { lead_id })
        .unwrap_or_else(|_| Event::default().comment("x"))
}
