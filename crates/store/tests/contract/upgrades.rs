//! Upgrades: what a migration does to data the version before it stored.
//! Each test migrates a fresh database up to the migration under test, stores
//! rows as that version did, then lets `Db::connect` run the rest.

use crate::harness::PG_ENV;
use crate::pg_database::PgDatabase;
use intake_domain::filter::LeadFilter;
use intake_store::{Db, dashboard::ListQuery};
use sqlx::migrate::Migrator;
use std::borrow::Cow;
use uuid::Uuid;

/// `all`'s migrations before `version`.
fn before(all: &Migrator, version: i64) -> Migrator {
    Migrator {
        migrations: Cow::Owned(all.migrations.iter().filter(|m| m.version < version).cloned().collect()),
        ignore_missing: all.ignore_missing,
        locking: all.locking,
        no_tx: all.no_tx,
    }
}

/// A SQLite database migrated up to (not including) `version`, holding
/// `rows`, then opened by `Db::connect`, which runs the rest. The directory
/// lives as long as the returned guard.
async fn sqlite_upgraded(version: i64, rows: Vec<String>) -> (Db, tempfile::TempDir) {
    use sqlx::sqlite::{SqliteConnectOptions, SqlitePool};
    use std::str::FromStr;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("intake.db").display());
    let pool =
        SqlitePool::connect_with(SqliteConnectOptions::from_str(&url).unwrap().create_if_missing(true)).await.unwrap();
    before(&sqlx::migrate!("../../migrations/sqlite"), version).run(&pool).await.unwrap();
    for sql in rows {
        sqlx::query(&sql).execute(&pool).await.unwrap();
    }
    pool.close().await;
    (Db::connect(&url).await.expect("the rest of the migrations run"), dir)
}

/// As [`sqlite_upgraded`], on a PostgreSQL database of its own (dropped with
/// the guard); `None` without `INTAKE_TEST_POSTGRES_URL`.
async fn postgres_upgraded(version: i64, rows: Vec<String>) -> Option<(Db, PgDatabase)> {
    let admin = std::env::var(PG_ENV).ok().filter(|u| !u.is_empty())?;
    let database = PgDatabase::create(&admin).await;
    let pool = sqlx::PgPool::connect(&database.url()).await.unwrap();
    before(&sqlx::migrate!("../../migrations/postgres"), version).run(&pool).await.unwrap();
    for sql in rows {
        sqlx::query(&sql).execute(&pool).await.unwrap();
    }
    pool.close().await;
    Some((Db::connect(&database.url()).await.expect("the rest of the migrations run"), database))
}

/// A form whose matter type asks a short text, a long text and a phone number.
const FORM: &str = r#"{"matter_types":[{"key":"visa","name":{"en":"Visa"},"resume_required":true,"questions":[
    {"key":"employer","kind":"short_text","label":{"en":"Employer"},"help":{},"required":true,"choices":[]},
    {"key":"story","kind":"long_text","label":{"en":"Story"},"help":{},"required":true,"choices":[]},
    {"key":"phone","kind":"phone","label":{"en":"Phone"},"help":{},"required":true,"choices":[]}]}]}"#;
const ANSWERS: &str = r#"{"employer":"Acme Corp","story":"a long story","phone":"+12025550143"}"#;

/// Rows as the version before `0028`/`0026` stored them: a form, a lead that
/// answered it and one sent before the firm had a form.
fn rows(answered: Uuid, plain: Uuid) -> Vec<String> {
    let lead = |id: Uuid, email: &str, at: i64| {
        format!(
            "INSERT INTO leads (id, first_name, last_name, email, email_normalized, state, created_at, updated_at,
                 resume_file_name, resume_content_type, resume_size, resume_sha256, resume_key)
             VALUES ('{id}', 'Ada', 'Lovelace', '{email}', '{email}', 'PENDING', {at}, {at},
                     'cv.pdf', 'application/pdf', 10, '00', '{}')",
            Uuid::now_v7().simple()
        )
    };
    vec![
        format!("INSERT INTO intake_forms (version, definition, created_at) VALUES (1, '{FORM}', 1)"),
        lead(answered, "ada@example.com", 2),
        lead(plain, "bo@example.com", 3),
        format!(
            "INSERT INTO lead_answers (lead_id, lang, form_version, matter_type, answers) \
             VALUES ('{answered}', 'en', 1, 'visa', '{ANSWERS}')"
        ),
    ]
}

/// After the upgrade, the answered lead is found by its short-text and phone
/// answers (not its long text) and by its matter type; the other lead has neither.
async fn check_upgraded(db: &Db, answered: Uuid, plain: Uuid) {
    let ids = |filter: LeadFilter| async move {
        let listed = db.dashboard().list(&ListQuery::plain(&filter), 10).await.unwrap();
        listed.rows.iter().map(|r| r.id).collect::<Vec<_>>()
    };
    let q = |q: &str| LeadFilter { q: q.to_owned(), ..LeadFilter::default() };
    assert_eq!(ids(q("acme")).await, [answered]);
    assert_eq!(ids(q("+1 202 555 0143")).await, [answered]);
    assert_eq!(ids(q("long story")).await, Vec::<Uuid>::new(), "long texts are not searched");
    assert_eq!(ids(LeadFilter { matter: Some("visa".into()), ..LeadFilter::default() }).await, [answered]);
    let row = db.dashboard().summary(answered).await.unwrap().unwrap();
    assert_eq!((row.matter_type.as_deref(), row.answers_text.as_str()), (Some("visa"), "Acme Corp\n+12025550143"));
    let row = db.dashboard().summary(plain).await.unwrap().unwrap();
    assert_eq!((row.matter_type, row.answers_text), (None, String::new()));
    assert_eq!(ids(q("lovelace")).await, [plain, answered], "names are still searched");
}

#[tokio::test]
async fn sqlite_leads_answered_before_the_dashboard_searched_answers_are_searched_after() {
    let (answered, plain) = (Uuid::now_v7(), Uuid::now_v7());
    let (db, _dir) = sqlite_upgraded(28, rows(answered, plain)).await;
    check_upgraded(&db, answered, plain).await;
    db.close().await;
}

#[tokio::test]
#[ignore = "needs INTAKE_TEST_POSTGRES_URL"]
async fn postgres_leads_answered_before_the_dashboard_searched_answers_are_searched_after() {
    let (answered, plain) = (Uuid::now_v7(), Uuid::now_v7());
    let Some((db, _database)) = postgres_upgraded(26, rows(answered, plain)).await else { return };
    check_upgraded(&db, answered, plain).await;
    db.close().await;
}

/// Rows as the version before `0029`/`0027` stored them: a party of an
/// organisation (its words hold the organisation's too) and a checked lead,
/// each with its word rows, which did not carry a name.
fn word_rows(party: Uuid, lead: Uuid) -> Vec<String> {
    let mut rows = rows(lead, Uuid::now_v7());
    rows.push(format!(
        "INSERT INTO parties (id, fingerprint, name, organisation, role, created_at)
         VALUES ('{party}', 'f', 'José García-López', 'Acme Holdings', 'adverse_party', 1)"
    ));
    for w in ["jose", "garcia", "lopez", "acme", "holdings"] {
        rows.push(format!("INSERT INTO party_words (word, party_id) VALUES ('{w}', '{party}')"));
    }
    for w in ["ada", "lovelace"] {
        rows.push(format!("INSERT INTO lead_words (word, lead_id) VALUES ('{w}', '{lead}')"));
    }
    // Checked: found by their words, not as leads waiting for a check.
    rows.push("UPDATE leads SET conflict = 'clear', conflict_checked_at = 1".into());
    rows
}

/// After the upgrade, candidates carry their names as compared: the lead's
/// rebuilt from its words by the migration, the party's folded from its
/// name (not its organisation) when the server starts.
async fn check_named(db: &Db, party: Uuid, lead: Uuid) {
    use intake_store::conflicts::Candidate;
    let later = Uuid::now_v7();
    let found = db.conflicts().candidates(later, &["garcia".into(), "lovelace".into()], "").await.unwrap();
    let mut got: Vec<(Uuid, String)> = found
        .into_iter()
        .map(|c| match c {
            Candidate::Party { id, words, .. } | Candidate::Lead { id, words } => {
                let mut w: Vec<&str> = words.split(' ').collect();
                w.sort();
                (id, w.join(" "))
            }
        })
        .collect();
    got.sort();
    let mut want = vec![(party, "garcia jose lopez".to_owned()), (lead, "ada lovelace".to_owned())];
    want.sort();
    assert_eq!(got, want);
}

#[tokio::test]
async fn sqlite_word_rows_stored_before_they_carried_names_are_named_after() {
    let (party, lead) = (Uuid::now_v7(), Uuid::now_v7());
    let (db, _dir) = sqlite_upgraded(29, word_rows(party, lead)).await;
    check_named(&db, party, lead).await;
    db.close().await;
}

#[tokio::test]
#[ignore = "needs INTAKE_TEST_POSTGRES_URL"]
async fn postgres_word_rows_stored_before_they_carried_names_are_named_after() {
    let (party, lead) = (Uuid::now_v7(), Uuid::now_v7());
    let Some((db, _database)) = postgres_upgraded(27, word_rows(party, lead)).await else { return };
    check_named(&db, party, lead).await;
    db.close().await;
}

/// Rows as the version before `0030`/`0028` stored them ([`rows`]), and a
/// note on the answered lead (a table that refers to `leads`).
fn resume_rows(answered: Uuid, plain: Uuid) -> Vec<String> {
    let mut rows = rows(answered, plain);
    rows.push(format!(
        "INSERT INTO attorneys (id, email, email_normalized, display_name, password_hash, created_at)
         VALUES ('{answered}', 'alice@firm.test', 'alice@firm.test', 'Alice', 'x', 1)"
    ));
    rows.push(format!(
        "INSERT INTO lead_notes (id, lead_id, attorney_id, body, created_at)
         VALUES ('{}', '{answered}', '{answered}', 'called back', 5)",
        Uuid::now_v7()
    ));
    rows
}

/// After the upgrade, the leads, their search, their note and their resumes
/// are as they were; a lead may now have no resume, never half of one.
async fn check_resume_optional(db: &Db, answered: Uuid, plain: Uuid) {
    let filter = LeadFilter { q: "lovelace".to_owned(), ..LeadFilter::default() };
    let found = db.dashboard().list(&ListQuery::plain(&filter), 10).await.unwrap();
    assert_eq!(found.rows.iter().map(|r| r.id).collect::<Vec<_>>(), [plain, answered], "still searched");
    assert_eq!(db.notes().notes(answered).await.unwrap().len(), 1, "the note still refers to its lead");
    let kept = db.leads().get(plain).await.unwrap().expect("kept");
    assert_eq!(kept.resume.expect("its resume").file_name, "cv.pdf");
    let lead = intake_store::NewLead { resume: None, ..crate::harness::new_lead("cy@example.com") };
    db.leads().insert(&lead, &[]).await.expect("a lead without a resume is stored");
    assert_eq!(db.leads().get(lead.id).await.unwrap().expect("stored").resume, None);
    let listed = db.dashboard().list(&ListQuery::plain(&LeadFilter::default()), 10).await.unwrap();
    assert_eq!(listed.rows.len(), 3);
}

#[tokio::test]
async fn sqlite_leads_stored_when_the_resume_was_required_keep_it_after() {
    let (answered, plain) = (Uuid::now_v7(), Uuid::now_v7());
    let (db, dir) = sqlite_upgraded(30, resume_rows(answered, plain)).await;
    check_resume_optional(&db, answered, plain).await;
    db.close().await;
    let pool =
        sqlx::SqlitePool::connect(&format!("sqlite://{}", dir.path().join("intake.db").display())).await.unwrap();
    let check: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&pool).await.unwrap();
    assert_eq!(check, "ok");
    let half = sqlx::query(
        "INSERT INTO leads (id, first_name, last_name, email, email_normalized, state, created_at, updated_at, resume_key)
         VALUES ('x', 'A', 'B', 'h@example.com', 'h@example.com', 'PENDING', 1, 1, 'k')",
    )
    .execute(&pool)
    .await;
    assert!(half.unwrap_err().to_string().contains("whole or not at all"), "half a resume is refused");
    pool.close().await;
}

#[tokio::test]
#[ignore = "needs INTAKE_TEST_POSTGRES_URL"]
async fn postgres_leads_stored_when_the_resume_was_required_keep_it_after() {
    let (answered, plain) = (Uuid::now_v7(), Uuid::now_v7());
    let Some((db, database)) = postgres_upgraded(28, resume_rows(answered, plain)).await else { return };
    check_resume_optional(&db, answered, plain).await;
    db.close().await;
    let pool = sqlx::PgPool::connect(&database.url()).await.unwrap();
    let half = sqlx::query(
        "INSERT INTO leads (id, first_name, last_name, email, email_normalized, state, created_at, updated_at, resume_key)
         VALUES (gen_random_uuid(), 'A', 'B', 'h@example.com', 'h@example.com', 'PENDING', 1, 1, 'k')",
    )
    .execute(&pool)
    .await;
    assert!(half.unwrap_err().to_string().contains("leads_resume_whole"), "half a resume is refused");
    pool.close().await;
}
