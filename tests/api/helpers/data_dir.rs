//! Each test's data directory and PostgreSQL database, removed when the test ends.

use super::*;

/// A test's data directory, and the PostgreSQL database it made, if any:
/// both are removed when the last holder drops it, a failed test's too
/// (drops run while a panic unwinds), so a run leaves nothing behind.
pub struct DataDir {
    path: PathBuf,
    database: Option<PgDatabase>,
    /// The directory whose database this one names (another instance's):
    /// the database lives while any instance on it may still use it.
    _shares: Option<Arc<DataDir>>,
}

impl DataDir {
    /// A new, empty temporary directory.
    pub(super) fn empty(shares: Option<Arc<DataDir>>) -> Self {
        let path = tempfile::Builder::new().prefix("intake-test-").tempdir().unwrap().keep();
        Self { path, database: None, _shares: shares }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl std::ops::Deref for DataDir {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<Path> for DataDir {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}

impl Drop for DataDir {
    fn drop(&mut self) {
        drop(self.database.take());
        // A server still stopping may write a file meanwhile: a few tries.
        let mut tries = 0;
        loop {
            tries += 1;
            match std::fs::remove_dir_all(&self.path) {
                Ok(()) => break,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => break,
                Err(_) if tries < 3 => std::thread::sleep(Duration::from_millis(50)),
                Err(e) => {
                    eprintln!("could not remove the test data directory {}: {e}", self.path.display());
                    break;
                }
            }
        }
    }
}

/// A new temporary data directory naming a fresh database: SQLite inside it,
/// or a new PostgreSQL database when `INTAKE_TEST_POSTGRES_URL` is set.
pub async fn fresh_data_dir() -> Arc<DataDir> {
    // The guard first, so that a failure below leaves nothing either.
    let mut dir = DataDir::empty(None);
    let url = match std::env::var("INTAKE_TEST_POSTGRES_URL") {
        Ok(admin_url) if !admin_url.is_empty() => dir.database.insert(PgDatabase::create(&admin_url).await).url(),
        _ => format!("sqlite://{}", dir.join("intake.db").display()),
    };
    std::fs::write(dir.join(".database_url"), &url).unwrap();
    Arc::new(dir)
}

pub fn on_postgres() -> bool {
    std::env::var("INTAKE_TEST_POSTGRES_URL").is_ok_and(|v| !v.is_empty())
}
