//! SQLite backend: WAL, a busy timeout, `BEGIN IMMEDIATE` for writes so
//! concurrent writers queue on the lock instead of failing mid-transaction.

use super::{DbError, Lead, LiveEvent, MessageStatus, NewLead, NewMessage, OutboxMessage, ResumeMeta};
use crate::domain::{LeadState, dashboard::LiveEventKind};
use sqlx::SqliteConnection;
use sqlx::{
    Row,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow, SqliteSynchronous},
};
use std::{str::FromStr, time::Duration};
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

#[derive(Clone, Debug)]
pub struct SqliteDb {
    pub(super) pool: SqlitePool,
    writer: mpsc::Sender<InsertJob>,
}

impl SqliteDb {
    pub async fn connect(url: &str) -> Result<Self, DbError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: an acknowledged submission survives power loss, not just a crash.
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        let (writer, jobs) = mpsc::channel(1024);
        tokio::spawn(run_writer(pool.clone(), jobs));
        Ok(Self { pool, writer })
    }

    /// Queues the insert for the writer task, which commits many leads in one
    /// transaction (one fsync for the group), and waits for that commit.
    pub async fn insert_lead(&self, lead: &NewLead, messages: &[NewMessage]) -> Result<LiveEvent, DbError> {
        let (reply, answer) = oneshot::channel();
        let job = InsertJob { lead: lead.clone(), messages: messages.to_vec(), reply };
        self.writer.send(job).await.map_err(|_| closed())?;
        let event_id = answer.await.map_err(|_| closed())??;
        Ok(LiveEvent {
            id: event_id,
            lead_id: lead.id,
            kind: LiveEventKind::Created,
            state: LeadState::Pending,
            by: None,
            at: lead.created_at,
        })
    }

    pub async fn lead(&self, id: Uuid) -> Result<Option<Lead>, DbError> {
        let row =
            sqlx::query("SELECT * FROM leads WHERE id = ?").bind(id.to_string()).fetch_optional(&self.pool).await?;
        row.map(|r| lead_from_row(&r)).transpose()
    }

    pub async fn resume_key_exists(&self, key: &str) -> Result<bool, DbError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM leads WHERE resume_key = ?")
            .bind(key)
            .fetch_one(&self.pool)
            .await?;
        Ok(n > 0)
    }

    pub async fn claim_due_messages(&self, now: i64, lease_ms: i64, limit: i64) -> Result<Vec<OutboxMessage>, DbError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let rows = sqlx::query(
            "UPDATE outbox SET locked_until = ?1 + ?2
             WHERE id IN (
                 SELECT id FROM outbox
                 WHERE status = 'QUEUED' AND next_attempt_at <= ?1
                   AND (locked_until IS NULL OR locked_until <= ?1)
                 ORDER BY next_attempt_at LIMIT ?3)
             RETURNING id, lead_id, kind, recipients, reply_to, subject, body_text, body_html, attempts",
        )
        .bind(now)
        .bind(lease_ms)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        rows.iter().map(message_from_row).collect()
    }

    pub async fn mark_sent(&self, ids: &[Uuid], now: i64) -> Result<(), DbError> {
        let ids = serde_json::to_string(&ids.iter().map(Uuid::to_string).collect::<Vec<_>>())
            .map_err(|e| DbError::Other(sqlx::Error::Encode(e.into())))?;
        sqlx::query(
            "UPDATE outbox SET status = 'SENT', sent_at = ?, attempts = attempts + 1, locked_until = NULL,
                 last_error = NULL WHERE id IN (SELECT value FROM json_each(?))",
        )
        .bind(now)
        .bind(ids)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn mark_attempt_failed(
        &self,
        id: Uuid,
        error: &str,
        next_attempt_at: Option<i64>,
    ) -> Result<(), DbError> {
        sqlx::query(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?, locked_until = NULL,
                 status = CASE WHEN ? IS NULL THEN 'FAILED' ELSE 'QUEUED' END,
                 next_attempt_at = COALESCE(?, next_attempt_at)
             WHERE id = ?",
        )
        .bind(error)
        .bind(next_attempt_at)
        .bind(next_attempt_at)
        .bind(id.to_string())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn next_message_due(&self) -> Result<Option<i64>, DbError> {
        let due: Option<i64> = sqlx::query_scalar(
            "SELECT MIN(MAX(next_attempt_at, COALESCE(locked_until, 0))) FROM outbox WHERE status = 'QUEUED'",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(due)
    }

    pub async fn messages_for_lead(&self, lead_id: Uuid) -> Result<Vec<MessageStatus>, DbError> {
        let rows = sqlx::query(
            "SELECT id, kind, recipients, status, attempts, last_error, sent_at FROM outbox
             WHERE lead_id = ? ORDER BY kind DESC",
        )
        .bind(lead_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(MessageStatus {
                    id: parse_uuid(r.try_get("id")?)?,
                    kind: r.try_get("kind")?,
                    recipients: r.try_get("recipients")?,
                    status: r.try_get("status")?,
                    attempts: r.try_get("attempts")?,
                    last_error: r.try_get("last_error")?,
                    sent_at: r.try_get("sent_at")?,
                })
            })
            .collect()
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

fn map_unique(err: sqlx::Error) -> DbError {
    if let sqlx::Error::Database(db) = &err
        && db.is_unique_violation()
        && db.message().contains("email_normalized")
    {
        return DbError::DuplicateEmail;
    }
    DbError::Other(err)
}

pub(super) fn parse_uuid(s: String) -> Result<Uuid, DbError> {
    Uuid::parse_str(&s).map_err(|e| DbError::Other(sqlx::Error::Decode(Box::new(e))))
}

pub(super) fn lead_from_row(r: &SqliteRow) -> Result<Lead, DbError> {
    Ok(Lead {
        id: parse_uuid(r.try_get("id")?)?,
        first_name: r.try_get("first_name")?,
        last_name: r.try_get("last_name")?,
        email: r.try_get("email")?,
        state: super::parse_state(r.try_get("state")?)?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        resume: ResumeMeta {
            file_name: r.try_get("resume_file_name")?,
            content_type: r.try_get("resume_content_type")?,
            size: r.try_get("resume_size")?,
            sha256: r.try_get("resume_sha256")?,
            key: r.try_get("resume_key")?,
        },
    })
}

fn message_from_row(r: &SqliteRow) -> Result<OutboxMessage, DbError> {
    let lead_id: Option<String> = r.try_get("lead_id")?;
    Ok(OutboxMessage {
        id: parse_uuid(r.try_get("id")?)?,
        lead_id: lead_id.map(parse_uuid).transpose()?,
        kind: r.try_get("kind")?,
        recipients: r.try_get("recipients")?,
        reply_to: r.try_get("reply_to")?,
        subject: r.try_get("subject")?,
        body_text: r.try_get("body_text")?,
        body_html: r.try_get("body_html")?,
        attempts: r.try_get("attempts")?,
    })
}

/// Inserts one lead with its emails and first history entry; returns the event id.
async fn insert_one(tx: &mut SqliteConnection, lead: &NewLead, messages: &[NewMessage]) -> Result<i64, DbError> {
    sqlx::query(
        "INSERT INTO leads (id, first_name, last_name, email, email_normalized, state, created_at, updated_at,
             resume_file_name, resume_content_type, resume_size, resume_sha256, resume_key)
         VALUES (?, ?, ?, ?, ?, 'PENDING', ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(lead.id.to_string())
    .bind(&lead.first_name)
    .bind(&lead.last_name)
    .bind(&lead.email)
    .bind(&lead.email_normalized)
    .bind(lead.created_at)
    .bind(lead.created_at)
    .bind(&lead.resume.file_name)
    .bind(&lead.resume.content_type)
    .bind(lead.resume.size)
    .bind(&lead.resume.sha256)
    .bind(&lead.resume.key)
    .execute(&mut *tx)
    .await
    .map_err(map_unique)?;
    for m in messages {
        sqlx::query(
            "INSERT INTO outbox (id, lead_id, kind, recipients, reply_to, subject, body_text, body_html,
                 status, attempts, next_attempt_at, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'QUEUED', 0, ?, ?)",
        )
        .bind(m.id.to_string())
        .bind(lead.id.to_string())
        .bind(m.kind)
        .bind(&m.recipients)
        .bind(&m.reply_to)
        .bind(&m.subject)
        .bind(&m.body_text)
        .bind(&m.body_html)
        .bind(lead.created_at)
        .bind(lead.created_at)
        .execute(&mut *tx)
        .await?;
    }
    let event_id: i64 = sqlx::query_scalar(
        "INSERT INTO lead_events (lead_id, kind, state, at) VALUES (?, 'CREATED', 'PENDING', ?) RETURNING id",
    )
    .bind(lead.id.to_string())
    .bind(lead.created_at)
    .fetch_one(&mut *tx)
    .await?;
    Ok(event_id)
}

/// One lead waiting for the writer.
pub(super) struct InsertJob {
    lead: NewLead,
    messages: Vec<NewMessage>,
    reply: oneshot::Sender<Result<i64, DbError>>,
}

/// Most leads committed together.
const GROUP_MAX: usize = 128;

/// The single writer for new leads: takes whatever is queued (up to
/// [`GROUP_MAX`]), inserts each under a savepoint (so one duplicate does not
/// fail the others), commits once, then answers every request.
async fn run_writer(pool: SqlitePool, mut jobs: mpsc::Receiver<InsertJob>) {
    while let Some(first) = jobs.recv().await {
        let mut batch = vec![first];
        while batch.len() < GROUP_MAX {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        match write_group(&pool, &batch).await {
            Ok(results) => {
                for (job, result) in batch.into_iter().zip(results) {
                    let _ = job.reply.send(result);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, leads = batch.len(), "cannot commit new leads");
                for job in batch {
                    let _ = job.reply.send(Err(DbError::Other(sqlx::Error::Protocol(format!("commit failed: {e}")))));
                }
            }
        }
    }
}

async fn write_group(pool: &SqlitePool, batch: &[InsertJob]) -> Result<Vec<Result<i64, DbError>>, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await?;
    let result = async {
        let mut out = Vec::with_capacity(batch.len());
        for job in batch {
            sqlx::query("SAVEPOINT lead").execute(&mut *conn).await?;
            match insert_one(&mut conn, &job.lead, &job.messages).await {
                Ok(id) => out.push(Ok(id)),
                Err(e) => {
                    sqlx::query("ROLLBACK TO lead").execute(&mut *conn).await?;
                    out.push(Err(e));
                }
            }
            sqlx::query("RELEASE lead").execute(&mut *conn).await?;
        }
        sqlx::query("COMMIT").execute(&mut *conn).await?;
        Ok(out)
    }
    .await;
    if result.is_err() {
        // Never hand a connection back to the pool inside a transaction.
        if sqlx::query("ROLLBACK").execute(&mut *conn).await.is_err() {
            conn.detach();
        }
    }
    result
}

fn closed() -> DbError {
    DbError::Other(sqlx::Error::PoolClosed)
}
