//! What a firm promises its clients stays true: an erased prospect leaves
//! no byte behind, no secret is stored, and trust ends with a password or a
//! disabling (see the README's threat model; the bounds strangers cannot
//! pass are in `boundaries.rs`).

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::Value;
use std::{path::Path, time::Duration};

pub(crate) async fn post(c: &reqwest::Client, app: &TestApp, path: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let res = c.post(app.url(path)).form(form).send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Every file under `dir`, recursively, with its bytes.
fn files_under(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                todo.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                out.push((path, bytes));
            }
        }
    }
    out
}

/// Everything the app keeps at rest: every file of its data directory and,
/// on PostgreSQL, every row of every table as text.
async fn at_rest(app: &TestApp) -> Vec<(String, Vec<u8>)> {
    let mut all: Vec<(String, Vec<u8>)> =
        files_under(&app.data_dir).into_iter().map(|(p, b)| (p.display().to_string(), b)).collect();
    if on_postgres() {
        let db = app.db().await;
        // Every schema: tower-sessions keeps its table in its own.
        let tables: Vec<(String, String)> = sqlx::query_as(
            "SELECT table_schema::text, table_name::text FROM information_schema.tables
             WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')",
        )
        .fetch_all(&db)
        .await
        .unwrap();
        assert!(tables.iter().any(|(s, _)| s == "tower_sessions"), "{tables:?}");
        for (schema, t) in tables {
            let rows: Vec<String> = sqlx::query_scalar(&format!("SELECT t::text FROM \"{schema}\".\"{t}\" t"))
                .fetch_all(&db)
                .await
                .unwrap();
            all.push((format!("table {schema}.{t}"), rows.join("\n").into_bytes()));
        }
        db.close().await;
    }
    all
}

/// Where (file or table) `needle` is found at rest, case-insensitively.
async fn found_at_rest(app: &TestApp, needle: &str) -> Vec<String> {
    let needle = needle.to_lowercase().into_bytes();
    at_rest(app)
        .await
        .into_iter()
        .filter(|(_, bytes)| bytes.to_ascii_lowercase().windows(needle.len()).any(|w| w == needle))
        .map(|(what, _)| what)
        .collect()
}

/// A PDF that passes the sniffer and carries `marker` in its body.
fn pdf_with(marker: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% {marker}\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n").into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_erased_prospect_leaves_no_byte_in_any_file_digest_and_email_files_included() {
    // No SMTP: emails are `.eml` files in the data directory, so they are searched too.
    let app = TestApp::spawn(Options { smtp_port: None, vars: vec![], lease: None }).await;
    let tag = uuid::Uuid::new_v4().simple().to_string();
    let (email, surname, marker) =
        (format!("erase.{}@example.com", &tag[..12]), format!("Quuxley{}", &tag[..8]), format!("RESUME-MARK-{tag}"));
    // The firm asks a question of its own: the answer is personal data too.
    let answer = format!("ANSWER-MARK-{tag}");
    let form_file = app.data_dir.join("form.json");
    let firm_form = serde_json::json!({"matter_types": [{"key": "family", "name": {"en": "Family"},
        "resume_required": true, "questions": [{"key": "who", "kind": "short_text", "label": {"en": "Who?"},
        "help": {}, "required": false, "choices": []}]}]});
    std::fs::write(&form_file, firm_form.to_string()).unwrap();
    let (code, out) = app.cli(&["form", "set", form_file.to_str().unwrap(), "--by", ADMIN_EMAIL], "").await;
    assert_eq!(code, 0, "{out}");
    let form = reqwest::multipart::Form::new()
        .text("q.who", answer.clone())
        .text("first_name", "Zelda")
        .text("last_name", surname.clone())
        .text("email", email.clone())
        .part("resume", file_part("zelda.pdf", pdf_with(&marker)));
    let res = app.post_form("/api/leads", form).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let id = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    let admin = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let note = format!("Called {email} about {surname}");
    assert_eq!(post(&admin, &app, "/api/internal/add_note", &[("lead", &id), ("body", &note)]).await.0, StatusCode::OK);
    // Overdue, then the day's digest: a message about several leads.
    app.backdate_lead(&id, 90_000_000).await;
    let (code, out) = app.cli(&["digest", "send"], "").await;
    assert_eq!(code, 0, "{out}");
    app.submit("wake.the.sender@example.com").await;
    eventually("every email written", || async { app.count("outbox WHERE status <> 'SENT'").await == 0 }).await;
    assert!(app.count("outbox WHERE kind = 'follow_up_digest'").await >= 1);
    assert!(!found_at_rest(&app, &email).await.is_empty(), "the test looks where the data is");
    assert!(!found_at_rest(&app, &marker).await.is_empty(), "the resume is stored");
    assert!(!found_at_rest(&app, &answer).await.is_empty(), "the answer is stored");

    let form = [("id", id.as_str()), ("reason", "requested"), ("reference", "REQ-1")];
    assert_eq!(post(&admin, &app, "/api/internal/erase_lead", &form).await.0, StatusCode::OK);
    // After the erasure's checkpoint: not in the database file, its WAL, the
    // search index, an email file, a digest or a resume.
    for needle in [email.as_str(), surname.as_str(), marker.as_str(), answer.as_str()] {
        let mut left = Vec::new();
        for _ in 0..100 {
            left = found_at_rest(&app, needle).await;
            if left.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(left.is_empty(), "{needle} is still in {left:?}");
    }
    if on_postgres() {
        // Dead row versions go too: the erasure VACUUMs what it deleted from.
        let db = app.db().await;
        eventually("the erased rows vacuumed away", || async {
            let (vacuumed, dead): (Option<i64>, i64) = sqlx::query_as(
                "SELECT CAST(EXTRACT(EPOCH FROM last_vacuum) AS BIGINT), n_dead_tup FROM pg_stat_user_tables
                 WHERE relname = 'leads'",
            )
            .fetch_one(&db)
            .await
            .unwrap();
            vacuumed.is_some() && dead == 0
        })
        .await;
        db.close().await;
    }
}

#[tokio::test]
async fn without_smtp_the_log_names_no_recipient() {
    let server = ServerProcess::start(&[("RUST_LOG", "info")], std::process::Stdio::piped()).await;
    let res =
        reqwest::Client::new().post(server.url("/api/leads")).multipart(lead_form("logged.not@example.com")).send();
    assert_eq!(res.await.unwrap().status(), StatusCode::CREATED);
    let outbox = server.data_dir.join("outbox");
    eventually("the confirmation written", || async {
        files_under(&outbox).iter().any(|(p, _)| p.extension().is_some_and(|e| e == "eml"))
    })
    .await;
    server.terminate();
    let out = server.wait_with_output();
    let log = String::from_utf8_lossy(&out.stdout);
    assert!(log.contains("email written to the outbox folder"), "{log}");
    assert!(!log.to_lowercase().contains("logged.not@example.com"), "logs outlive erasure: {log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sent_bodies_are_kept_only_for_the_outbox_retention() {
    let smtp = SmtpSink::start().await;
    let opts = Options::smtp(smtp.port).var("INTAKE_OUTBOX_RETENTION", "1m");
    let app = TestApp::spawn(opts.clone()).await;
    app.submit("kept.briefly@example.com").await;
    smtp.wait_for(2).await;
    eventually("both sent", || async { app.count("outbox WHERE status = 'SENT'").await == 2 }).await;
    assert!(!found_at_rest(&app, "We received your details").await.is_empty(), "the test looks where the data is");
    let db = app.db().await;
    sqlx::query("UPDATE outbox SET created_at = created_at - 120000").execute(&db).await.unwrap();
    db.close().await;
    let dir = app.stop().await;
    // The sweep runs a second after start-up (then hourly).
    let app = TestApp::spawn_in(&dir, opts).await;
    eventually("the bodies forgotten", || async {
        app.count("outbox WHERE body_text <> '' OR body_html <> ''").await == 0
    })
    .await;
    assert_eq!(app.count("outbox WHERE status = 'SENT'").await, 2, "the status rows stay");
    // Nor in the database's files (the WAL is truncated after the sweep) or an email file.
    // (The lead itself, address included, stays: it is not erased.)
    for needle in ["We received your details", "A new lead was submitted"] {
        let mut left = found_at_rest(&app, needle).await;
        for _ in 0..50 {
            if left.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            left = found_at_rest(&app, needle).await;
        }
        assert!(left.is_empty(), "{needle} is still in {left:?}");
    }
}

/// The one-time link's secret in the newest email to `to`.
fn token_in(mails: &[Received], to: &str) -> String {
    let m = mails.iter().rev().find(|m| m.to.iter().any(|t| t.to_lowercase().contains(to))).expect("an email");
    let text = body_text(&m.data);
    let at = text.find("/set-password?token=").expect("a link");
    text[at + "/set-password?token=".len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// `name=value` of the session cookie a login answer sets.
/// The session's `name=value` from a login's `Set-Cookie` headers (the browser's own cookie may come too).
pub(crate) fn session_cookie(login: &reqwest::Response) -> String {
    login
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .find(|c| c.starts_with("intake_session="))
        .expect("a session cookie")
}

async fn set_password(app: &TestApp, token: &str, password: &str) -> StatusCode {
    let form = [("token", token), ("password", password), ("confirm", password)];
    let res = app.browser().post(app.url("/set-password")).header("Origin", "http://intake.firm.test").form(&form);
    res.send().await.unwrap().status()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn link_secrets_are_nowhere_at_rest_yet_the_emailed_links_work() {
    let smtp = SmtpSink::start().await;
    let app = TestApp::spawn(Options::smtp(smtp.port)).await;
    let admin = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    app.add_attorney("rosa@firm.test", "Rosa Reyes", "rosa password 1").await;
    let invite = [("email", "ivan@firm.test"), ("name", "Ivan Ives"), ("role", "attorney")];
    assert_eq!(post(&admin, &app, "/api/internal/invite", &invite).await.0, StatusCode::OK);
    let accounts = post(&admin, &app, "/api/internal/accounts", &[("activity", "")]).await.1;
    let rosa = accounts["accounts"].as_array().unwrap().iter().find(|a| a["email"] == "rosa@firm.test").unwrap();
    let rosa_id = rosa["id"].as_str().unwrap();
    assert_eq!(post(&admin, &app, "/api/internal/send_password_link", &[("id", rosa_id)]).await.0, StatusCode::OK);
    let mails = smtp.wait_for(2).await;
    let (invited, reset) = (token_in(&mails, "ivan@"), token_in(&mails, "rosa@"));
    assert!(invited.len() >= 43 && reset.len() >= 43);
    eventually("both recorded as sent", || async { app.count("outbox WHERE status = 'SENT'").await == 2 }).await;

    // A session's id, the cookie's secret, is not stored either (only its hash).
    let login = app.login_with(&app.browser(), ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let cookie = session_cookie(&login);
    let session = cookie.split_once('=').unwrap().1.to_owned();
    assert!(session.len() >= 20, "{cookie}");
    assert_eq!(post(&admin, &app, "/api/internal/me", &[]).await.0, StatusCode::OK, "sessions still work");

    // Every file (the SQLite database and its WAL) and, on PostgreSQL, every row of every table.
    for secret in [&invited, &reset, &session] {
        assert_eq!(found_at_rest(&app, secret).await, Vec::<String>::new(), "a link's secret is stored");
    }
    // A backup holds none either.
    if !on_postgres() {
        let backup = app.data_dir.join("backup.db");
        let (code, out) = app.cli(&["backup", backup.to_str().unwrap()], "").await;
        assert_eq!(code, 0, "{out}");
        let bytes = std::fs::read(&backup).unwrap();
        for secret in [&invited, &reset] {
            assert!(!bytes.windows(secret.len()).any(|w| w == secret.as_bytes()));
        }
    }
    // And the links the people received work, once.
    assert_eq!(set_password(&app, &invited, "ivan's first password").await, StatusCode::OK);
    assert_eq!(set_password(&app, &reset, "rosa's second password").await, StatusCode::OK);
    assert_eq!(set_password(&app, &reset, "rosa's third password").await, StatusCode::CONFLICT);
    app.logged_in("ivan@firm.test", "ivan's first password").await;
    app.logged_in("rosa@firm.test", "rosa's second password").await;
}

async fn token_for(app: &TestApp, email: &str, extra: &[&str]) -> String {
    let mut args = vec!["token", "create", "--name", "crm", "--scope", "read", "--by", email];
    args.extend_from_slice(extra);
    let (code, out) = app.cli(&args, "").await;
    assert_eq!(code, 0, "{out}");
    out.lines().find(|l| l.starts_with("intake_")).unwrap().to_owned()
}

async fn api_status(app: &TestApp, token: &str) -> StatusCode {
    reqwest::Client::new().get(app.url("/api/v1/leads")).bearer_auth(token).send().await.unwrap().status()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_and_links_end_when_trust_in_the_account_ends() {
    let smtp = SmtpSink::start().await;
    let app = TestApp::spawn(Options::smtp(smtp.port)).await;
    let admin = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    app.add_attorney("tess@firm.test", "Tess Tate", "tess password 1").await;
    let tess = app.logged_in("tess@firm.test", "tess password 1").await;
    let tess_id = post(&tess, &app, "/api/internal/me", &[]).await.1["id"].as_str().unwrap().to_owned();

    // Her own password change revokes her tokens.
    let token = token_for(&app, "tess@firm.test", &[]).await;
    assert_eq!(api_status(&app, &token).await, StatusCode::OK);
    let change = [("current", "tess password 1"), ("new", "tess password 2"), ("confirm", "tess password 2")];
    assert_eq!(post(&tess, &app, "/api/internal/change_password", &change).await.0, StatusCode::OK);
    assert_eq!(api_status(&app, &token).await, StatusCode::UNAUTHORIZED, "a password change revokes tokens");

    // So does a password set from a reset link.
    let token = token_for(&app, "tess@firm.test", &[]).await;
    assert_eq!(post(&admin, &app, "/api/internal/send_password_link", &[("id", &tess_id)]).await.0, StatusCode::OK);
    let link = token_in(&smtp.wait_for(1).await, "tess@");
    assert_eq!(set_password(&app, &link, "tess password 3").await, StatusCode::OK);
    assert_eq!(api_status(&app, &token).await, StatusCode::UNAUTHORIZED, "a reset revokes tokens");

    // Disabling revokes them, and enabling again brings none back.
    let token = token_for(&app, "tess@firm.test", &[]).await;
    assert_eq!(post(&admin, &app, "/api/internal/disable_account", &[("id", &tess_id)]).await.0, StatusCode::OK);
    assert_eq!(post(&admin, &app, "/api/internal/enable_account", &[("id", &tess_id)]).await.0, StatusCode::OK);
    assert_eq!(api_status(&app, &token).await, StatusCode::UNAUTHORIZED, "re-enabling revives no token");
    let (_, list) = app.cli(&["token", "list"], "").await;
    assert!(!list.contains("\tactive"), "{list}");

    // Outstanding links die when the account is disabled, its role changes or its password changes.
    let outstanding = |n: usize| {
        let (admin, app, smtp, id) = (&admin, &app, &smtp, tess_id.clone());
        async move {
            let (s, v) = post(admin, app, "/api/internal/send_password_link", &[("id", &id)]).await;
            assert_eq!(s, StatusCode::OK, "{v}");
            token_in(&smtp.wait_for(n).await, "tess@")
        }
    };
    let link = outstanding(2).await;
    assert_eq!(post(&admin, &app, "/api/internal/disable_account", &[("id", &tess_id)]).await.0, StatusCode::OK);
    assert_eq!(set_password(&app, &link, "tess password 4").await, StatusCode::CONFLICT, "disabling retires links");
    assert_eq!(post(&admin, &app, "/api/internal/enable_account", &[("id", &tess_id)]).await.0, StatusCode::OK);
    let link = outstanding(3).await;
    assert_eq!(app.cli(&["user", "set-role", "--email", "tess@firm.test", "--role", "admin"], "").await.0, 0);
    assert_eq!(set_password(&app, &link, "tess password 4").await, StatusCode::CONFLICT, "a role change retires links");
    let link = outstanding(4).await;
    let (code, out) = app.cli(&["user", "reset-password", "--email", "tess@firm.test"], "tess password 5\n").await;
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        set_password(&app, &link, "tess password 6").await,
        StatusCode::CONFLICT,
        "a new password retires links"
    );

    // Tokens expire: by default after INTAKE_TOKEN_TTL, or as asked; `never` is a choice.
    let (code, out) = app
        .cli(&["token", "create", "--name", "x", "--scope", "read", "--by", ADMIN_EMAIL, "--expires", "soon"], "")
        .await;
    assert_eq!(code, 1, "{out}");
    let short = token_for(&app, ADMIN_EMAIL, &["--expires", "2m"]).await;
    let forever = token_for(&app, ADMIN_EMAIL, &["--expires", "never"]).await;
    assert_eq!(api_status(&app, &short).await, StatusCode::OK);
    let (_, list) = app.cli(&["token", "list"], "").await;
    assert!(list.lines().any(|l| l.contains("\tnever\tactive")), "{list}");
    let db = app.db().await;
    sqlx::query("UPDATE api_tokens SET expires_at = expires_at - 180000 WHERE expires_at IS NOT NULL")
        .execute(&db)
        .await
        .unwrap();
    db.close().await;
    assert_eq!(api_status(&app, &short).await, StatusCode::UNAUTHORIZED, "an expired token is refused");
    assert_eq!(api_status(&app, &forever).await, StatusCode::OK);
    let (_, list) = app.cli(&["token", "list"], "").await;
    assert!(list.contains("\texpired"), "{list}");
    let integrations: Value =
        admin.post(app.url("/api/internal/integrations")).send().await.unwrap().json().await.unwrap();
    assert!(integrations["tokens"].as_array().unwrap().iter().any(|t| t["expires_at"].is_i64()), "{integrations}");
}
