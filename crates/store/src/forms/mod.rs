//! The firm's intake form, a row per saved version. A version is never
//! changed afterwards, so a lead's answers keep the questions it was asked.

pub(crate) mod cache;
mod postgres;
mod sqlite;

use super::DbError;
use async_trait::async_trait;
use intake_domain::questions::IntakeForm;
use uuid::Uuid;

/// A saved version of the form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormVersion {
    pub version: i64,
    pub form: IntakeForm,
    pub created_at: i64,
    pub created_by: Option<Uuid>,
}

#[async_trait]
pub trait FormStore: Send + Sync {
    /// The newest version; `None` until a firm saves its first.
    async fn current_form(&self) -> Result<Option<FormVersion>, DbError>;

    /// The newest version's number (one indexed lookup, nothing parsed).
    async fn newest_version(&self) -> Result<Option<i64>, DbError>;

    /// One version, as the leads that answered it show it.
    async fn form_version(&self, version: i64) -> Result<Option<FormVersion>, DbError>;

    /// Every version, newest first (a firm saves a handful: an export reads them all).
    async fn form_versions(&self) -> Result<Vec<FormVersion>, DbError>;

    /// Saves `form` as the next version, if `after` (the version it was edited
    /// from; `None` for the first) is still the newest; `None` when another
    /// administrator saved meanwhile, and nothing is stored.
    async fn save_form(
        &self,
        form: &IntakeForm,
        after: Option<i64>,
        by: Uuid,
        now: i64,
    ) -> Result<Option<i64>, DbError>;
}

const COLUMNS: &str = "version, definition, created_at, created_by";

/// The next version, only if `?4` is the newest (0: none yet).
const SAVE: &str = "INSERT INTO intake_forms (version, definition, created_at, created_by)
     SELECT ?4 + 1, ?1, ?2, ?3 WHERE (SELECT COALESCE(MAX(version), 0) FROM intake_forms) = ?4
     ON CONFLICT (version) DO NOTHING RETURNING version";

fn definition(form: &IntakeForm) -> Result<String, DbError> {
    serde_json::to_string(form).map_err(|e| DbError::corrupt("definition", e))
}

fn row(r: &impl crate::row::Columns) -> Result<FormVersion, DbError> {
    let definition = r.text("definition")?;
    Ok(FormVersion {
        version: r.int("version")?,
        form: serde_json::from_str(&definition).map_err(|e| DbError::corrupt("definition", e))?,
        created_at: r.int("created_at")?,
        created_by: r.opt_uuid("created_by")?,
    })
}
