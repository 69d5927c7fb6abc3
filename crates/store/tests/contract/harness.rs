//! A fresh database for each test, on the backend it names, that leaves
//! nothing behind: a temporary directory for SQLite, a database of its own
//! on the `INTAKE_TEST_POSTGRES_URL` server, both removed by a guard's `Drop`
//! (which also runs when the test panics). And the builders most tests share.

use crate::pg_database::PgDatabase;
use intake_domain::{Email, LeadOrigin, PersonName};
use intake_store::{
    Actor, ApiToken, Attorney, Db, NewLead, NewMessage, ResumeMeta, Role, TokenScope, now_ms, outbox::Channel,
    outbox::Claim,
};
use std::time::Duration;
use tokio::sync::broadcast::{self, error::RecvError};
use uuid::Uuid;

/// Names the PostgreSQL server's admin URL (ending in `/<database>`).
pub const PG_ENV: &str = "INTAKE_TEST_POSTGRES_URL";

/// How long an announcement may take to arrive (PostgreSQL's NOTIFY goes through the server).
const ANNOUNCED_WITHIN: Duration = Duration::from_secs(10);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs `body` against a fresh database on `backend`, then closes it; the
/// database is removed however the body ends. On PostgreSQL without
/// [`PG_ENV`] the test passes at once, saying so on stderr.
pub async fn run<F, Fut>(backend: Backend, body: F)
where
    F: FnOnce(Db) -> Fut,
    Fut: Future<Output = ()>,
{
    let Some(test) = TestDb::open(backend).await else { return };
    body(test.db.clone()).await;
    test.db.close().await;
    // `test` drops here (or while unwinding from a panic above): its guard removes the database.
}

/// A connected database and what removes it; fields drop in order, the handle first.
struct TestDb {
    db: Db,
    _guard: Guard,
}

/// What a test's database lives in; held only to be dropped.
#[allow(dead_code)]
enum Guard {
    /// Deleted with the directory (the database file and its WAL inside).
    Sqlite(tempfile::TempDir),
    Postgres(PgDatabase),
}

impl TestDb {
    async fn open(backend: Backend) -> Option<Self> {
        let (url, guard) = match backend {
            Backend::Sqlite => {
                let dir =
                    tempfile::Builder::new().prefix("intake-store-test-").tempdir().expect("a temporary directory");
                (format!("sqlite://{}", dir.path().join("intake.db").display()), Guard::Sqlite(dir))
            }
            Backend::Postgres => {
                let Some(admin_url) = std::env::var(PG_ENV).ok().filter(|u| !u.is_empty()) else {
                    let test = std::thread::current().name().unwrap_or("this test").to_owned();
                    eprintln!("{test}: skipped, {PG_ENV} is unset (no PostgreSQL to run against)");
                    return None;
                };
                let database = PgDatabase::create(&admin_url).await;
                (database.url(), Guard::Postgres(database))
            }
        };
        let db = Db::connect(&url).await.expect("the database connects and migrates");
        db.ping().await.expect("the new database answers");
        if backend == Backend::Postgres {
            listening(&db).await;
        }
        Some(Self { db, _guard: guard })
    }
}

/// Waits until PostgreSQL's listener hears NOTIFY, so no announcement a test waits for is missed.
async fn listening(db: &Db) {
    let deadline = tokio::time::Instant::now() + ANNOUNCED_WITHIN;
    while !db.events().announces_account_changes() {
        assert!(tokio::time::Instant::now() < deadline, "the PostgreSQL listener did not start");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Whether `db` is PostgreSQL: only it has shared counters.
pub fn on_postgres(db: &Db) -> bool {
    db.counters().is_some()
}

/// A lead from Ada Lovelace at `email`, submitted now, with a resume of its own.
pub fn new_lead(email: &str) -> NewLead {
    named_lead("Ada", "Lovelace", email)
}

pub fn named_lead(first: &str, last: &str, email: &str) -> NewLead {
    NewLead {
        id: Uuid::now_v7(),
        first_name: PersonName::parse(first, "First name").expect("a valid first name"),
        last_name: PersonName::parse(last, "Last name").expect("a valid last name"),
        email: Email::parse(email).expect("a valid email"),
        created_at: now_ms(),
        resume: Some(ResumeMeta {
            file_name: "cv.pdf".into(),
            content_type: "application/pdf".into(),
            size: 1024,
            sha256: "ab".repeat(32),
            key: Uuid::now_v7().simple().to_string(),
        }),
        documents: Vec::new(),
        intake: None,
        origin: LeadOrigin::default(),
    }
}

/// The storage key of a lead built by [`named_lead`].
pub fn resume_key(lead: &NewLead) -> String {
    lead.resume.as_ref().expect("a lead with a resume").key.clone()
}

/// Stores `lead` without emails; returns it.
pub async fn add_lead(db: &Db, lead: NewLead) -> NewLead {
    db.leads().insert(&lead, &[]).await.expect("the lead is stored");
    lead
}

/// An email of `kind` to `to`, with a body.
pub fn new_message(kind: &'static str, to: &str) -> NewMessage {
    NewMessage {
        id: Uuid::now_v7(),
        kind,
        recipients: to.to_owned(),
        reply_to: None,
        subject: format!("{kind} subject"),
        body_text: format!("{kind} text"),
        body_html: format!("<p>{kind}</p>"),
        link_id: None,
    }
}

/// An active attorney (a password set, not disabled).
pub fn attorney(email: &str, name: &str) -> Attorney {
    Attorney {
        id: Uuid::now_v7(),
        email: email.to_owned(),
        display_name: name.to_owned(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo".into(),
        created_at: now_ms(),
        disabled: false,
        role: Role::Attorney,
        sessions_valid_after: 0,
    }
}

/// Creates an active attorney account; returns it.
pub async fn add_attorney(db: &Db, email: &str, name: &str) -> Attorney {
    let a = attorney(email, name);
    db.accounts().create(&a).await.expect("the account is created");
    a
}

/// `a` acting in the dashboard (not through a token).
pub fn actor(a: &Attorney) -> Actor<'_> {
    Actor { attorney: a, token: None }
}

/// A live write token of `owner`'s, made now.
pub fn token(owner: &Attorney, name: &str) -> ApiToken {
    ApiToken {
        id: Uuid::now_v7(),
        name: name.to_owned(),
        scope: TokenScope::Write,
        attorney_id: owner.id,
        owner_email: owner.email.clone(),
        created_at: now_ms(),
        revoked_at: None,
        last_used_at: None,
        expires_at: None,
    }
}

/// A sender's claim on due emails at `now`: a one-minute lease, up to 100.
pub fn email_claim(owner: Uuid, now: i64) -> Claim {
    Claim { channel: Channel::Email, owner, now, lease_ms: 60_000, limit: 100, endpoint: None }
}

/// The next message on `rx` that `wanted` accepts (others are skipped); fails after 10 s.
pub async fn next<T: Clone>(rx: &mut broadcast::Receiver<T>, wanted: impl Fn(&T) -> bool) -> T {
    let found = tokio::time::timeout(ANNOUNCED_WITHIN, async {
        loop {
            match rx.recv().await {
                Ok(m) if wanted(&m) => return m,
                Ok(_) | Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => panic!("the event bus closed"),
            }
        }
    })
    .await;
    found.expect("the announcement arrives within 10 s")
}
