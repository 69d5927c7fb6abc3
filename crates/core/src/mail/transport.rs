//! Where messages go: an SMTP server, or `.eml` files when none is configured.

use crate::{config::Config, outbox::Deliver, outbox::SendError};
use async_trait::async_trait;
use intake_store::{Db, OutboxMessage, outbox::Channel};
use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, Mailboxes, MultiPart},
};
use std::{path::PathBuf, time::Duration};

/// The configured transport.
#[derive(Clone)]
pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(PathBuf),
}

/// The email channel of the outbox: a transport and the sender's address.
pub struct Mailer {
    pub transport: Transport,
    pub from: Mailbox,
}

#[async_trait]
impl Deliver for Mailer {
    const CHANNEL: Channel = Channel::Email;

    async fn deliver(&self, db: &Db, batch: &[OutboxMessage]) -> Vec<Result<(), SendError>> {
        // Links get their secret now (see `links`); a link that cannot go out fails alone.
        let mut prepared = Vec::with_capacity(batch.len());
        for m in batch {
            prepared.push(super::links::fill_in(db, m).await);
        }
        let ready: Vec<&OutboxMessage> = prepared.iter().filter_map(|p| p.as_deref().ok()).collect();
        let mut sent = self.transport.send_all(&self.from, &ready).await.into_iter();
        prepared
            .into_iter()
            .map(|p| match p {
                Ok(_) => sent.next().unwrap_or_else(|| Err(SendError::transient("not sent"))),
                Err(e) => Err(e),
            })
            .collect()
    }
}

impl Transport {
    pub fn from_config(config: &Config) -> Result<Self, String> {
        match &config.mail.smtp_url {
            Some(url) => {
                let smtp = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
                    .map_err(|e| e.to_string())?
                    .timeout(Some(Duration::from_secs(30)))
                    .build();
                Ok(Self::Smtp(smtp))
            }
            None => Ok(Self::Files(config.outbox_dir())),
        }
    }

    /// Sends each message in order; one result per message.
    pub async fn send_all(&self, from: &Mailbox, msgs: &[&OutboxMessage]) -> Vec<Result<(), SendError>> {
        let built: Vec<Result<Message, SendError>> =
            msgs.iter().map(|m| build(from, m).map_err(|message| SendError { permanent: true, message })).collect();
        match self {
            Self::Smtp(smtp) => {
                let mut out = Vec::with_capacity(msgs.len());
                for email in built {
                    out.push(match email {
                        Ok(email) => smtp
                            .send(email)
                            .await
                            .map(|_| ())
                            .map_err(|e| SendError { permanent: e.is_permanent(), message: e.to_string() }),
                        Err(e) => Err(e),
                    });
                }
                out
            }
            Self::Files(dir) => write_emls(dir, msgs, built).await,
        }
    }
}

/// Writes each message as `<id>.eml` (via a temporary name, so readers never
/// see half a file), all in one trip to the blocking pool.
async fn write_emls(
    dir: &std::path::Path,
    msgs: &[&OutboxMessage],
    built: Vec<Result<Message, SendError>>,
) -> Vec<Result<(), SendError>> {
    let jobs: Vec<_> = msgs.iter().zip(built).map(|(m, b)| (m.id, b.map(|e| e.formatted()))).collect();
    let n = jobs.len();
    let dir = dir.to_owned();
    let written = tokio::task::spawn_blocking(move || {
        let ready = std::fs::create_dir_all(&dir);
        jobs.into_iter()
            .map(|(id, bytes)| {
                let bytes = bytes?;
                let io = |e: std::io::Error| SendError {
                    permanent: false,
                    message: format!("cannot write to {}: {e}", dir.display()),
                };
                ready.as_ref().map_err(|e| io(std::io::Error::new(e.kind(), e.to_string())))?;
                let tmp = dir.join(format!(".{id}.eml.tmp"));
                std::fs::write(&tmp, bytes).map_err(io)?;
                std::fs::rename(&tmp, dir.join(format!("{id}.eml"))).map_err(io)
            })
            .collect::<Vec<_>>()
    })
    .await;
    let written = written.unwrap_or_else(|e| {
        (0..n).map(|_| Err(SendError { permanent: false, message: format!("writer task failed: {e}") })).collect()
    });
    for (m, r) in msgs.iter().zip(&written) {
        if r.is_ok() {
            // No recipient or subject: both may name a prospect, and logs outlive erasure.
            tracing::info!(id = %m.id, kind = %m.kind, "email written to the outbox folder (no SMTP_URL set)");
        }
    }
    written
}

fn build(from: &Mailbox, msg: &OutboxMessage) -> Result<Message, String> {
    let to: Mailboxes = msg.recipients.parse().map_err(|e| format!("bad recipients {:?}: {e}", msg.recipients))?;
    let mut builder = Message::builder()
        .from(from.clone())
        .subject(msg.subject.clone())
        // Stable id: a message re-sent after a crash mid-send can be recognised as a duplicate.
        .message_id(Some(format!("<{}@intake>", msg.id)));
    for mb in to {
        builder = builder.to(mb);
    }
    if let Some(reply_to) = &msg.reply_to {
        builder = builder.reply_to(reply_to.parse().map_err(|e| format!("bad reply-to: {e}"))?);
    }
    builder
        .multipart(MultiPart::alternative_plain_html(msg.body_text.clone(), msg.body_html.clone()))
        .map_err(|e| e.to_string())
}
