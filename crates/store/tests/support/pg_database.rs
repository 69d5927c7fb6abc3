//! A PostgreSQL database made for one test and dropped when the test ends,
//! also when it fails. Shared by the store's contract suite and the app's
//! integration suite (each includes this file with `#[path]`).

use sqlx::Connection;
use uuid::Uuid;

/// A database of its own on the PostgreSQL server, dropped with this value.
pub struct PgDatabase {
    admin_url: String,
    name: String,
}

impl PgDatabase {
    pub async fn create(admin_url: &str) -> Self {
        let name = format!("intake_test_{}", Uuid::now_v7().simple());
        let mut conn = sqlx::PgConnection::connect(admin_url).await.expect("INTAKE_TEST_POSTGRES_URL reachable");
        let create = format!("CREATE DATABASE \"{name}\"");
        sqlx::query(&create).execute(&mut conn).await.expect("a test database is created");
        let _ = conn.close().await;
        Self { admin_url: admin_url.to_owned(), name }
    }

    /// The admin URL with its last path segment (the database) replaced, query kept.
    pub fn url(&self) -> String {
        let (path, query) = match self.admin_url.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (self.admin_url.as_str(), None),
        };
        let (base, _) = path.rsplit_once('/').expect("INTAKE_TEST_POSTGRES_URL ends in /<database>");
        match query {
            Some(q) => format!("{base}/{}?{q}", self.name),
            None => format!("{base}/{}", self.name),
        }
    }
}

impl Drop for PgDatabase {
    /// Drops the database from a thread of its own (with its own runtime):
    /// this runs inside the test's runtime, possibly while a panic unwinds.
    /// `WITH (FORCE)` ends the test's own pool connections, still open after a panic.
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        let dropped = std::thread::spawn(move || -> Result<(), String> {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| format!("no runtime: {e}"))?;
            runtime.block_on(async move {
                let mut conn = sqlx::PgConnection::connect(&admin_url).await.map_err(|e| e.to_string())?;
                let drop_sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                sqlx::query(&drop_sql).execute(&mut conn).await.map_err(|e| e.to_string())?;
                conn.close().await.map_err(|e| e.to_string())
            })
        })
        .join();
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("cannot drop the test database {}: {e}", self.name),
            Err(_) => eprintln!("cannot drop the test database {}: its thread panicked", self.name),
        }
    }
}
