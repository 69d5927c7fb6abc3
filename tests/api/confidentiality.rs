//! What a firm promises its clients stays true: an erased prospect leaves
//! no byte behind, no secret is stored, trust ends with a password or a
//! disabling, webhooks stay outside the firm's network, and the public
//! learns nothing it should not (see the README's threat model).

use crate::helpers::*;
use futures::StreamExt;
use reqwest::StatusCode;
use serde_json::Value;
use std::{path::Path, time::Duration};

async fn post(c: &reqwest::Client, app: &TestApp, path: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
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
    let form = reqwest::multipart::Form::new()
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

    let form = [("id", id.as_str()), ("reason", "requested"), ("reference", "REQ-1")];
    assert_eq!(post(&admin, &app, "/api/internal/erase_lead", &form).await.0, StatusCode::OK);
    // After the erasure's checkpoint: not in the database file, its WAL, the
    // search index, an email file, a digest or a resume.
    for needle in [email.as_str(), surname.as_str(), marker.as_str()] {
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
fn session_cookie(login: &reqwest::Response) -> String {
    login.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned()
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_never_reach_inside_the_firms_network() {
    let app = TestApp::spawn(Options::smtp(free_port().await).var("INTAKE_WEBHOOK_ALLOW_PRIVATE", "false")).await;
    let outside = [("INTAKE_WEBHOOK_ALLOW_PRIVATE", "false")];
    let admin = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    for url in [
        "http://127.0.0.1:3917/hook",
        "http://10.0.0.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:8080/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "http://localhost:3917/api/internal/me",
    ] {
        let (code, out) = app.cli_with(&["webhook", "add", "--url", url], "", &outside).await;
        assert_eq!(code, 1, "{url}: {out}");
        assert!(out.contains("private network"), "{url}: {out}");
        let (status, err) = post(&admin, &app, "/api/internal/add_webhook", &[("url", url)]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{url}: {err}");
        assert!(err["Invalid"].as_str().unwrap().contains("private network"), "{err}");
    }
    assert_eq!(app.count("webhook_endpoints").await, 0);

    // An endpoint that got in some other way (an address literal, or a name
    // that now resolves inside, as DNS rebinding would) is refused at
    // connection time: the receiver on loopback hears nothing.
    let receiver = crate::webhooks::Receiver::start().await;
    let port = receiver.url.split(':').nth(2).unwrap().split('/').next().unwrap().to_owned();
    let db = app.db().await;
    for (i, url) in [format!("http://127.0.0.1:{port}/hooks/intake"), format!("http://localhost:{port}/hooks/intake")]
        .iter()
        .enumerate()
    {
        sqlx::query(&format!(
            "INSERT INTO webhook_endpoints (id, url, secret, created_at)
             VALUES ('00000000-0000-7000-8000-00000000000{i}', '{url}', 'whsec_test', 1)"
        ))
        .execute(&db)
        .await
        .unwrap();
    }
    db.close().await;
    app.submit("inside@example.com").await;
    eventually("both deliveries refused", || async {
        app.count("outbox WHERE channel = 'webhook' AND last_error LIKE 'refused%'").await == 2
    })
    .await;
    assert!(receiver.all().is_empty(), "{:?}", receiver.all());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_endpoint_does_not_delay_the_others() {
    let app = TestApp::spawn(Options::smtp(free_port().await).var("INTAKE_WEBHOOK_TIMEOUT", "20s")).await;
    // Accepts connections and never answers.
    let hung = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hung_url = format!("http://{}/hook", hung.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = hung.accept().await {
            held.push(s);
        }
    });
    crate::webhooks::add_webhook(&app, &hung_url).await;
    let healthy = crate::webhooks::Receiver::start().await;
    let (_, secret) = crate::webhooks::add_webhook(&app, &healthy.url).await;
    healthy.trust(&secret);
    for i in 0..5 {
        app.submit(&format!("busy{i}@example.com")).await;
    }
    // Each endpoint has its own sender: the healthy one is served long before the hung one's 20 s timeout.
    tokio::time::timeout(Duration::from_secs(6), healthy.wait_accepted(5))
        .await
        .expect("the healthy endpoint is served while the other hangs");
}

#[tokio::test]
async fn only_the_configured_proxy_header_names_the_client() {
    let submit = |app: &TestApp, header: &'static str, value: String, i: usize| {
        let req = app
            .client
            .post(app.url("/api/leads"))
            .header(header, value)
            .multipart(lead_form(&format!("p{i}@example.com")));
        async move { req.send().await.unwrap().status() }
    };
    let vars = |app: Options| app.var("INTAKE_TRUSTED_PROXIES", "127.0.0.1").var("INTAKE_SUBMIT_RATE", "3/min");
    // nginx appends the client to X-Forwarded-For and passes a client's own `Forwarded` through.
    let app = TestApp::spawn(vars(Options::smtp(free_port().await))).await;
    let mut statuses = Vec::new();
    for i in 0..5 {
        statuses.push(submit(&app, "forwarded", format!("for=198.51.100.{i}"), i).await);
    }
    assert_eq!(&statuses[..3], [StatusCode::CREATED; 3]);
    assert_eq!(&statuses[3..], [StatusCode::TOO_MANY_REQUESTS; 2], "a client-sent Forwarded is ignored");
    // The header the proxy writes is read: each address has its own budget.
    for i in 0..4 {
        assert_eq!(submit(&app, "x-forwarded-for", format!("203.0.113.{i}"), 10 + i).await, StatusCode::CREATED);
    }
    // A proxy that writes `Forwarded` is configured so.
    let app = TestApp::spawn(vars(Options::smtp(free_port().await)).var("INTAKE_CLIENT_IP_HEADER", "forwarded")).await;
    for i in 0..4 {
        assert_eq!(submit(&app, "forwarded", format!("for=198.51.100.{i}"), 20 + i).await, StatusCode::CREATED);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invited_account_costs_the_same_login_time_as_any_other() {
    let smtp = SmtpSink::start().await;
    let app = TestApp::spawn(Options::smtp(smtp.port)).await;
    let admin = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let invite = [("email", "newbie@firm.test"), ("name", "New Bie"), ("role", "attorney")];
    assert_eq!(post(&admin, &app, "/api/internal/invite", &invite).await.0, StatusCode::OK);
    // Interleaved rounds, and the fastest of each kind: other tests share
    // the machine, and the least a login took is what it must take.
    let kinds = ["newbie@firm.test", ADMIN_EMAIL, "nobody@firm.test"];
    let mut fastest = [Duration::MAX; 3];
    // Four rounds: a fifth wrong password would lock the accounts.
    for _ in 0..4 {
        for (i, email) in kinds.iter().enumerate() {
            let started = std::time::Instant::now();
            let res = app.login_with(&app.browser(), email, "not the password").await;
            fastest[i] = fastest[i].min(started.elapsed());
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        }
    }
    let [invited, real, unknown] = fastest;
    // A password hash is verified in each case (tens of milliseconds); for
    // an invited account it took ~1 ms, 5% of a real one's. The suite runs
    // tests side by side on two cores, so the bound here is loose; the
    // figure measured alone is in the note (within a few percent).
    for (what, t) in [("invited", invited), ("unknown", unknown)] {
        assert!(t.as_secs_f64() >= real.as_secs_f64() * 0.5, "{what} {t:?} against a real account's {real:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logging_out_closes_the_sessions_event_streams_at_once() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    let admin = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let mut stream = admin.get(app.url("/api/internal/events")).send().await.unwrap().bytes_stream();
    let mut buf = String::new();
    next_event(&mut stream, &mut buf, |e| e.contains("event: hello")).await;
    let res = admin.post(app.url("/logout")).header("Origin", "http://intake.firm.test").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let after = app.submit("after.logout@example.com").await;
    // At once: before, a stream re-checked its session every second.
    let rest = tokio::time::timeout(Duration::from_millis(500), async {
        let mut seen = String::new();
        while let Some(Ok(chunk)) = stream.next().await {
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
        seen
    })
    .await
    .expect("the stream ends at once");
    assert!(!(buf + &rest).contains(&after), "a lead submitted after logout reached the logged-out stream");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_functions_malformed_arguments_are_the_callers_error() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    let admin = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    for (path, form) in [
        ("/api/internal/accounts", vec![]),
        ("/api/internal/leads", vec![("filter[state]", "overdue")]),
        ("/api/internal/lead", vec![("id", "not-a-uuid")]),
        ("/api/internal/assign", vec![("id", "not-a-uuid"), ("to", ""), ("expected", "")]),
    ] {
        let (status, body) = post(&admin, &app, path, &form).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
        assert!(body["Invalid"].as_str().is_some_and(|m| m.contains("arguments")), "{path}: {body}");
    }
}

#[tokio::test]
async fn metrics_are_not_for_strangers_on_a_public_site() {
    let public =
        TestApp::spawn(Options::smtp(free_port().await).var("INTAKE_PUBLIC_URL", "https://intake.firm.test")).await;
    assert_eq!(public.client.get(public.url("/metrics")).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    let token = "a-long-scrape-token-0123456789";
    let app = TestApp::spawn(
        Options::smtp(free_port().await)
            .var("INTAKE_PUBLIC_URL", "https://intake.firm.test")
            .var("INTAKE_METRICS_TOKEN", token),
    )
    .await;
    assert_eq!(app.client.get(app.url("/metrics")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let res = app.client.get(app.url("/metrics")).bearer_auth("a-wrong-scrape-token-012345").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = app.client.get(app.url("/metrics")).bearer_auth(token).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("intake_"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lead_holds_a_bounded_number_of_notes() {
    let app = TestApp::spawn(Options::smtp(free_port().await).var("INTAKE_MAX_NOTES_PER_LEAD", "3")).await;
    let id = app.submit("noted@example.com").await;
    let admin = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    for i in 0..3 {
        let body = format!("note {i}");
        assert_eq!(
            post(&admin, &app, "/api/internal/add_note", &[("lead", &id), ("body", &body)]).await.0,
            StatusCode::OK
        );
    }
    let (status, err) = post(&admin, &app, "/api/internal/add_note", &[("lead", &id), ("body", "one more")]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{err}");
    assert!(err["Conflict"].as_str().unwrap().contains("3 notes"), "{err}");
    assert_eq!(app.count("lead_notes").await, 3);
    let (status, _) =
        post(&admin, &app, "/api/internal/add_note", &[("lead", &uuid::Uuid::now_v7().to_string()), ("body", "x")])
            .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_run_one_at_a_time_per_account() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    // Enough rows that a reader who reads nothing holds the export open.
    // More than the kernel's and the server's buffers hold (~10 MB of CSV).
    crate::export::bulk_leads(&app, 60_000).await;
    let admin = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let held = hold_export(&app).await;
    let res = admin.get(app.url("/leads/export.csv")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().contains_key("retry-after"));
    assert!(res.text().await.unwrap().contains("still running"));
    drop(held);
    eventually("the abandoned export frees its place", || async {
        admin.get(app.url("/leads/export.csv")).send().await.unwrap().status() == StatusCode::OK
    })
    .await;
}

/// Starts an export as the admin over a raw connection and reads nothing,
/// so the server holds it open (its buffers full) until the socket is dropped.
async fn hold_export(app: &TestApp) -> tokio::net::TcpStream {
    use tokio::io::AsyncWriteExt;
    let login = app.login_with(&app.browser(), ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let cookie = session_cookie(&login);
    let addr = app.base.trim_start_matches("http://").to_owned();
    // A small receive window, so the server's writes block soon (not after megabytes of buffers).
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut s = socket.connect(addr.parse().unwrap()).await.unwrap();
    let req = format!("GET /leads/export.csv HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\n\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    // Long enough for the server to start streaming and fill the socket.
    tokio::time::sleep(Duration::from_millis(500)).await;
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_overdue_count_changes_at_the_deadline_not_later() {
    let app = TestApp::spawn(Options::smtp(free_port().await).var("INTAKE_FOLLOW_UP", "1m")).await;
    let admin = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let id = app.submit("almost.late@example.com").await;
    // 58 s old: overdue in 2 s, with nothing else happening.
    app.backdate_lead(&id, 58_000).await;
    // A lead event makes the shared count fresh: it is counted now, before the deadline.
    app.submit("other.lead@example.com").await;
    let counts = || async { post(&admin, &app, "/api/internal/my_counts", &[]).await.1 };
    let c = counts().await;
    assert_eq!(c["overdue"], 0, "{c}");
    let changes_at = c["overdue_changes_at"].as_i64().expect("when the count next changes");
    let now = c["now_ms"].as_i64().unwrap();
    assert!((1_000..=2_500).contains(&(changes_at - now)), "{c}");
    tokio::time::sleep(Duration::from_millis((changes_at - now + 200) as u64)).await;
    assert_eq!(counts().await["overdue"], 1, "counted again at the deadline, not 20 s later");
}
