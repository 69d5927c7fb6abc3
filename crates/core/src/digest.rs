//! The daily follow-up digest: at `INTAKE_DIGEST_HOUR` (UTC), each active
//! attorney is emailed the overdue leads assigned to them and the overdue
//! leads nobody has (attorneys with neither get nothing). The day is claimed
//! with its emails in one transaction, so it goes out once however many
//! instances run, and a restart after it went out sends nothing again.

use crate::{config::Config, error::Error, mail::compose, services::Services};
use intake_domain::{LeadState, filter::LeadFilter, listing::LeadSummary, time::iso_utc};
use intake_store::{Attorney, Db, NewMessage, dashboard::ListQuery, dashboard::OwnerIs, now_ms};
use std::time::Duration;

/// Leads listed per section of a digest; the rest are counted and linked.
pub const SHOWN: i64 = 20;

/// How often an instance checks whether the day's digest is due.
const CHECK_EVERY: Duration = Duration::from_secs(300);

/// Queues the digest for the day of `now` if it is due (past the digest
/// hour, unless `now_anyway`) and not sent yet; returns how many emails were
/// queued (`None`: not due, or already sent).
pub async fn queue(db: &Db, config: &Config, now: i64, now_anyway: bool) -> Result<Option<usize>, Error> {
    let Some(follow_up) = config.leads.follow_up.map(|d| d.as_millis() as i64) else { return Ok(None) };
    let hour = (now.div_euclid(3_600_000)).rem_euclid(24) as u32;
    match config.mail.digest_hour {
        _ if now_anyway => {}
        Some(h) if hour >= h => {}
        _ => return Ok(None),
    }
    let day = iso_utc(now)[..10].to_owned();
    if db.digests().digest_sent(&day).await? {
        return Ok(None);
    }
    let overdue = LeadFilter { state: Some(LeadState::Pending), overdue: true, ..LeadFilter::default() };
    let created_before = Some(now - follow_up);
    let section = |owner| {
        let overdue = &overdue;
        async move {
            let q = ListQuery { filter: overdue, owner, created_before };
            let listed = db.dashboard().list(&q, SHOWN).await?;
            Ok::<(Vec<LeadSummary>, i64), Error>((listed.rows, listed.total))
        }
    };
    let (unassigned, unassigned_total) = section(OwnerIs::Nobody).await?;
    let attorneys: Vec<Attorney> = db.accounts().list().await?.into_iter().filter(Attorney::is_active).collect();
    let mut messages: Vec<NewMessage> = Vec::new();
    for a in &attorneys {
        let (mine, mine_total) = section(OwnerIs::Attorney(a.id)).await?;
        if mine_total + unassigned_total > 0 {
            messages.push(compose::digest(config, a, &mine, mine_total, &unassigned, unassigned_total, now));
        }
    }
    // Claimed even with nothing to report: the day's digest has been done.
    if !db.digests().claim_digest(&day, now, &messages).await? {
        return Ok(None);
    }
    Ok(Some(messages.len()))
}

/// Checks soon after start-up, then every few minutes, until shutdown
/// (not at all when `INTAKE_DIGEST_HOUR=off` or there is no deadline).
pub async fn run(state: Services) {
    if state.config.mail.digest_hour.is_none() || state.config.leads.follow_up.is_none() {
        return;
    }
    let mut shutdown = state.shutdown.clone();
    let mut wait = Duration::from_secs(5);
    loop {
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.wait_for(|s| *s) => return,
        }
        match queue(&state.db, &state.config, now_ms(), false).await {
            Ok(Some(n)) => {
                state.outbox_wake.notify();
                tracing::info!(emails = n, "follow-up digest queued");
            }
            Ok(None) => {}
            Err(e) => tracing::error!(error = %e, "follow-up digest failed"),
        }
        wait = CHECK_EVERY;
    }
}
