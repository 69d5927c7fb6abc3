//! Drains the outbox, one sender per channel (email, webhooks): claims due
//! messages under a short lease, renews it while it delivers (a heartbeat),
//! and records the outcome. Transient failures retry with exponential
//! backoff; a restart resumes from the table, so nothing queued is lost, and
//! a dead sender's messages are free again as soon as its lease runs out
//! (SQLite frees them at start-up).

use async_trait::async_trait;
use intake_store::{Db, OutboxMessage, now_ms, outbox::Channel, outbox::Claim};
use std::{sync::Arc, time::Duration};
use tokio::sync::{Notify, watch};
use uuid::Uuid;

/// A failed delivery; `permanent` failures (5xx, bad addresses, a removed
/// webhook endpoint) are not retried.
#[derive(Debug)]
pub struct SendError {
    pub permanent: bool,
    pub message: String,
}

impl SendError {
    pub fn transient(message: impl Into<String>) -> Self {
        Self { permanent: false, message: message.into() }
    }

    pub fn permanent(message: impl Into<String>) -> Self {
        Self { permanent: true, message: message.into() }
    }
}

/// How one channel delivers a claimed batch.
#[async_trait]
pub trait Deliver: Send + Sync + 'static {
    const CHANNEL: Channel;

    /// One result per message, in order.
    async fn deliver(&self, db: &Db, batch: &[OutboxMessage]) -> Vec<Result<(), SendError>>;
}

/// Wakes every channel's sender when messages are queued.
#[derive(Debug, Default)]
pub struct Wake {
    email: Notify,
    webhook: Notify,
}

impl Wake {
    pub fn notify(&self) {
        self.email.notify_one();
        self.webhook.notify_one();
    }

    fn of(&self, channel: Channel) -> &Notify {
        match channel {
            Channel::Email => &self.email,
            Channel::Webhook => &self.webhook,
        }
    }
}

/// Longest idle sleep, so a message whose lease expired is picked up again.
const MAX_IDLE: Duration = Duration::from_secs(30);
const BATCH: i64 = 64;
/// After a wake-up or a partial batch, a sender waits this long before it
/// claims, so a burst's messages go out in one claim, one delivery and one
/// write instead of a claim per submission: woken per submission, the two
/// senders made up to six queries per lead, more than the lead's own insert.
const GATHER: Duration = Duration::from_millis(20);
/// Deliveries one webhook endpoint's worker claims at a time.
const ENDPOINT_BATCH: i64 = 16;
/// Endpoints delivered to at once, per instance.
const MAX_ENDPOINTS: usize = 64;

/// Everything a channel's sender needs.
pub struct Sender<D> {
    pub db: Db,
    pub channel: D,
    pub wake: Arc<Wake>,
    pub retry_base: Duration,
    pub retry_max: Duration,
    /// How long a claimed message stays reserved for this sender without a
    /// heartbeat; renewed every third of it while a batch is being sent.
    pub lease: Duration,
    /// Attempts before a message is given up on; `None`: retried until it succeeds.
    pub max_attempts: Option<i64>,
    /// Whose leases these are: one id per sender.
    pub instance: Uuid,
}

impl<D: Deliver> Sender<D> {
    /// Runs until `shutdown` turns true. (A dead run's leases are released
    /// before any sender starts: see `Application::build`.)
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let channel = D::CHANNEL.as_str();
        loop {
            if *shutdown.borrow() {
                // Between batches: nothing is being sent, so another instance may take over at once.
                if let Err(e) = self.db.outbox().release_leases(Some(self.instance)).await {
                    tracing::warn!(error = %e, channel, "cannot release leases at shutdown");
                }
                return;
            }
            let claimed = self.one_batch(None, BATCH).await;
            if claimed > 0 {
                if claimed < BATCH as usize {
                    tokio::time::sleep(GATHER).await;
                }
                continue;
            }
            let idle = self.idle().await;
            tokio::select! {
                _ = self.wake.of(D::CHANNEL).notified() => tokio::time::sleep(GATHER).await,
                _ = tokio::time::sleep(idle) => {}
                _ = shutdown.changed() => {}
            }
        }
    }

    /// Like [`Sender::run`], with one worker per webhook endpoint: each
    /// endpoint's deliveries go at its own pace, so one that hangs holds
    /// only its own worker (its slots), never the others' deliveries.
    pub async fn run_per_endpoint(self, mut shutdown: watch::Receiver<bool>) {
        let this = Arc::new(self);
        let channel = D::CHANNEL.as_str();
        let mut workers: tokio::task::JoinSet<()> = tokio::task::JoinSet::new();
        // Endpoints with a worker, by the worker's task.
        let mut busy: std::collections::HashMap<tokio::task::Id, Uuid> = std::collections::HashMap::new();
        loop {
            if *shutdown.borrow() {
                // In-flight deliveries are abandoned; their leases are freed so another instance sends them.
                workers.shutdown().await;
                if let Err(e) = this.db.outbox().release_leases(Some(this.instance)).await {
                    tracing::warn!(error = %e, channel, "cannot release leases at shutdown");
                }
                return;
            }
            // Busy endpoints may be listed too (their backlog waits): ask for enough to find the others.
            match this.db.outbox().due_endpoints(now_ms(), (MAX_ENDPOINTS + busy.len()) as i64).await {
                Ok(due) => {
                    for endpoint in due {
                        if busy.len() >= MAX_ENDPOINTS || busy.values().any(|e| *e == endpoint) {
                            continue;
                        }
                        let worker = this.clone();
                        let task = workers.spawn(async move {
                            // Until this endpoint has nothing due: a batch at a time, in order.
                            while worker.one_batch(Some(endpoint), ENDPOINT_BATCH).await > 0 {}
                        });
                        busy.insert(task.id(), endpoint);
                    }
                }
                Err(e) => tracing::error!(error = %e, channel, "cannot read the outbox"),
            }
            // A busy endpoint's backlog is due but not ours to start again: look again a little later.
            let floor = if busy.is_empty() { Duration::ZERO } else { Duration::from_millis(250) };
            let idle = this.idle().await.max(floor);
            tokio::select! {
                _ = this.wake.of(D::CHANNEL).notified() => tokio::time::sleep(GATHER).await,
                _ = tokio::time::sleep(idle) => {}
                _ = shutdown.changed() => {}
                Some(done) = workers.join_next_with_id() => {
                    let task = match done {
                        Ok((task, ())) => task,
                        Err(e) => {
                            tracing::error!(error = %e, channel, "a webhook endpoint's sender failed");
                            e.id()
                        }
                    };
                    busy.remove(&task);
                }
            }
        }
    }

    /// Claims and delivers one batch (of one endpoint's, if given); how many messages it claimed.
    async fn one_batch(&self, endpoint: Option<Uuid>, limit: i64) -> usize {
        let channel = D::CHANNEL.as_str();
        let claim = Claim {
            channel: D::CHANNEL,
            owner: self.instance,
            now: now_ms(),
            lease_ms: self.lease_ms(),
            limit,
            endpoint,
        };
        let batch = match self.db.outbox().claim_due(&claim).await {
            Ok(batch) => batch,
            Err(e) => {
                tracing::error!(error = %e, channel, "cannot read the outbox");
                return 0;
            }
        };
        let mut sent = Vec::with_capacity(batch.len());
        let results = self.with_heartbeat(self.channel.deliver(&self.db, &batch)).await;
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
            tracing::error!(error = %e, channel, "cannot record deliveries");
        }
        batch.len()
    }

    /// How long to sleep when nothing is due.
    async fn idle(&self) -> Duration {
        match self.db.outbox().next_due(D::CHANNEL).await {
            Ok(Some(due)) => Duration::from_millis((due - now_ms()).clamp(0, MAX_IDLE.as_millis() as i64) as u64),
            _ => MAX_IDLE,
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
                        tracing::warn!(error = %e, channel = D::CHANNEL.as_str(), "cannot renew leases");
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
                tracing::debug!(id = %msg.id, kind = %msg.kind, channel = D::CHANNEL.as_str(), "delivered");
                return true;
            }
            Err(err) => {
                let attempt = msg.attempts + 1;
                let give_up = err.permanent || self.max_attempts.is_some_and(|max| attempt >= max);
                let next = (!give_up).then(|| now_ms() + self.backoff(msg.attempts).as_millis() as i64);
                // A mail server's refusal often quotes the address: logs outlive erasure, so never it.
                tracing::warn!(
                    id = %msg.id, kind = %msg.kind, channel = D::CHANNEL.as_str(), attempt, give_up,
                    error = %redact_addresses(&err.message), "delivery failed"
                );
                self.db.outbox().mark_attempt_failed(msg.id, &err.message, next).await
            }
        };
        if let Err(e) = recorded {
            tracing::error!(id = %msg.id, error = %e, "cannot record a delivery's outcome");
        }
        false
    }

    /// `retry_base * 2^attempts`, capped at `retry_max`.
    fn backoff(&self, attempts: i64) -> Duration {
        let factor = 1u32 << attempts.clamp(0, 20) as u32;
        self.retry_base.saturating_mul(factor).min(self.retry_max)
    }
}

/// `text` with every word that holds an `@` (an email address, a URL's
/// credentials) replaced by `<address>`.
pub fn redact_addresses(text: &str) -> String {
    let is_separator = |c: char| c.is_whitespace() || "<>\"'(),;[]".contains(c);
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        out.push_str(if word.contains('@') { "<address>" } else { word });
        word.clear();
    };
    for c in text.chars() {
        if is_separator(c) {
            flush(&mut word, &mut out);
            out.push(c);
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn addresses_are_kept_out_of_logged_errors() {
        assert_eq!(
            super::redact_addresses("550 5.1.1 <ada@example.com>: Recipient address rejected"),
            "550 5.1.1 <<address>>: Recipient address rejected"
        );
        assert_eq!(super::redact_addresses("bad recipients \"Ada\" <a@b.c>"), "bad recipients \"Ada\" <<address>>");
        assert_eq!(super::redact_addresses("timed out"), "timed out");
    }
}
