//! Several instances on one PostgreSQL database behave as one app.
//! Run by `scripts/test.sh` when PostgreSQL is available (`--include-ignored`
//! with `INTAKE_TEST_POSTGRES_URL` set); SQLite is a single-instance database.

use crate::helpers::*;
use futures::StreamExt;
use reqwest::{StatusCode, header};
use std::time::Duration;

fn require_postgres() {
    assert!(on_postgres(), "these tests need INTAKE_TEST_POSTGRES_URL (see scripts/test.sh)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL"]
async fn a_lead_submitted_on_one_instance_appears_live_on_another() {
    require_postgres();
    let a = TestApp::spawn(Options::smtp(free_port().await)).await;
    let b = a.another_instance(Options::smtp(free_port().await)).await;
    let client = b.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let res = client.get(b.url("/api/internal/events")).send().await.unwrap();
    let mut stream = res.bytes_stream();
    let mut buf = String::new();
    let id = a.submit("across@example.com").await;
    let got = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            let chunk = stream.next().await.unwrap().unwrap();
            buf.push_str(&String::from_utf8_lossy(&chunk));
            if buf.contains(&id) {
                return buf.clone();
            }
        }
    })
    .await
    .expect("the event reaches the other instance");
    assert!(got.contains("\"kind\":\"created\""), "{got}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL"]
async fn a_session_created_on_one_instance_is_valid_on_another() {
    require_postgres();
    let a = TestApp::spawn(Options::smtp(free_port().await)).await;
    let b = a.another_instance(Options::smtp(free_port().await)).await;
    let res = a.login_with(&a.browser(), ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let cookie = crate::confidentiality::session_cookie(&res);
    let on_b = b.client.post(b.url("/api/internal/me")).header(header::COOKIE, &cookie).send().await.unwrap();
    assert_eq!(on_b.status(), StatusCode::OK);
    let logout = b.client.post(b.url("/logout")).header(header::COOKIE, &cookie).send().await.unwrap();
    assert_eq!(logout.status(), StatusCode::SEE_OTHER);
    // A caches accounts and sessions; B's NOTIFY reaches it a moment after the commit.
    let mut status = StatusCode::OK;
    for _ in 0..50 {
        let on_a = a.client.post(a.url("/api/internal/me")).header(header::COOKIE, &cookie).send().await.unwrap();
        status = on_a.status();
        if status == StatusCode::UNAUTHORIZED {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(status, StatusCode::UNAUTHORIZED, "logging out on B ends the session on A within a second");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL"]
async fn two_instances_drain_the_outbox_exactly_once() {
    require_postgres();
    let sink = SmtpSink::start().await;
    let a = TestApp::spawn(Options::smtp(sink.port)).await;
    let b = a.another_instance(Options::smtp(sink.port)).await;
    for i in 0..10 {
        let app = if i % 2 == 0 { &a } else { &b };
        app.submit(&format!("once{i}@example.com")).await;
    }
    let msgs = sink.wait_for(20).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let all = sink.messages();
    assert_eq!(all.len(), 20, "20 messages, none twice");
    let mut ids: Vec<String> = all
        .iter()
        .map(|m| m.data.lines().find(|l| l.to_ascii_lowercase().starts_with("message-id:")).unwrap().to_owned())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 20, "distinct messages: {msgs:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL"]
async fn a_message_claimed_by_an_instance_that_dies_is_sent_by_another() {
    require_postgres();
    // A's SMTP server accepts connections and never answers: A hangs mid-send.
    let stalled_port = stalled_smtp().await;
    let sink = SmtpSink::start().await;
    let lease = Some(Duration::from_secs(2));
    let base = TestApp::spawn(Options { smtp_port: Some(free_port().await), vars: vec![], lease }).await;
    let a = base.another_instance(Options { smtp_port: Some(stalled_port), vars: vec![], lease }).await;
    // Only A is sending for now: the base instance stops.
    let b_dir = base.another_data_dir();
    base.stop().await;

    a.submit("dies@example.com").await;
    let db = a.db().await;
    eventually("A claimed both messages", || async {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE locked_until IS NOT NULL")
            .fetch_one(&db)
            .await
            .unwrap();
        n == 2
    })
    .await;
    a.crash();

    let _b = TestApp::spawn_isolated(&b_dir, Options { smtp_port: Some(sink.port), vars: vec![], lease }).await;
    let msgs = sink.wait_for(2).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sink.messages().len(), 2, "{msgs:?}");
    let sent: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE status = 'SENT'").fetch_one(&db).await.unwrap();
    assert_eq!(sent, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL"]
async fn the_lockout_and_the_submission_limit_hold_across_instances() {
    require_postgres();
    let port = free_port().await;
    let opts = || Options::smtp(port).var("INTAKE_SUBMIT_RATE", "3/min");
    let a = TestApp::spawn(opts()).await;
    let b = a.another_instance(opts()).await;
    // 40 wrong passwords at once, spread over both instances: still five checks.
    let statuses = TestApp::wrong_passwords_at_once(&[&a, &b], 40).await;
    let evaluated = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    assert_eq!(evaluated, 5, "{statuses:?}");
    for app in [&a, &b] {
        let res = app.login_with(&app.browser(), ADMIN_EMAIL, ADMIN_PASSWORD).await;
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "locked on every instance");
    }
    // Three submissions a minute from one client, wherever they land.
    let mut statuses = vec![];
    for i in 0..5 {
        let app = if i % 2 == 0 { &a } else { &b };
        statuses.push(app.post_form("/api/leads", lead_form(&format!("rate{i}@example.com"))).await.status());
    }
    let created = statuses.iter().filter(|s| **s == StatusCode::CREATED).count();
    assert_eq!(created, 3, "{statuses:?}");
    assert_eq!(statuses[3], StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL"]
async fn a_form_saved_elsewhere_is_the_form_on_every_instance_at_once() {
    require_postgres();
    let a = TestApp::spawn(Options::smtp(free_port().await)).await;
    let b = a.another_instance(Options::smtp(free_port().await)).await;
    let form = |label: &str| {
        serde_json::json!({"matter_types": [{"key": "family", "name": {"en": "Family"}, "resume_required": true,
            "questions": [{"key": "where", "kind": "short_text", "label": {"en": label}, "help": {}, "required": true, "choices": []}]}]})
    };
    let page = |app: &TestApp| {
        let (client, url) = (app.client.clone(), app.url("/"));
        async move { client.get(url).send().await.unwrap().text().await.unwrap() }
    };
    // Each instance reads version 1 (and keeps it: a version never changes).
    crate::questions::save_form(&a, &form("Where do you live?")).await;
    assert!(page(&a).await.contains("Where do you live?"));
    assert!(page(&b).await.contains("Where do you live?"));
    // Version 2, saved by another process, is every instance's form at the next request.
    crate::questions::save_form(&a, &form("Where were you born?")).await;
    for app in [&a, &b] {
        let html = page(app).await;
        assert!(html.contains("Where were you born?") && !html.contains("Where do you live?"), "{html}");
    }
    // And a submission answering it is checked against it.
    let form = lead_form("born@example.com").text("q.where", "Lyon").text("form_version", "2");
    assert_eq!(b.post_form("/api/leads", form).await.status(), StatusCode::CREATED);
}
