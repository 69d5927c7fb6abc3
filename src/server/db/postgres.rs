//! PostgreSQL backend: for several instances sharing one database. The
//! outbox is claimed with `FOR UPDATE SKIP LOCKED`, so each message goes to
//! exactly one sender; live events travel between instances by NOTIFY.

use super::{DbError, Lead, LiveEvent, MessageStatus, NewLead, NewMessage, OutboxMessage, ResumeMeta};
use crate::domain::{LeadState, dashboard::LiveEventKind};
use sqlx::{
    Row,
    postgres::{PgPool, PgPoolOptions, PgRow},
};
use std::time::Duration;
use uuid::Uuid;

/// The NOTIFY channel carrying live events.
pub const EVENTS_CHANNEL: &str = "intake_events";

#[derive(Clone, Debug)]
pub struct PgDb {
    pub(super) pool: PgPool,
}

impl PgDb {
    pub async fn connect(url: &str) -> Result<Self, DbError> {
        let pool =
            PgPoolOptions::new().max_connections(16).acquire_timeout(Duration::from_secs(10)).connect(url).await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(Self { pool })
    }

    pub async fn insert_lead(&self, lead: &NewLead, messages: &[NewMessage]) -> Result<LiveEvent, DbError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO leads (id, first_name, last_name, email, email_normalized, state, created_at, updated_at,
                 resume_file_name, resume_content_type, resume_size, resume_sha256, resume_key)
             VALUES ($1, $2, $3, $4, $5, 'PENDING', $6, $6, $7, $8, $9, $10, $11)",
        )
        .bind(lead.id)
        .bind(&lead.first_name)
        .bind(&lead.last_name)
        .bind(&lead.email)
        .bind(&lead.email_normalized)
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
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'QUEUED', 0, $9, $9)",
            )
            .bind(m.id)
            .bind(lead.id)
            .bind(m.kind)
            .bind(&m.recipients)
            .bind(&m.reply_to)
            .bind(&m.subject)
            .bind(&m.body_text)
            .bind(&m.body_html)
            .bind(lead.created_at)
            .execute(&mut *tx)
            .await?;
        }
        let event_id: i64 = sqlx::query_scalar(
            "INSERT INTO lead_events (lead_id, kind, state, at) VALUES ($1, 'CREATED', 'PENDING', $2) RETURNING id",
        )
        .bind(lead.id)
        .bind(lead.created_at)
        .fetch_one(&mut *tx)
        .await?;
        let event = LiveEvent {
            id: event_id,
            lead_id: lead.id,
            kind: LiveEventKind::Created,
            state: LeadState::Pending,
            by: None,
            at: lead.created_at,
        };
        notify(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(event)
    }

    pub async fn lead(&self, id: Uuid) -> Result<Option<Lead>, DbError> {
        let row = sqlx::query("SELECT * FROM leads WHERE id = $1").bind(id).fetch_optional(&self.pool).await?;
        row.map(|r| lead_from_row(&r)).transpose()
    }

    pub async fn resume_key_exists(&self, key: &str) -> Result<bool, DbError> {
        Ok(sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM leads WHERE resume_key = $1)")
            .bind(key)
            .fetch_one(&self.pool)
            .await?)
    }

    pub async fn claim_due_messages(
        &self,
        owner: Uuid,
        now: i64,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<OutboxMessage>, DbError> {
        let rows = sqlx::query(
            "UPDATE outbox SET locked_until = $1 + $2, locked_by = $4
             WHERE id IN (
                 SELECT id FROM outbox
                 WHERE status = 'QUEUED' AND next_attempt_at <= $1
                   AND (locked_until IS NULL OR locked_until <= $1)
                 ORDER BY next_attempt_at LIMIT $3
                 FOR UPDATE SKIP LOCKED)
             RETURNING id, lead_id, kind, recipients, reply_to, subject, body_text, body_html, attempts",
        )
        .bind(now)
        .bind(lease_ms)
        .bind(limit)
        .bind(owner)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(OutboxMessage {
                    id: r.try_get("id")?,
                    lead_id: r.try_get("lead_id")?,
                    kind: r.try_get("kind")?,
                    recipients: r.try_get("recipients")?,
                    reply_to: r.try_get("reply_to")?,
                    subject: r.try_get("subject")?,
                    body_text: r.try_get("body_text")?,
                    body_html: r.try_get("body_html")?,
                    attempts: r.try_get("attempts")?,
                })
            })
            .collect()
    }

    pub async fn renew_leases(&self, owner: Uuid, until: i64) -> Result<(), DbError> {
        sqlx::query("UPDATE outbox SET locked_until = $1 WHERE locked_by = $2 AND status = 'QUEUED'")
            .bind(until)
            .bind(owner)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Several instances share the table: only `owner`'s leases can be
    /// released (a dead instance's end when its heartbeat stops).
    pub async fn release_leases(&self, owner: Option<Uuid>) -> Result<(), DbError> {
        let Some(owner) = owner else { return Ok(()) };
        sqlx::query(
            "UPDATE outbox SET locked_until = NULL, locked_by = NULL WHERE status = 'QUEUED' AND locked_by = $1",
        )
        .bind(owner)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn mark_sent(&self, ids: &[Uuid], now: i64) -> Result<(), DbError> {
        sqlx::query(
            "UPDATE outbox SET status = 'SENT', sent_at = $1, attempts = attempts + 1, locked_until = NULL,
                 locked_by = NULL, last_error = NULL WHERE id = ANY($2)",
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
            "UPDATE outbox SET attempts = attempts + 1, last_error = $1, locked_until = NULL, locked_by = NULL,
                 status = CASE WHEN $2::BIGINT IS NULL THEN 'FAILED' ELSE 'QUEUED' END,
                 next_attempt_at = COALESCE($2, next_attempt_at)
             WHERE id = $3",
        )
        .bind(error)
        .bind(next_attempt_at)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn next_message_due(&self) -> Result<Option<i64>, DbError> {
        Ok(sqlx::query_scalar(
            "SELECT MIN(GREATEST(next_attempt_at, COALESCE(locked_until, 0))) FROM outbox WHERE status = 'QUEUED'",
        )
        .fetch_one(&self.pool)
        .await?)
    }

    pub async fn messages_for_lead(&self, lead_id: Uuid) -> Result<Vec<MessageStatus>, DbError> {
        let rows = sqlx::query(
            "SELECT id, kind, recipients, status, attempts, last_error, sent_at FROM outbox
             WHERE lead_id = $1 ORDER BY kind DESC",
        )
        .bind(lead_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(MessageStatus {
                    id: r.try_get("id")?,
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

/// Queues a live event for every instance; delivered when the transaction commits.
pub(super) async fn notify(tx: &mut sqlx::PgConnection, event: &LiveEvent) -> Result<(), DbError> {
    let payload = serde_json::to_string(event).map_err(|e| DbError::Other(sqlx::Error::Encode(e.into())))?;
    sqlx::query("SELECT pg_notify($1, $2)").bind(EVENTS_CHANNEL).bind(payload).execute(tx).await?;
    Ok(())
}

fn map_unique(err: sqlx::Error) -> DbError {
    if let sqlx::Error::Database(db) = &err
        && db.is_unique_violation()
        && db.constraint() == Some("leads_email_normalized_key")
    {
        return DbError::DuplicateEmail;
    }
    DbError::Other(err)
}

fn lead_from_row(r: &PgRow) -> Result<Lead, DbError> {
    Ok(Lead {
        id: r.try_get("id")?,
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
