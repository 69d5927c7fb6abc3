//! One-time links go out without ever being stored: an invitation or reset
//! email waits in the outbox with [`compose::LINK_SECRET`] where the secret
//! goes; when it is sent, a new secret is made, its hash given to the link,
//! and the secret put into this copy of the email only. Each attempt makes
//! a new one (a retry after a failed attempt sends a link that works; an
//! earlier copy stops working), and a link used, replaced, retired or
//! expired meanwhile is not sent at all.

use super::compose;
use crate::{auth::token::hash_secret, auth::token::random_base64url, outbox::SendError};
use intake_store::{Db, OutboxMessage, now_ms};
use std::borrow::Cow;

/// The message as it is to be sent, borrowed as stored unless it carries a
/// link, which gets its secret in a copy.
pub async fn fill_in<'a>(db: &Db, msg: &'a OutboxMessage) -> Result<Cow<'a, OutboxMessage>, SendError> {
    let Some(link) = msg.link_id else { return Ok(Cow::Borrowed(msg)) };
    let secret = random_base64url("");
    let issued = db
        .account_admin()
        .issue_link_secret(link, &hash_secret(&secret), now_ms())
        .await
        .map_err(|e| SendError::transient(format!("cannot prepare the link: {e}")))?;
    if !issued {
        return Err(SendError::permanent("the link was used, replaced or withdrawn, or expired, before it was sent"));
    }
    let mut out = msg.clone();
    // The secret is base64url: nothing in it needs escaping in HTML.
    out.body_text = out.body_text.replace(compose::LINK_SECRET, &secret);
    out.body_html = out.body_html.replace(compose::LINK_SECRET, &secret);
    Ok(Cow::Owned(out))
}
