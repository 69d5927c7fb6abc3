//! What the integrations page (`/admin`) shows and sends: API tokens and
//! webhook endpoints, never their secrets except once, when made.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Longest token name.
pub const MAX_TOKEN_NAME: usize = 100;

/// An API token as listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRow {
    pub id: Uuid,
    pub name: String,
    /// `read` or `write`.
    pub scope: String,
    /// The account it acts as.
    pub owner_email: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked: bool,
    /// When it stops working by itself (`None`: never).
    #[serde(default)]
    pub expires_at: Option<i64>,
}

/// A webhook endpoint as listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookRow {
    pub id: Uuid,
    pub url: String,
    pub created_at: i64,
    pub removed: bool,
}

/// An erased lead's tombstone, as the audit trail shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErasureRow {
    pub lead_id: Uuid,
    /// `None`: the retention period erased it.
    pub erased_by: Option<String>,
    pub erased_at: i64,
    pub reason: String,
}

/// Everything on the administration page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Integrations {
    pub tokens: Vec<TokenRow>,
    pub webhooks: Vec<WebhookRow>,
    /// The newest erasures.
    pub erasures: Vec<ErasureRow>,
    pub now_ms: i64,
}

/// A token or endpoint just made, with its secret: shown once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Created {
    pub id: Uuid,
    /// The token name or endpoint URL, to say what the secret is for.
    pub label: String,
    pub secret: String,
}

/// Checks a token name as typed; the same rule runs on the server.
pub fn check_token_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("Name: give the token a name, like the system that will use it.".into());
    }
    if name.chars().count() > MAX_TOKEN_NAME || name.chars().any(char::is_control) {
        return Err(format!("Name: at most {MAX_TOKEN_NAME} characters, without control characters."));
    }
    Ok(name.to_owned())
}
