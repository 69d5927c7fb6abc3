//! The firm's intake form: read, and saved as a new version by an
//! administrator (from `/admin/form` or `intake form set`).

use crate::error::Error;
use intake_domain::questions::IntakeForm;
use intake_store::{Db, now_ms};
use uuid::Uuid;

/// The current version (`None`: the firm has no form yet) and its form.
pub async fn current(db: &Db) -> Result<(Option<i64>, IntakeForm), Error> {
    Ok(match db.forms().current_form().await? {
        Some(v) => (Some(v.version), v.form),
        None => (None, IntakeForm::default()),
    })
}

/// Saves `form` as the next version if `after` (the version it was edited
/// from) is still the newest: new items get keys, then the whole form is
/// checked. Returns the new version.
pub async fn save(db: &Db, mut form: IntakeForm, after: Option<i64>, by: Uuid) -> Result<i64, Error> {
    form.fill_keys();
    form.check().map_err(|e| Error::BadParam(e.to_string()))?;
    db.forms().save_form(&form, after, by, now_ms()).await?.ok_or_else(|| {
        Error::Conflict(
            "Another administrator saved the form meanwhile. Reload the page to see their version, then make your change again."
                .into(),
        )
    })
}
