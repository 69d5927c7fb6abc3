//! SQLite backend: WAL, a busy timeout, `BEGIN IMMEDIATE` for writes so
//! concurrent writers queue on the lock instead of failing mid-transaction.

use super::{DbError, Lead, LiveEvent, MessageStatus, NewLead, NewMessage, OutboxMessage, ResumeMeta};
use super::{sqlite_read::Readers, sqlite_write::Writer};
use crate::domain::{LeadState, dashboard::LiveEventKind};
use sqlx::{
    Row,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow, SqliteSynchronous},
};
use std::{str::FromStr, time::Duration};
use uuid::Uuid;

#[derive(Clone, Debug)]
pub struct SqliteDb {
    pub(super) pool: SqlitePool,
    /// Hot-path reads, on the caller's thread.
    pub(super) readers: Readers,
    writer: Writer,
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
        if options.get_filename().as_os_str() == ":memory:" || url.contains("mode=memory") {
            // The writer and the readers open their own connections to the file.
            return Err(DbError::Other(sqlx::Error::Configuration(
                "in-memory SQLite is not supported; name a file".into(),
            )));
        }
        let path = options.get_filename().to_owned();
        let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        let writer = Writer::start(&path)?;
        tokio::spawn(checkpoint_wal(pool.clone()));
        Ok(Self { pool, readers: Readers::new(&path), writer })
    }

    /// Queues the insert for the writer task, which commits many leads in one
    /// transaction (one fsync for the group), and waits for that commit.
    pub async fn insert_lead(&self, lead: &NewLead, messages: &[NewMessage]) -> Result<LiveEvent, DbError> {
        let event_id = self.writer.insert(lead, messages).await?;
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

    pub async fn claim_due_messages(
        &self,
        owner: Uuid,
        now: i64,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<OutboxMessage>, DbError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let rows = sqlx::query(
            "UPDATE outbox SET locked_until = ?1 + ?2, locked_by = ?4
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
        .bind(owner.to_string())
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        rows.iter().map(message_from_row).collect()
    }

    pub async fn renew_leases(&self, owner: Uuid, until: i64) -> Result<(), DbError> {
        sqlx::query("UPDATE outbox SET locked_until = ? WHERE locked_by = ? AND status = 'QUEUED'")
            .bind(until)
            .bind(owner.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// One process owns a SQLite file, so at start-up every lease is a dead
    /// run's; at shutdown, only `owner`'s.
    pub async fn release_leases(&self, owner: Option<Uuid>) -> Result<(), DbError> {
        sqlx::query(
            "UPDATE outbox SET locked_until = NULL, locked_by = NULL
             WHERE status = 'QUEUED' AND locked_until IS NOT NULL AND (?1 IS NULL OR locked_by = ?1)",
        )
        .bind(owner.map(|o| o.to_string()))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn mark_sent(&self, ids: &[Uuid], now: i64) -> Result<(), DbError> {
        let ids = serde_json::to_string(&ids.iter().map(Uuid::to_string).collect::<Vec<_>>())
            .map_err(|e| DbError::Other(sqlx::Error::Encode(e.into())))?;
        sqlx::query(
            "UPDATE outbox SET status = 'SENT', sent_at = ?, attempts = attempts + 1, locked_until = NULL,
                 locked_by = NULL, last_error = NULL WHERE id IN (SELECT value FROM json_each(?))",
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
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?, locked_until = NULL, locked_by = NULL,
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

/// Copies the WAL back into the database file once a second, beside the lead
/// writer (which does not checkpoint, so a group commit never waits for one).
/// PASSIVE never blocks readers or the writer; it stops when the pool closes.
async fn checkpoint_wal(pool: SqlitePool) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if pool.is_closed() {
            return;
        }
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&pool).await {
            if pool.is_closed() {
                return;
            }
            tracing::warn!(error = %e, "WAL checkpoint failed");
        }
    }
}
