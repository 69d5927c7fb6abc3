//! The first account: created at start-up when there is none.

use super::password::{Hasher, check_new_password, generate_password};
use crate::config::Config;
use intake_store::{Attorney, Db, Role, now_ms};
use uuid::Uuid;

/// Creates the first attorney from `INTAKE_ADMIN_EMAIL` / `INTAKE_ADMIN_PASSWORD`,
/// or `admin@localhost` with a random password printed once to the log.
pub async fn ensure_first_account(db: &Db, hasher: &Hasher, config: &Config) -> Result<(), String> {
    if db.accounts().count().await.map_err(|e| e.to_string())? > 0 {
        return Ok(());
    }
    let (email, password, generated) = match (&config.accounts.admin_email, &config.accounts.admin_password) {
        (Some(e), Some(p)) => {
            check_new_password(p.expose()).map_err(|r| format!("INTAKE_ADMIN_PASSWORD: {r}"))?;
            (e.clone(), p.expose().to_owned(), false)
        }
        _ => ("admin@localhost".to_owned(), generate_password(), true),
    };
    let attorney = Attorney {
        id: Uuid::now_v7(),
        email: email.clone(),
        display_name: "Administrator".into(),
        password_hash: hasher.hash(password.clone()).await?,
        created_at: now_ms(),
        disabled: false,
        role: Role::Admin,
        sessions_valid_after: 0,
    };
    db.accounts().create(&attorney).await.map_err(|e| e.to_string())?;
    if generated {
        // Printed once, so the operator can log in; change it with `intake user reset-password`.
        tracing::warn!(
            "created the first attorney account: email {email}, password {password} \
             (shown only now; change it with `intake user reset-password --email {email}`)"
        );
    } else {
        tracing::info!(%email, "created the first attorney account from INTAKE_ADMIN_EMAIL");
    }
    Ok(())
}
