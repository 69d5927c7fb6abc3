//! `GET /api/internal/events`: server-sent events for open dashboards.
//! A reconnecting client sends `Last-Event-ID` and first receives what it missed.

use crate::server::{live::LiveMessage, state::AppState};
use axum::{
    extract::State,
    http::HeaderMap,
    response::sse::{Event, KeepAlive, Sse},
};
use futures::Stream;
use std::{convert::Infallible, time::Duration};
use tokio::sync::broadcast::error::RecvError;

/// Most events replayed to a reconnecting client; beyond that it is told to resync.
const REPLAY_LIMIT: i64 = 500;

pub async fn events(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let last_id = headers.get("last-event-id").and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<i64>().ok());
    // Subscribe before reading the backlog so nothing falls between the two.
    let mut rx = state.live.subscribe();
    let mut shutdown = state.shutdown.clone();
    let backlog = match last_id {
        Some(id) => state.db.events_after(id, REPLAY_LIMIT + 1).await.unwrap_or_default(),
        None => vec![],
    };
    let stream = async_stream::stream! {
        yield Ok(Event::default().event("hello").data("{}").retry(Duration::from_secs(2)));
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
            tokio::select! {
                msg = rx.recv() => match msg {
                    Ok(LiveMessage::Event(ev)) if ev.id <= replayed_up_to => {}
                    Ok(LiveMessage::Event(ev)) => yield Ok(to_event(&ev)),
                    Ok(LiveMessage::Resync) | Err(RecvError::Lagged(_)) => {
                        yield Ok(Event::default().event("resync").data("{}"))
                    }
                    Err(RecvError::Closed) => break,
                },
                _ = shutdown.changed() => break,
            }
            if *shutdown.borrow() {
                break;
            }
        }
    };
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

fn to_event(ev: &crate::domain::dashboard::LiveEvent) -> Event {
    Event::default().id(ev.id.to_string()).event("lead").json_data(ev).unwrap_or_else(|_| Event::default().comment("x"))
}
