//! What administrators do in the browser (`/admin`): API tokens and webhook
//! endpoints, as the CLI does them, and the audit trail of erased leads. Callers check the role (`require_admin` in the app).

use crate::{auth::token, error::Error, services::Services, webhook};
use intake_domain::{
    integrations::Created, integrations::ErasureRow, integrations::Integrations, integrations::TokenRow,
    integrations::WebhookRow, integrations::check_token_name,
};
use intake_store::{Attorney, TokenScope, now_ms};
use uuid::Uuid;

pub async fn integrations(state: &Services) -> Result<Integrations, Error> {
    let tokens = state.db.tokens().list_tokens().await?;
    let webhooks = state.db.webhooks().list_endpoints().await?;
    let erasures = state.db.erasures().tombstones(100).await?;
    Ok(Integrations {
        tokens: tokens
            .into_iter()
            .map(|t| TokenRow {
                id: t.id,
                name: t.name,
                scope: t.scope.as_str().into(),
                owner_email: t.owner_email,
                created_at: t.created_at,
                last_used_at: t.last_used_at,
                revoked: t.revoked_at.is_some(),
                expires_at: t.expires_at,
            })
            .collect(),
        webhooks: webhooks
            .into_iter()
            .map(|e| WebhookRow { id: e.id, url: e.url, created_at: e.created_at, removed: e.removed_at.is_some() })
            .collect(),
        erasures: erasures
            .into_iter()
            .map(|t| ErasureRow {
                lead_id: t.lead_id,
                erased_by: t.erased_by,
                erased_at: t.erased_at,
                reason: match intake_domain::erasure::ErasureReason::parse(&t.reason) {
                    Some(r) => r.describe(&t.reference),
                    None => t.reason,
                },
            })
            .collect(),
        now_ms: now_ms(),
    })
}

/// A token acting as the admin who makes it.
pub async fn create_token(state: &Services, admin: &Attorney, name: &str, scope: &str) -> Result<Created, Error> {
    let name = check_token_name(name).map_err(Error::BadParam)?;
    let scope = TokenScope::parse(scope).ok_or_else(|| Error::BadParam("Scope: choose read or write.".into()))?;
    let expires_at = state.config.integrations.token_ttl.map(|d| now_ms() + d.as_millis() as i64);
    let (t, secret) = token::create_for(&state.db, admin, &name, scope, expires_at).await?;
    tracing::info!(token = %t.id, name = %t.name, by = %admin.email, "API token created in the browser");
    Ok(Created { id: t.id, label: t.name, secret })
}

pub async fn revoke_token(state: &Services, admin: &Attorney, id: Uuid) -> Result<(), Error> {
    if !state.db.tokens().revoke_token(id, now_ms()).await? {
        return Err(Error::Conflict("This token is already revoked.".into()));
    }
    tracing::info!(token = %id, by = %admin.email, "API token revoked in the browser");
    Ok(())
}

pub async fn add_webhook(state: &Services, admin: &Attorney, url: &str) -> Result<Created, Error> {
    let e =
        webhook::add_endpoint(&state.db, url, state.config.integrations.webhook_allow_private).await.map_err(|e| {
            match e {
                webhook::AddError::BadUrl(why) => Error::BadParam(format!("URL: the address {why}.")),
                webhook::AddError::Db(e) => e.into(),
            }
        })?;
    // The URL may hold a credential (Zapier, Slack): logged by id only.
    tracing::info!(endpoint = %e.id, by = %admin.email, "webhook endpoint added in the browser");
    Ok(Created { id: e.id, label: e.url, secret: e.secret.expose().to_owned() })
}

pub async fn remove_webhook(state: &Services, admin: &Attorney, id: Uuid) -> Result<(), Error> {
    if !state.db.webhooks().remove_endpoint(id, now_ms()).await? {
        return Err(Error::Conflict("This endpoint is already removed.".into()));
    }
    tracing::info!(endpoint = %id, by = %admin.email, "webhook endpoint removed in the browser");
    Ok(())
}
