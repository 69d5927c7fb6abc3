//! Group commit for new leads on PostgreSQL: one task takes every lead queued
//! at that moment and stores them with a fixed number of statements (arrays
//! unnested server-side) in one transaction: one WAL flush and five round
//! trips for the group instead of seven round trips and a flush per lead.
//! A duplicate email skips only its own lead (`ON CONFLICT DO NOTHING`).

use crate::{
    DbError, NewLead, NewMessage, leads::created_event, postgres::events::notify_all, postgres::events::order_events,
    webhooks,
};
use intake_domain::live::LiveEvent;
use sqlx::{PgConnection, PgPool, Row};
use std::collections::{HashMap, HashSet};
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

/// Most leads committed together.
const GROUP_MAX: usize = 256;
/// Leads waiting for the writer before senders wait too (backpressure).
const QUEUE: usize = 1024;

struct Job {
    lead: NewLead,
    messages: Vec<NewMessage>,
    reply: oneshot::Sender<Result<LiveEvent, DbError>>,
}

#[derive(Clone, Debug)]
pub(crate) struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    pub(super) fn start(pool: PgPool) -> Self {
        let (jobs, rx) = mpsc::channel(QUEUE);
        tokio::spawn(run(pool, rx));
        Self { jobs }
    }

    pub(crate) async fn insert(&self, lead: &NewLead, messages: &[NewMessage]) -> Result<LiveEvent, DbError> {
        let (reply, answer) = oneshot::channel();
        let job = Job { lead: lead.clone(), messages: messages.to_vec(), reply };
        self.jobs.send(job).await.map_err(|_| DbError::Closed)?;
        answer.await.map_err(|_| DbError::Closed)?
    }
}

async fn run(pool: PgPool, mut jobs: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(GROUP_MAX);
    while jobs.recv_many(&mut batch, GROUP_MAX).await > 0 {
        if pool.is_closed() {
            for job in batch.drain(..) {
                let _ = job.reply.send(Err(DbError::Closed));
            }
            continue;
        }
        match write_group(&pool, &batch).await {
            Ok(mut events) => {
                for job in batch.drain(..) {
                    let result = events.remove(&job.lead.id).ok_or(DbError::DuplicateEmail);
                    let _ = job.reply.send(result);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, leads = batch.len(), "cannot commit new leads");
                let why = e.to_string();
                for job in batch.drain(..) {
                    let _ = job.reply.send(Err(DbError::GroupCommit(why.clone())));
                }
            }
        }
    }
}

/// Stores the group; returns the event of each lead stored (duplicates are absent).
async fn write_group(pool: &PgPool, batch: &[Job]) -> Result<HashMap<Uuid, LiveEvent>, DbError> {
    let mut tx = pool.begin().await?;
    let stored = insert_leads(&mut tx, batch).await?;
    if stored.is_empty() {
        tx.commit().await?;
        return Ok(HashMap::new());
    }
    // Two leads of one group with the same email: the first is stored, the second is a duplicate.
    let kept: Vec<&Job> = batch.iter().filter(|j| stored.contains(&j.lead.id)).collect();
    insert_messages(&mut tx, &kept).await?;
    insert_answers(&mut tx, &kept).await?;
    insert_documents(&mut tx, &kept).await?;
    order_events(&mut tx).await?;
    let events = insert_events(&mut tx, &kept).await?;
    let intakes = kept.iter().filter_map(|j| j.lead.intake.as_ref().map(|i| (j.lead.id, i))).collect();
    webhooks::deliveries::queue_postgres_with(&mut tx, &events, &intakes).await?;
    notify_all(&mut tx, &events).await?;
    tx.commit().await?;
    Ok(events.into_iter().map(|e| (e.lead_id, e)).collect())
}

/// One statement for the group's leads; the ids stored (a duplicate email is skipped).
async fn insert_leads(tx: &mut PgConnection, batch: &[Job]) -> Result<HashSet<Uuid>, DbError> {
    let leads: Vec<&NewLead> = batch.iter().map(|j| &j.lead).collect();
    let col = |f: fn(&NewLead) -> String| leads.iter().map(|l| f(l)).collect::<Vec<String>>();
    let opt = |f: fn(&NewLead) -> Option<String>| leads.iter().map(|l| f(l)).collect::<Vec<Option<String>>>();
    let stored: Vec<Uuid> = sqlx::query_scalar(
        "INSERT INTO leads (id, first_name, last_name, email, email_normalized, state, created_at, updated_at,
             resume_file_name, resume_content_type, resume_size, resume_sha256, resume_key,
             referrer, utm_source, utm_medium, utm_campaign, matter_type, answers_text)
         SELECT id, f, l, e, n, 'PENDING', t, t, rf, rc, rs, rh, rk, oref, osrc, omed, ocmp, mt, at
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[],
                     $7::text[], $8::text[], $9::bigint[], $10::text[], $11::text[],
                     $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[])
              AS u (id, f, l, e, n, t, rf, rc, rs, rh, rk, oref, osrc, omed, ocmp, mt, at)
         ON CONFLICT (email_normalized) DO NOTHING
         RETURNING id",
    )
    .bind(leads.iter().map(|l| l.id).collect::<Vec<_>>())
    .bind(col(|l| l.first_name.as_str().to_owned()))
    .bind(col(|l| l.last_name.as_str().to_owned()))
    .bind(col(|l| l.email.as_str().to_owned()))
    .bind(col(|l| l.email.normalized()))
    .bind(leads.iter().map(|l| l.created_at).collect::<Vec<_>>())
    .bind(opt(|l| l.resume.as_ref().map(|r| r.file_name.clone())))
    .bind(opt(|l| l.resume.as_ref().map(|r| r.content_type.clone())))
    .bind(leads.iter().map(|l| l.resume.as_ref().map(|r| r.size)).collect::<Vec<_>>())
    .bind(opt(|l| l.resume.as_ref().map(|r| r.sha256.clone())))
    .bind(opt(|l| l.resume.as_ref().map(|r| r.key.clone())))
    .bind(opt(|l| l.origin.referrer.clone()))
    .bind(opt(|l| l.origin.utm_source.clone()))
    .bind(opt(|l| l.origin.utm_medium.clone()))
    .bind(opt(|l| l.origin.utm_campaign.clone()))
    .bind(opt(|l| l.intake.as_ref().and_then(|i| i.matter_type.clone())))
    .bind(col(|l| l.intake.as_ref().map(|i| i.searchable.clone()).unwrap_or_default()))
    .fetch_all(&mut *tx)
    .await?;
    Ok(stored.into_iter().collect())
}

/// One statement for every email of the group's stored leads.
async fn insert_messages(tx: &mut PgConnection, kept: &[&Job]) -> Result<(), DbError> {
    let messages: Vec<(&NewLead, &NewMessage)> =
        kept.iter().flat_map(|j| j.messages.iter().map(move |m| (&j.lead, m))).collect();
    if !messages.is_empty() {
        sqlx::query(
            "INSERT INTO outbox (id, lead_id, kind, recipients, reply_to, subject, body_text, body_html,
                 status, attempts, next_attempt_at, created_at)
             SELECT id, lead_id, kind, r, rt, s, bt, bh, 'QUEUED', 0, t, t
             FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                         $8::text[], $9::bigint[])
                  AS u (id, lead_id, kind, r, rt, s, bt, bh, t)",
        )
        .bind(messages.iter().map(|(_, m)| m.id).collect::<Vec<_>>())
        .bind(messages.iter().map(|(l, _)| l.id).collect::<Vec<_>>())
        .bind(messages.iter().map(|(_, m)| m.kind.to_owned()).collect::<Vec<_>>())
        .bind(messages.iter().map(|(_, m)| m.recipients.clone()).collect::<Vec<_>>())
        .bind(messages.iter().map(|(_, m)| m.reply_to.clone()).collect::<Vec<_>>())
        .bind(messages.iter().map(|(_, m)| m.subject.clone()).collect::<Vec<_>>())
        .bind(messages.iter().map(|(_, m)| m.body_text.clone()).collect::<Vec<_>>())
        .bind(messages.iter().map(|(_, m)| m.body_html.clone()).collect::<Vec<_>>())
        .bind(messages.iter().map(|(l, _)| l.created_at).collect::<Vec<_>>())
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// One statement for the group's answers (leads sent with a form or a language).
async fn insert_answers(tx: &mut PgConnection, kept: &[&Job]) -> Result<(), DbError> {
    let rows: Vec<(Uuid, &intake_domain::questions::LeadIntake)> =
        kept.iter().filter_map(|j| j.lead.intake.as_ref().map(|i| (j.lead.id, i))).collect();
    if !rows.is_empty() {
        sqlx::query(
            "INSERT INTO lead_answers (lead_id, lang, form_version, matter_type, answers, consent_at)
             SELECT * FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::bigint[])",
        )
        .bind(rows.iter().map(|(id, _)| *id).collect::<Vec<_>>())
        .bind(rows.iter().map(|(_, i)| i.lang.code().to_owned()).collect::<Vec<_>>())
        .bind(rows.iter().map(|(_, i)| i.form_version).collect::<Vec<_>>())
        .bind(rows.iter().map(|(_, i)| i.matter_type.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|(_, i)| crate::leads::answers_json(i)).collect::<Vec<_>>())
        .bind(rows.iter().map(|(_, i)| i.consent_at).collect::<Vec<_>>())
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// One statement for the group's document files.
async fn insert_documents(tx: &mut PgConnection, kept: &[&Job]) -> Result<(), DbError> {
    let rows: Vec<(Uuid, &crate::Document)> =
        kept.iter().flat_map(|j| j.lead.documents.iter().map(move |d| (j.lead.id, d))).collect();
    if !rows.is_empty() {
        sqlx::query(
            "INSERT INTO lead_documents (lead_id, question_key, file_name, content_type, size, sha256, file_key)
             SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[])",
        )
        .bind(rows.iter().map(|(id, _)| *id).collect::<Vec<_>>())
        .bind(rows.iter().map(|(_, d)| d.question_key.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|(_, d)| d.file.file_name.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|(_, d)| d.file.content_type.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|(_, d)| d.file.size).collect::<Vec<_>>())
        .bind(rows.iter().map(|(_, d)| d.file.sha256.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|(_, d)| d.file.key.clone()).collect::<Vec<_>>())
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// The stored leads' `CREATED` events, in id order.
async fn insert_events(tx: &mut PgConnection, kept: &[&Job]) -> Result<Vec<LiveEvent>, DbError> {
    let rows = sqlx::query(
        "INSERT INTO lead_events (lead_id, kind, state, at)
         SELECT lead_id, 'CREATED', 'PENDING', at FROM unnest($1::uuid[], $2::bigint[]) AS u (lead_id, at)
         RETURNING id, lead_id",
    )
    .bind(kept.iter().map(|j| j.lead.id).collect::<Vec<_>>())
    .bind(kept.iter().map(|j| j.lead.created_at).collect::<Vec<_>>())
    .fetch_all(&mut *tx)
    .await?;
    let mut ids = HashMap::with_capacity(rows.len());
    for r in &rows {
        ids.insert(r.try_get::<Uuid, _>("lead_id")?, r.try_get::<i64, _>("id")?);
    }
    let mut events: Vec<LiveEvent> = Vec::with_capacity(kept.len());
    for j in kept {
        let id = *ids.get(&j.lead.id).ok_or_else(|| DbError::Worker("an event id is missing".into()))?;
        events.push(created_event(id, &j.lead));
    }
    events.sort_by_key(|e| e.id);
    Ok(events)
}
