//! Erasing leads: by an administrator (with a reason), or by the retention
//! period (`INTAKE_RETENTION`). The database forgets the lead in one
//! transaction and keeps a tombstone; the resume file goes right after, and
//! a file that could not be deleted then is deleted by the next sweep.

use crate::{error::Error, services::Services};
use intake_domain::{erasure::ErasureReason, erasure::check_erasure};
use intake_store::{Attorney, erasures::Why, now_ms};
use std::time::Duration;
use uuid::Uuid;

/// Leads erased per sweep batch.
const BATCH: i64 = 100;
/// Time between sweeps (pending files, then expired leads).
const SWEEP_EVERY: Duration = Duration::from_secs(3600);

/// Erases a lead now, for an administrator's listed reason and reference.
pub async fn erase(state: &Services, id: Uuid, by: &Attorney, reason: &str, reference: &str) -> Result<(), Error> {
    let (reason, reference) = check_erasure(reason, reference).map_err(Error::BadParam)?;
    erase_for(state, id, Some(by), reason, &reference).await
}

/// Erases a lead; `by` is `None` for the retention period.
async fn erase_for(
    state: &Services,
    id: Uuid,
    by: Option<&Attorney>,
    reason: ErasureReason,
    reference: &str,
) -> Result<(), Error> {
    let why = Why { reason: reason.as_str(), reference };
    let erased = state.db.erasures().erase(id, by.map(|a| a.id), &why, now_ms()).await?;
    let Some(erased) = erased else { return Err(Error::NotFound("lead")) };
    // Nothing personal in the log: the id and who.
    tracing::info!(lead = %id, by = by.map(|a| a.email.as_str()).unwrap_or("retention"), "lead erased");
    for key in erased.resume_key.iter().chain(&erased.documents) {
        delete_file(state, id, key).await;
    }
    if state.config.mail.smtp_url.is_none() {
        // Without SMTP, emails are `.eml` files, holding the prospect's details too.
        delete_emls(state, &erased.messages).await;
    }
    Ok(())
}

async fn delete_file(state: &Services, id: Uuid, key: &str) {
    match state.resumes.delete(key).await {
        Ok(()) => {
            if let Err(e) = state.db.erasures().file_deleted(id, key).await {
                tracing::warn!(lead = %id, error = %e, "cannot record an erased resume's deletion; will retry");
            }
        }
        Err(e) => tracing::warn!(lead = %id, error = %e, "cannot delete an erased lead's resume yet; will retry"),
    }
}

/// Empties the bodies of emails and webhook deliveries older than
/// `INTAKE_OUTBOX_RETENTION` once they are sent or given up on (their status
/// rows stay, for the lead's page), and their `.eml` files; returns how many.
pub async fn forget_old_messages(state: &Services) -> Result<usize, Error> {
    let before = now_ms() - state.config.data.outbox_retention.as_millis() as i64;
    let mut forgotten = 0;
    loop {
        let ids = state.db.outbox().forget_bodies(before, BATCH).await?;
        if state.config.mail.smtp_url.is_none() {
            delete_emls(state, &ids).await;
        }
        forgotten += ids.len();
        if (ids.len() as i64) < BATCH {
            // The emptied bodies' old copies leave the database's files too
            // (a busy WAL is truncated after the next erasure or sweep).
            if forgotten > 0
                && let Err(e) = state.db.erasures().scrub().await
            {
                tracing::warn!(error = %e, "cannot scrub the database after forgetting message bodies");
            }
            return Ok(forgotten);
        }
    }
}

/// Deletes these messages' `.eml` files (written when no SMTP server is set).
async fn delete_emls(state: &Services, ids: &[Uuid]) {
    for m in ids {
        let path = state.config.outbox_dir().join(format!("{m}.eml"));
        if let Err(e) = tokio::fs::remove_file(&path).await
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(message = %m, error = %e, "cannot delete an email file");
        }
    }
}

/// Finishes interrupted file deletions, forgets old message bodies, then
/// erases leads past the retention period.
pub async fn sweep(state: &Services) -> Result<usize, Error> {
    for (id, key) in state.db.erasures().pending_files(BATCH).await? {
        delete_file(state, id, &key).await;
    }
    let forgotten = forget_old_messages(state).await?;
    if forgotten > 0 {
        tracing::info!(messages = forgotten, "outbox retention: sent message bodies deleted");
    }
    let Some(keep) = state.config.data.retention else { return Ok(0) };
    let mut erased = 0;
    loop {
        let before = now_ms() - keep.as_millis() as i64;
        let expired = state.db.erasures().created_before(before, BATCH).await?;
        for id in &expired {
            match erase_for(state, *id, None, ErasureReason::Retention, &state.config.data.retention_label).await {
                Ok(()) => erased += 1,
                // Erased meanwhile by another instance or an administrator.
                Err(Error::NotFound(_)) => {}
                Err(e) => return Err(e),
            }
        }
        if (expired.len() as i64) < BATCH {
            return Ok(erased);
        }
    }
}

/// Sweeps soon after start-up, then every hour, until shutdown.
pub async fn sweep_continuously(state: Services) {
    let mut shutdown = state.shutdown.clone();
    let mut wait = Duration::from_secs(1);
    loop {
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.wait_for(|s| *s) => return,
        }
        match sweep(&state).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(erased = n, "retention period: leads erased"),
            Err(e) => tracing::error!(error = %e, "erasure sweep failed"),
        }
        wait = SWEEP_EVERY;
    }
}
