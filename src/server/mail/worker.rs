//! Drains the outbox: claims due messages under a short lease, renews it
//! while it sends (a heartbeat), and records the outcome. Transient failures
//! retry with exponential backoff; a restart resumes from the table, so
//! nothing queued is lost, and a dead sender's messages are free again as
//! soon as its lease runs out (SQLite frees them at start-up).

use super::transport::{SendError, Transport};
use crate::server::db::{Db, OutboxMessage, now_ms};
use lettre::message::Mailbox;
use std::{sync::Arc, time::Duration};
use tokio::sync::{Notify, watch};
use uuid::Uuid;

/// Longest idle sleep, so a message whose lease expired is picked up again.
const MAX_IDLE: Duration = Duration::from_secs(30);
const BATCH: i64 = 64;

/// Everything the sender needs.
pub struct Sender {
    pub db: Db,
    pub transport: Transport,
    pub from: Mailbox,
    pub wake: Arc<Notify>,
    pub retry_base: Duration,
    pub retry_max: Duration,
    /// How long a claimed message stays reserved for this sender without a
    /// heartbeat; renewed every third of it while a batch is being sent.
    pub lease: Duration,
    /// Whose leases these are: one id per process.
    pub instance: Uuid,
}

impl Sender {
    /// Runs until `shutdown` turns true.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        if let Err(e) = self.db.outbox().release_leases(None).await {
            tracing::error!(error = %e, "cannot release the email leases of an earlier run");
        }
        loop {
            if *shutdown.borrow() {
                // Between batches: nothing is being sent, so another instance may take over at once.
                if let Err(e) = self.db.outbox().release_leases(Some(self.instance)).await {
                    tracing::warn!(error = %e, "cannot release email leases at shutdown");
                }
                return;
            }
            let claimed = self.db.outbox().claim_due(self.instance, now_ms(), self.lease_ms(), BATCH).await;
            let sent_any = match claimed {
                Ok(batch) => {
                    let n = batch.len();
                    let mut sent = Vec::with_capacity(n);
                    let results = self.with_heartbeat(self.transport.send_all(&self.from, &batch)).await;
                    for (msg, result) in batch.iter().zip(results) {
                        if self.record(msg, result).await {
                            sent.push(msg.id);
                        }
                    }
                    // One write for the whole batch: the outbox must not compete with new leads.
                    if !sent.is_empty()
                        && let Err(e) = self.db.outbox().mark_sent(&sent, now_ms()).await
                    {
                        // The leases expire and the messages are tried again: at-least-once.
                        tracing::error!(error = %e, "cannot record sent emails");
                    }
                    n > 0
                }
                Err(e) => {
                    tracing::error!(error = %e, "cannot read the email outbox");
                    false
                }
            };
            if sent_any {
                continue;
            }
            let idle = match self.db.outbox().next_due().await {
                Ok(Some(due)) => Duration::from_millis((due - now_ms()).clamp(0, MAX_IDLE.as_millis() as i64) as u64),
                _ => MAX_IDLE,
            };
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(idle) => {}
                _ = shutdown.changed() => {}
            }
        }
    }

    fn lease_ms(&self) -> i64 {
        self.lease.as_millis() as i64
    }

    /// Runs `work`, renewing this sender's leases every third of a lease, so
    /// a slow SMTP server never lets another instance send the same message.
    async fn with_heartbeat<T>(&self, work: impl Future<Output = T>) -> T {
        tokio::pin!(work);
        let period = self.lease / 3;
        loop {
            tokio::select! {
                out = &mut work => return out,
                _ = tokio::time::sleep(period) => {
                    if let Err(e) = self.db.outbox().renew_leases(self.instance, now_ms() + self.lease_ms()).await {
                        tracing::warn!(error = %e, "cannot renew email leases");
                    }
                }
            }
        }
    }

    /// Handles one delivery outcome: true when the server accepted it (the
    /// caller records those together); a failure is recorded here.
    async fn record(&self, msg: &OutboxMessage, result: Result<(), SendError>) -> bool {
        let recorded = match result {
            Ok(()) => {
                tracing::debug!(id = %msg.id, kind = %msg.kind, "email sent");
                return true;
            }
            Err(err) => {
                let next = (!err.permanent).then(|| now_ms() + self.backoff(msg.attempts).as_millis() as i64);
                tracing::warn!(
                    id = %msg.id, kind = %msg.kind, attempt = msg.attempts + 1, permanent = err.permanent,
                    error = %err.message, "email delivery failed"
                );
                self.db.outbox().mark_attempt_failed(msg.id, &err.message, next).await
            }
        };
        if let Err(e) = recorded {
            tracing::error!(id = %msg.id, error = %e, "cannot record email delivery outcome");
        }
        false
    }

    /// `retry_base * 2^attempts`, capped at `retry_max`.
    fn backoff(&self, attempts: i64) -> Duration {
        let factor = 1u32 << attempts.clamp(0, 20) as u32;
        self.retry_base.saturating_mul(factor).min(self.retry_max)
    }
}
