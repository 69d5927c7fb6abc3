//! The store's contract suite: what each capability trait promises, checked
//! by one test body against SQLite and against PostgreSQL.
//!
//! `cargo test -p intake-store --test contract` runs the SQLite half; the
//! PostgreSQL half is ignored unless asked for: with `INTAKE_TEST_POSTGRES_URL`
//! set (an admin URL ending in `/<database>`), add `-- --include-ignored`.
//! Each test gets a database of its own, removed when it ends (see `harness`).

/// `contract! { /// doc \n name, |db: Db| async move { … } }`: a module `name`
/// whose `sqlite` and `postgres` tests run the same body, each on a fresh
/// database. `postgres_only` bodies use the shared counters, which exist
/// only on PostgreSQL: their `sqlite` test checks that they are absent.
macro_rules! contract {
    (postgres_only $(#[$meta:meta])* $name:ident, $body:expr $(,)?) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            /// PostgreSQL only: SQLite's counters stay in memory, so the capability is absent.
            #[tokio::test]
            async fn sqlite() {
                crate::harness::run(crate::harness::Backend::Sqlite, |db: intake_store::Db| async move {
                    assert!(db.counters().is_none(), "SQLite has no shared counters");
                })
                .await;
            }

            #[tokio::test]
            #[ignore = "needs INTAKE_TEST_POSTGRES_URL"]
            async fn postgres() {
                crate::harness::run(crate::harness::Backend::Postgres, $body).await;
            }
        }
    };
    ($(#[$meta:meta])* $name:ident, $body:expr $(,)?) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test]
            async fn sqlite() {
                crate::harness::run(crate::harness::Backend::Sqlite, $body).await;
            }

            #[tokio::test]
            #[ignore = "needs INTAKE_TEST_POSTGRES_URL"]
            async fn postgres() {
                crate::harness::run(crate::harness::Backend::Postgres, $body).await;
            }
        }
    };
}

mod harness;
#[path = "../support/pg_database.rs"]
mod pg_database;

mod account_admin;
mod accounts;
mod conflicts;
mod counters;
mod dashboard;
mod digests;
mod erasures;
mod events;
mod forms;
mod leads;
mod notes;
mod outbox;
mod passkeys;
mod second_factor;
mod sessions;
mod signins;
mod tokens;
mod upgrades;
mod webhooks;
