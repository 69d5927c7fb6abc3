//! What operators watch: Prometheus metrics, on the public address or only on the admin one.

use crate::helpers::*;
use reqwest::{StatusCode, multipart::Form};

/// The value of the sample whose line has every one of `parts` (0 when absent).
fn sample(text: &str, name: &str, labels: &[&str]) -> f64 {
    text.lines()
        .filter(|l| l.starts_with(name) && (l[name.len()..].starts_with(' ') || l[name.len()..].starts_with('{')))
        .filter(|l| labels.iter().all(|p| l.contains(p)))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_requests_leads_refusals_logins_and_the_outbox() {
    // No SMTP server on that port: the emails stay queued.
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    let scrape = || async {
        let res = app.client.get(app.url("/metrics")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
        res.text().await.unwrap()
    };
    let before = scrape().await;
    app.submit("metrics@example.com").await;
    let bad = Form::new().text("first_name", "").text("last_name", "L").text("email", "nope");
    assert_eq!(app.post_form("/api/leads", bad).await.status(), StatusCode::BAD_REQUEST);
    let res = app.login_with(&app.browser(), ADMIN_EMAIL, "not the password at all").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    for i in 0..3 {
        app.client.get(app.url(&format!("/scanner/probe-{i}"))).send().await.unwrap();
    }
    let after = scrape().await;

    let grew = |name: &str, labels: &[&str]| sample(&after, name, labels) - sample(&before, name, labels);
    assert!(grew("intake_leads_created_total", &[]) >= 1.0, "{after}");
    assert!(grew("intake_submissions_refused_total", &["kind=\"invalid\""]) >= 1.0, "{after}");
    assert!(grew("intake_login_failures_total", &[]) >= 1.0, "{after}");
    assert!(
        grew("intake_http_requests_total", &["endpoint=\"/api/leads\"", "status=\"201\""]) >= 1.0,
        "requests by route and status: {after}"
    );
    assert!(sample(&after, "intake_http_requests_duration_seconds_count", &["endpoint=\"/api/leads\""]) >= 1.0);
    assert!(!after.contains("/scanner/probe"), "unrouted paths never become labels");
    assert!(sample(&after, "intake_http_requests_total", &["endpoint=\"unmatched\""]) >= 3.0);
    assert_eq!(sample(&after, "intake_outbox_pending", &["channel=\"email\""]), 2.0, "this app's two emails wait");
    assert!(sample(&after, "intake_outbox_oldest_pending_seconds", &["channel=\"email\""]) >= 0.0);
    assert!(after.contains("intake_event_streams_open"));
    assert!(after.contains("intake_db_connections{state=\"idle\"}"), "{after}");

    // With INTAKE_ADMIN_ADDR, metrics leave the public address.
    let private = TestApp::spawn(Options::smtp(free_port().await).var("INTAKE_ADMIN_ADDR", "127.0.0.1:0")).await;
    let res = private.client.get(private.url("/metrics")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let admin = private.admin.clone().expect("an admin listener");
    let res = private.client.get(format!("{admin}/metrics")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("intake_http_requests_total"));
    let res = private.client.get(format!("{admin}/readyz")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = private.client.get(format!("{admin}/leads")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "the admin address serves nothing else");
}

/// `INTAKE_LOG_FORMAT=json`: one JSON object per line, each line of a request
/// naming the request's id, which the response returns as `x-request-id`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_name_each_request_by_the_id_it_returns() {
    let server =
        ServerProcess::start(&[("INTAKE_LOG_FORMAT", "json"), ("RUST_LOG", "warn")], std::process::Stdio::piped())
            .await;
    // A cross-site post is refused and logged (a warning) inside its request.
    let res = reqwest::Client::new()
        .post(server.url("/logout"))
        .header("origin", "https://evil.example")
        .header("x-request-id", "forged-by-the-client")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "our own id, not the client's: {id}");
    server.terminate();
    let out = server.wait_with_output();
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let refused =
        lines.iter().find(|l| l["fields"]["message"] == "refused a cross-site request").expect("the refusal is logged");
    assert_eq!(refused["level"], "WARN");
    assert_eq!(refused["span"]["id"], id.as_str(), "{refused}");
    assert_eq!(refused["span"]["path"], "/logout");
}
