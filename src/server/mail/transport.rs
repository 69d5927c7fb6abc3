//! Where messages go: an SMTP server, or `.eml` files when none is configured.

use crate::server::{config::Config, db::OutboxMessage};
use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, Mailboxes, MultiPart},
};
use std::{path::PathBuf, time::Duration};

/// A failed delivery; `permanent` failures (5xx, bad addresses) are not retried.
#[derive(Debug)]
pub struct SendError {
    pub permanent: bool,
    pub message: String,
}

/// The configured transport.
#[derive(Clone)]
pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(PathBuf),
}

impl Transport {
    pub fn from_config(config: &Config) -> Result<Self, String> {
        match &config.smtp_url {
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

    pub async fn send(&self, from: &Mailbox, msg: &OutboxMessage) -> Result<(), SendError> {
        let email = build(from, msg).map_err(|message| SendError { permanent: true, message })?;
        match self {
            Self::Smtp(smtp) => smtp
                .send(email)
                .await
                .map(|_| ())
                .map_err(|e| SendError { permanent: e.is_permanent(), message: e.to_string() }),
            Self::Files(dir) => write_eml(dir, msg, email.formatted()).await.map_err(|e| SendError {
                permanent: false,
                message: format!("cannot write to {}: {e}", dir.display()),
            }),
        }
    }
}

async fn write_eml(dir: &std::path::Path, msg: &OutboxMessage, bytes: Vec<u8>) -> std::io::Result<()> {
    let (tmp, path) = (dir.join(format!(".{}.eml.tmp", msg.id)), dir.join(format!("{}.eml", msg.id)));
    let dir = dir.to_owned();
    // One trip to the blocking pool rather than one per file operation.
    tokio::task::spawn_blocking(move || {
        std::fs::create_dir_all(dir)?;
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, path)
    })
    .await
    .map_err(std::io::Error::other)??;
    tracing::info!(id = %msg.id, to = %msg.recipients, subject = %msg.subject, "email written to outbox folder (no SMTP_URL set)");
    Ok(())
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
