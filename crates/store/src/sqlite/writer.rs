//! The single writer for new leads: a dedicated thread that owns one SQLite
//! connection and commits leads in groups (one transaction and one fsync for
//! everything queued at that moment).
//!
//! On its own thread the per-lead statements (lead, two outbox
//! rows, history event) are plain function calls; through sqlx each would be
//! a round trip to the connection's thread, serialised behind the writer.

use crate::{DbError, NewLead, NewMessage, leads::created_event, sqlite::events::LocalEvents, webhooks};
use intake_domain::live::LiveEvent;
use rusqlite::{Connection, OpenFlags};
use std::{path::Path, time::Duration};
use tokio::sync::{mpsc, oneshot};

/// Most leads committed together.
const GROUP_MAX: usize = 128;
/// Leads waiting for the writer before senders wait too (backpressure).
const QUEUE: usize = 1024;

/// One lead waiting for the writer.
struct InsertJob {
    lead: NewLead,
    messages: Vec<NewMessage>,
    reply: oneshot::Sender<Result<LiveEvent, DbError>>,
}

#[derive(Clone, Debug)]
pub struct Writer {
    jobs: mpsc::Sender<InsertJob>,
}

impl Writer {
    /// Opens the writer's connection and starts its thread, which publishes each new lead's event.
    pub fn start(path: &Path, events: LocalEvents) -> Result<Self, DbError> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
        )?;
        conn.busy_timeout(Duration::from_secs(10))?;
        // FULL: an acknowledged submission survives power loss, not just a crash.
        // temp_store: statement journals stay in memory (as a temp file, with
        // per-lead savepoints, it was written four times the bytes of the WAL).
        // wal_autocheckpoint: checkpoints run beside the writer (see
        // `SqliteDb::connect`), not inside a group commit.
        // secure_delete: see `SqliteDb::connect`.
        conn.execute_batch(
            "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;
             PRAGMA wal_autocheckpoint = 0; PRAGMA secure_delete = ON;",
        )?;
        let (jobs, rx) = mpsc::channel(QUEUE);
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || run(conn, rx, events))
            .map_err(|e| DbError::Worker(format!("cannot start the SQLite writer thread: {e}")))?;
        Ok(Self { jobs })
    }

    /// Queues the lead and waits for its group to commit; returns its event.
    pub async fn insert(&self, lead: &NewLead, messages: &[NewMessage]) -> Result<LiveEvent, DbError> {
        let (reply, answer) = oneshot::channel();
        let job = InsertJob { lead: lead.clone(), messages: messages.to_vec(), reply };
        self.jobs.send(job).await.map_err(|_| closed())?;
        answer.await.map_err(|_| closed())?
    }
}

fn run(mut conn: Connection, mut jobs: mpsc::Receiver<InsertJob>, events: LocalEvents) {
    let mut batch = Vec::with_capacity(GROUP_MAX);
    while let Some(first) = jobs.blocking_recv() {
        batch.push(first);
        while batch.len() < GROUP_MAX {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let started = std::time::Instant::now();
        let written = write_group(&mut conn, &batch, &events);
        tracing::debug!(leads = batch.len(), took_us = started.elapsed().as_micros() as u64, "lead group committed");
        match written {
            Ok(results) => {
                for (job, result) in batch.drain(..).zip(results) {
                    let _ = job.reply.send(result);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, leads = batch.len(), "cannot commit new leads");
                for job in batch.drain(..) {
                    let _ = job.reply.send(Err(DbError::GroupCommit(e.to_string())));
                }
            }
        }
    }
}

/// Inserts each lead, then commits once and publishes the stored leads'
/// events, in order. A lead whose address is already held is skipped by the
/// insert itself (`ON CONFLICT DO NOTHING`), so it fails alone without a
/// savepoint: each savepoint made FTS5 flush its pending terms as a new
/// segment, per lead (a fifth of the writer's time). Any other error fails
/// the whole group, and every request in it answers 500: nothing is acknowledged.
fn write_group(
    conn: &mut Connection,
    batch: &[InsertJob],
    events: &LocalEvents,
) -> rusqlite::Result<Vec<Result<LiveEvent, DbError>>> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let mut out = Vec::with_capacity(batch.len());
    // Inside the transaction, so an endpoint added meanwhile is either read here or sees these leads' events.
    let endpoints = webhooks::deliveries::live_endpoints_blocking(&tx)?;
    for job in batch {
        match insert_one(&tx, &job.lead, &job.messages)? {
            Some(id) => {
                let event = created_event(id, &job.lead);
                webhooks::deliveries::queue_sqlite_blocking(&tx, &endpoints, &event, job.lead.intake.as_ref())?;
                out.push(Ok(event));
            }
            None => out.push(Err(DbError::DuplicateEmail)),
        }
    }
    // Dropped uncommitted (on an error above), the transaction rolls back.
    let in_order = events.order.blocking_lock();
    tx.commit()?;
    for event in out.iter().flatten() {
        events.publish_lead(event);
    }
    drop(in_order);
    Ok(out)
}

/// The lead's rows and its history event's id; `None` when its address is already held.
fn insert_one(conn: &Connection, lead: &NewLead, messages: &[NewMessage]) -> rusqlite::Result<Option<i64>> {
    let id = lead.id.hyphenated().to_string();
    let inserted = conn
        .prepare_cached(
            "INSERT INTO leads (id, first_name, last_name, email, email_normalized, state, created_at, updated_at,
             resume_file_name, resume_content_type, resume_size, resume_sha256, resume_key,
             referrer, utm_source, utm_medium, utm_campaign, matter_type, answers_text, seq)
         VALUES (?1, ?2, ?3, ?4, ?5, 'PENDING', ?6, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                 (SELECT COALESCE(MAX(seq), 0) + 1 FROM leads))
         ON CONFLICT (email_normalized) DO NOTHING",
        )?
        .execute(rusqlite::params![
            id,
            lead.first_name.as_str(),
            lead.last_name.as_str(),
            lead.email.as_str(),
            lead.email.normalized(),
            lead.created_at,
            lead.resume.as_ref().map(|r| r.file_name.as_str()),
            lead.resume.as_ref().map(|r| r.content_type.as_str()),
            lead.resume.as_ref().map(|r| r.size),
            lead.resume.as_ref().map(|r| r.sha256.as_str()),
            lead.resume.as_ref().map(|r| r.key.as_str()),
            lead.origin.referrer,
            lead.origin.utm_source,
            lead.origin.utm_medium,
            lead.origin.utm_campaign,
            lead.intake.as_ref().and_then(|i| i.matter_type.as_deref()),
            lead.intake.as_ref().map_or("", |i| i.searchable.as_str()),
        ])?;
    if inserted == 0 {
        return Ok(None);
    }
    if let Some(intake) = &lead.intake {
        conn.prepare_cached(
            "INSERT INTO lead_answers (lead_id, lang, form_version, matter_type, answers, consent_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(rusqlite::params![
            id,
            intake.lang.code(),
            intake.form_version,
            intake.matter_type,
            crate::leads::answers_json(intake),
            intake.consent_at,
        ])?;
    }
    if !lead.documents.is_empty() {
        let mut insert = conn.prepare_cached(
            "INSERT INTO lead_documents (lead_id, question_key, file_name, content_type, size, sha256, file_key)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for d in &lead.documents {
            let f = &d.file;
            insert.execute(rusqlite::params![
                id,
                d.question_key,
                f.file_name,
                f.content_type,
                f.size,
                f.sha256,
                f.key
            ])?;
        }
    }
    let mut outbox = conn.prepare_cached(
        "INSERT INTO outbox (id, lead_id, kind, recipients, reply_to, subject, body_text, body_html,
             status, attempts, next_attempt_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'QUEUED', 0, ?9, ?9)",
    )?;
    for m in messages {
        outbox.execute(rusqlite::params![
            m.id.hyphenated().to_string(),
            id,
            m.kind,
            m.recipients,
            m.reply_to,
            m.subject,
            m.body_text,
            m.body_html,
            lead.created_at,
        ])?;
    }
    // lead_events has no triggers, so the last rowid is the event's id.
    conn.prepare_cached("INSERT INTO lead_events (lead_id, kind, state, at) VALUES (?1, 'CREATED', 'PENDING', ?2)")?
        .execute(rusqlite::params![id, lead.created_at])?;
    Ok(Some(conn.last_insert_rowid()))
}

fn closed() -> DbError {
    DbError::Closed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ResumeMeta;
    use intake_domain::{Email, PersonName};
    use uuid::Uuid;

    fn lead(email: &str) -> NewLead {
        NewLead {
            id: Uuid::now_v7(),
            first_name: PersonName::parse("Ada", "First name").unwrap(),
            last_name: PersonName::parse("Lovelace", "Last name").unwrap(),
            email: Email::parse(email).unwrap(),
            created_at: 1,
            resume: Some(ResumeMeta {
                file_name: "cv.pdf".into(),
                content_type: "application/pdf".into(),
                size: 10,
                sha256: "00".into(),
                key: Uuid::now_v7().simple().to_string(),
            }),
            documents: Vec::new(),
            origin: Default::default(),
            intake: None,
        }
    }

    fn message() -> NewMessage {
        NewMessage {
            id: Uuid::now_v7(),
            kind: "prospect_confirmation",
            recipients: "a@b.test".into(),
            reply_to: None,
            subject: "s".into(),
            body_text: "t".into(),
            body_html: "h".into(),
            link_id: None,
        }
    }

    #[tokio::test]
    async fn a_group_commits_leads_and_a_duplicate_fails_alone() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let db = crate::sqlite::SqliteDb::connect(&url).await.unwrap();
        let mut announced = db.events.subscribe();
        let first = db.writer.insert(&lead("x@y.test"), &[message(), message()]).await;
        assert!(first.is_ok(), "{first:?}");
        let dup = db.writer.insert(&lead("X@y.test"), &[message()]).await;
        assert!(matches!(dup, Err(DbError::DuplicateEmail)), "{dup:?}");
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox").fetch_one(&db.pool).await.unwrap();
        assert_eq!(n, 2);
        let first = first.unwrap();
        match announced.try_recv() {
            Ok(crate::LiveMessage::Event(ev)) => assert_eq!(*ev, first),
            other => panic!("expected the first lead's event, got {other:?}"),
        }
        assert!(announced.try_recv().is_err(), "the duplicate is not announced");
    }
}
