//! The email outbox: retries while the SMTP server is down, survives restarts, sends once.

use crate::helpers::*;
use reqwest::StatusCode;
use std::time::Duration;

#[tokio::test]
async fn messages_wait_for_a_down_smtp_server_and_arrive_once_it_is_up() {
    let port = free_port().await;
    let app = TestApp::spawn(Options::smtp(port)).await;
    assert_eq!(app.post_form("/api/leads", lead_form("down@example.com")).await.status(), StatusCode::CREATED);

    let db = app.db().await;
    eventually("a failed attempt recorded", || async {
        let row: Option<(i64, Option<String>, String)> =
            sqlx::query_as("SELECT attempts, last_error, status FROM outbox ORDER BY attempts DESC LIMIT 1")
                .fetch_optional(&db)
                .await
                .unwrap();
        matches!(row, Some((n, Some(_), s)) if n >= 1 && s == "QUEUED")
    })
    .await;

    let sink = SmtpSink::start_on(port).await;
    let msgs = sink.wait_for(2).await;
    assert_eq!(msgs.len(), 2);
    // Give a duplicate send the chance to happen before checking there was none.
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(sink.messages().len(), 2, "each message is sent once");
    let sent: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE status = 'SENT'").fetch_one(&db).await.unwrap();
    assert_eq!(sent, 2);
}

#[tokio::test]
async fn queued_messages_survive_a_restart() {
    let port = free_port().await;
    let app = TestApp::spawn(Options::smtp(port)).await;
    assert_eq!(app.post_form("/api/leads", lead_form("restart@example.com")).await.status(), StatusCode::CREATED);
    let data_dir = app.stop().await;

    let sink = SmtpSink::start_on(port).await;
    let app = TestApp::spawn_in(&data_dir, Options::smtp(port)).await;
    let msgs = sink.wait_for(2).await;
    let mut to: Vec<_> = msgs.iter().map(|m| m.to.join(",")).collect();
    to.sort();
    assert_eq!(to, ["attorney@firm.test", "restart@example.com"]);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sink.messages().len(), 2);
    assert_eq!(app.count("leads").await, 1);
}

#[tokio::test]
async fn without_smtp_messages_are_written_as_eml_files() {
    let app = TestApp::spawn(Options { smtp_port: None, vars: vec![], lease: None }).await;
    assert_eq!(app.post_form("/api/leads", lead_form("files@example.com")).await.status(), StatusCode::CREATED);
    let outbox = app.data_dir.join("outbox");
    eventually("two .eml files", || async {
        std::fs::read_dir(&outbox)
            .map(|d| d.flatten().filter(|e| e.path().extension().is_some_and(|x| x == "eml")).count() == 2)
            .unwrap_or(false)
    })
    .await;
    let all: String =
        std::fs::read_dir(&outbox).unwrap().flatten().map(|e| std::fs::read_to_string(e.path()).unwrap()).collect();
    assert!(all.contains("To: \"Ada Lovelace\" <files@example.com>"), "{all}");
    assert!(all.contains("To: attorney@firm.test"));
}

/// A crash mid-send must not hold a prospect's confirmation back: SQLite's
/// restarted process frees every lease at once; on PostgreSQL (with a second
/// instance running, as in production) a dead instance's short lease lapses
/// within seconds. The lease is the default one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_mid_batch_delays_no_email_by_more_than_a_few_seconds() {
    let stalled = stalled_smtp().await;
    let sink = SmtpSink::start().await;
    let dir = fresh_data_dir().await;
    let a = TestApp::spawn_isolated(&dir, Options::smtp(stalled)).await;
    let _other = if on_postgres() { Some(a.another_instance(Options::smtp(sink.port)).await) } else { None };
    let emails: Vec<String> = (0..20).map(|i| format!("crash{i}@example.com")).collect();
    for e in &emails {
        a.submit(e).await; // acknowledged: 201
    }
    let db = a.db().await;
    eventually("the stalled sender holds leases mid-send", || async {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE locked_until IS NOT NULL AND status = 'QUEUED'")
                .fetch_one(&db)
                .await
                .unwrap();
        n > 0
    })
    .await;
    a.crash();

    let _restarted = TestApp::spawn_isolated(&dir, Options::smtp(sink.port)).await;
    let msgs = sink.wait_for(40).await; // panics past 10 s
    for e in &emails {
        assert!(msgs.iter().any(|m| m.to.contains(e)), "confirmation to {e}");
        let about =
            msgs.iter().filter(|m| m.to.iter().any(|t| t == ATTORNEY) && body_text(&m.data).contains(e.as_str()));
        assert_eq!(about.count(), 1, "one notification about {e}");
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sink.messages().len(), 40, "each message once");
    let queued: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE status <> 'SENT'").fetch_one(&db).await.unwrap();
    assert_eq!(queued, 0);
}
