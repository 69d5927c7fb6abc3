//! Start-up: staged resume files left by a crash are settled; bad configuration stops start-up.

use crate::helpers::*;
use intake::server::startup::Application;
use intake_core::config::Config;
use reqwest::StatusCode;
use sqlx::Row;
use std::collections::HashMap;

#[tokio::test]
async fn staged_files_are_completed_or_discarded_at_start() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    assert_eq!(app.post_form("/api/leads", lead_form("crash@example.com")).await.status(), StatusCode::CREATED);
    let db = app.db().await;
    let key: String = sqlx::query("SELECT resume_key FROM leads").fetch_one(&db).await.unwrap().get(0);
    db.close().await;
    let data_dir = app.stop().await;

    // Simulate a crash after the commit but before the rename, plus an upload
    // that never committed.
    let resumes = data_dir.join("resumes");
    std::fs::rename(resumes.join(&key), resumes.join(".staging").join(&key)).unwrap();
    let orphan = resumes.join(".staging").join("0123456789abcdef0123456789abcdef");
    std::fs::write(&orphan, b"half an upload").unwrap();

    let app = TestApp::spawn_in(&data_dir, Options::smtp(free_port().await)).await;
    assert_eq!(std::fs::read(resumes.join(&key)).unwrap(), PDF, "committed lead's file moved into place");
    assert!(!orphan.exists(), "uncommitted upload removed");
    assert_eq!(app.resume_files().len(), 1);
}

#[tokio::test]
async fn an_unusable_database_stops_start_up_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("intake.db"), b"this is not a database").unwrap();
    let vars: HashMap<String, String> = [
        ("INTAKE_DATA_DIR".to_string(), dir.path().display().to_string()),
        ("LEPTOS_SITE_ADDR".to_string(), "127.0.0.1:0".to_string()),
    ]
    .into();
    let err = Application::build(Config::from_vars(&vars).unwrap(), "target/site").await.err().expect("must fail");
    assert!(err.to_string().contains("cannot open the database"), "{err}");
}

/// Another app starting in the same process (every test does) never stalls a
/// page that one already serving is rendering: while leptos generates a route
/// list it parks every resource first polled anywhere in the process, forever
/// (leptos-rs/leptos#4773), so the list is generated once per process.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starting_another_app_never_stalls_pages_being_rendered() {
    use std::sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    };
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    let id = app.submit("stall@example.com").await;
    let client = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (done, rendered) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicUsize::new(0)));
    let pages = [app.url("/"), app.url("/leads"), app.url(&format!("/leads/{id}"))];
    let renders: Vec<_> = pages
        .into_iter()
        .map(|url| {
            let (client, done, rendered) = (client.clone(), done.clone(), rendered.clone());
            tokio::spawn(async move {
                while !done.load(Ordering::Relaxed) {
                    let page = tokio::time::timeout(std::time::Duration::from_secs(10), async {
                        client.get(&url).send().await.unwrap().text().await.unwrap()
                    })
                    .await
                    .unwrap_or_else(|_| panic!("{url} stalled while another app started"));
                    assert!(page.contains("</html>"), "{url} rendered in full");
                    rendered.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for _ in 0..12 {
        let other = TestApp::spawn(Options { smtp_port: None, vars: vec![], lease: None }).await;
        drop(other);
    }
    done.store(true, Ordering::Relaxed);
    for r in renders {
        r.await.unwrap();
    }
    assert!(rendered.load(Ordering::Relaxed) >= 3, "pages were rendered meanwhile");
}

#[tokio::test]
async fn readiness_checks_the_database_and_the_resume_storage() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    let ready = || async {
        let res = app.client.get(app.url("/readyz")).send().await.unwrap();
        (res.status(), res.json::<serde_json::Value>().await.unwrap())
    };
    let (status, body) = ready().await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, serde_json::json!({"database": "ok", "storage": "ok"}));

    // Resumes cannot be stored (even by root): not ready, and it says which part failed.
    let resumes = app.data_dir.join("resumes");
    let aside = app.data_dir.join("resumes-aside");
    std::fs::rename(&resumes, &aside).unwrap();
    std::fs::write(&resumes, b"not a directory").unwrap();
    let (status, body) = ready().await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body, serde_json::json!({"database": "ok", "storage": "failing"}));
    assert_eq!(app.client.get(app.url("/healthz")).send().await.unwrap().status(), StatusCode::OK, "still alive");

    std::fs::remove_file(&resumes).unwrap();
    std::fs::rename(&aside, &resumes).unwrap();
    assert_eq!(ready().await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_backup_taken_while_serving_restores_every_lead() {
    if on_postgres() {
        return; // pg_dump's job; the CLI says so (checked below on SQLite only)
    }
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    for i in 0..3 {
        app.submit(&format!("kept{i}@example.com")).await;
    }
    let file = app.data_dir.join("backup.db");
    let (code, out) = app.cli(&["backup", file.to_str().unwrap()], "").await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("backed up 3 leads"), "{out}");
    let (code, out) = app.cli(&["backup", file.to_str().unwrap()], "").await;
    assert_eq!(code, 1, "never overwrites: {out}");

    // Restoring over a running server is refused.
    let (code, out) = app.cli(&["restore", file.to_str().unwrap()], "").await;
    assert_eq!(code, 1);
    assert!(out.contains("stop the server first"), "{out}");

    // A lead after the backup, then the server stops and the backup is restored.
    app.submit("later@example.com").await;
    let data_dir = app.stop().await;
    let url = std::fs::read_to_string(data_dir.join(".database_url")).unwrap();
    let (code, out) = restore_from(&data_dir, &url, &file);
    assert_eq!(code, Some(0), "{out}");
    let app = TestApp::spawn_in(&data_dir, Options::smtp(free_port().await)).await;
    assert_eq!(app.count("leads").await, 3, "the database is as it was at the backup");
    let client = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let html = client.get(app.url("/leads")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("kept2@example.com") && !html.contains("later@example.com"));

    // Not a database: refused, nothing changed.
    let junk = data_dir.join("junk.db");
    std::fs::write(&junk, b"not sqlite").unwrap();
    drop(app.stop().await);
    let (code, out) = restore_from(&data_dir, &url, &junk);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("not an Intake database") || out.contains("file is not a database"), "{out}");
    let app = TestApp::spawn_in(&data_dir, Options::smtp(free_port().await)).await;
    assert_eq!(app.count("leads").await, 3, "nothing changed");
}

/// `intake restore <file>` on a stopped server's data.
fn restore_from(data_dir: &std::path::Path, url: &str, file: &std::path::Path) -> (Option<i32>, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_intake"))
        .args(["restore", file.to_str().unwrap()])
        .env("DATABASE_URL", url)
        .env("INTAKE_DATA_DIR", data_dir)
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// SIGTERM while a resume is being uploaded: the server stops accepting,
/// the upload finishes and is acknowledged, the lead is stored, and the
/// process exits on its own, promptly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_mid_upload_finishes_the_upload_then_exits() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut server = ServerProcess::start(
        &[("INTAKE_SUBMIT_RATE", "0"), ("INTAKE_NOTIFY_EMAIL", ATTORNEY), ("RUST_LOG", "error")],
        std::process::Stdio::inherit(),
    )
    .await;
    let addr = server.addr.clone();

    let boundary = "sigtermboundary";
    let mut body = Vec::new();
    for (name, value) in [("first_name", "Term"), ("last_name", "Inated"), ("email", "term@example.com")] {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").bytes(),
        );
    }
    body.extend(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"resume\"; filename=\"cv.pdf\"\r\nContent-Type: application/pdf\r\n\r\n")
            .bytes(),
    );
    body.extend(PDF);
    body.extend(format!("\r\n--{boundary}--\r\n").bytes());
    let head = format!(
        "POST /api/leads HTTP/1.1\r\nHost: {addr}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let mut upload = tokio::net::TcpStream::connect(&addr).await.unwrap();
    upload.write_all(head.as_bytes()).await.unwrap();
    let half = body.len() / 2;
    upload.write_all(&body[..half]).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    server.terminate();
    // New connections are no longer served.
    eventually("the listener closes", || async { reqwest::get(format!("http://{addr}/healthz")).await.is_err() }).await;

    upload.write_all(&body[half..]).await.unwrap();
    let mut answer = String::new();
    upload.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 201"), "the upload in flight is acknowledged: {answer}");
    let mut exited = None;
    for _ in 0..150 {
        exited = server.try_wait();
        if exited.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let status = exited.expect("the server exits on its own within 15 s of SIGTERM");
    assert!(status.success(), "{status:?}");

    let app = TestApp::spawn_in(&server.data_dir, Options::smtp(free_port().await)).await;
    assert_eq!(app.count("leads").await, 1, "the acknowledged lead is stored");
    assert_eq!(app.count("outbox").await, 2, "with its two emails queued");
}
