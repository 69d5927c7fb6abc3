//! Webhooks: endpoints added with the CLI receive signed lead events through
//! the outbox, once each, across failures, restarts and instances.

use crate::helpers::*;
use axum::{
    Router,
    extract::State,
    http::{HeaderMap, StatusCode as AxumStatus},
    routing::post,
};
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::Value;
use sha2::Sha256;
use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU16, Ordering},
    },
    time::Duration,
};

/// One request the receiver got.
#[derive(Clone, Debug)]
pub struct Delivery {
    pub event: Value,
    pub event_type: String,
    pub delivery_id: String,
    /// The signature checked out with the receiver's secret, and its time is recent.
    pub verified: bool,
    /// What the receiver answered.
    pub answered: u16,
}

/// A webhook receiver as an integrator would write one: it checks the
/// signature (HMAC-SHA256 of "<t>.<body>") and answers with `status`.
#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    secrets: Arc<Mutex<Vec<String>>>,
    status: Arc<AtomicU16>,
    got: Arc<Mutex<Vec<Delivery>>>,
}

impl Receiver {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hooks/intake", listener.local_addr().unwrap());
        let this = Self { url, secrets: Arc::default(), status: Arc::new(AtomicU16::new(200)), got: Arc::default() };
        let app = Router::new()
            .route("/hooks/intake", post(receive))
            .route("/elsewhere", post(|| async { "moved" }))
            .with_state(this.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        this
    }

    pub fn trust(&self, secret: &str) {
        self.secrets.lock().unwrap().push(secret.to_owned());
    }

    pub fn answer(&self, status: u16) {
        self.status.store(status, Ordering::SeqCst);
    }

    pub fn all(&self) -> Vec<Delivery> {
        self.got.lock().unwrap().clone()
    }

    /// Deliveries accepted (verified and answered 2xx).
    pub fn accepted(&self) -> Vec<Delivery> {
        self.all().into_iter().filter(|d| d.verified && d.answered == 200).collect()
    }

    pub async fn wait_accepted(&self, n: usize) -> Vec<Delivery> {
        let this = self.clone();
        eventually(&format!("{n} accepted deliveries"), || {
            let this = this.clone();
            async move { this.accepted().len() >= n }
        })
        .await;
        self.accepted()
    }
}

/// The documented check: recompute the HMAC over "<t>.<body>" and refuse old timestamps.
pub fn verify(secret: &str, header: &str, body: &str) -> bool {
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => v1 = hex::decode(v).ok(),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else { return false };
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    if (now - t).abs() > 300 {
        return false;
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    mac.verify_slice(&v1).is_ok()
}

async fn receive(State(r): State<Receiver>, headers: HeaderMap, body: String) -> AxumStatus {
    let header = |k: &str| headers.get(k).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let signature = header("intake-signature");
    let verified = r.secrets.lock().unwrap().iter().any(|s| verify(s, &signature, &body));
    let mut answered = r.status.load(Ordering::SeqCst);
    if !verified {
        answered = 401;
    }
    r.got.lock().unwrap().push(Delivery {
        event: serde_json::from_str(&body).unwrap_or(Value::Null),
        event_type: header("intake-event"),
        delivery_id: header("intake-delivery"),
        verified,
        answered,
    });
    AxumStatus::from_u16(answered).unwrap()
}

/// `intake webhook add --url URL`: the endpoint's id and secret.
pub async fn add_webhook(app: &TestApp, url: &str) -> (String, String) {
    let (code, out) = app.cli(&["webhook", "add", "--url", url], "").await;
    assert_eq!(code, 0, "{out}");
    let id = out.split_whitespace().nth(3).unwrap().to_owned();
    let secret = out.split_whitespace().find(|w| w.starts_with("whsec_")).expect("the secret is printed").to_owned();
    (id, secret)
}

async fn write_token(app: &TestApp) -> String {
    let (code, out) = app.cli(&["token", "create", "--name", "crm", "--scope", "write", "--by", ADMIN_EMAIL], "").await;
    assert_eq!(code, 0, "{out}");
    out.lines().find(|l| l.starts_with("intake_")).unwrap().to_owned()
}

async fn mark(app: &TestApp, token: &str, id: &str) {
    let res = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/leads/{id}/reached-out")))
        .bearer_auth(token)
        .send()
        .await;
    assert_eq!(res.unwrap().status(), StatusCode::OK);
}

/// The lead as an administrator's page reads it (webhook URLs and errors included).
async fn admin_view(app: &TestApp, admin: &reqwest::Client, id: &str) -> Value {
    let res = admin.post(app.url("/api/internal/lead")).form(&[("id", id)]).send().await.unwrap();
    res.json().await.unwrap()
}

async fn lead_view(app: &TestApp, token: &str, id: &str) -> Value {
    let res = reqwest::Client::new().get(app.url(&format!("/api/v1/leads/{id}"))).bearer_auth(token).send().await;
    res.unwrap().json().await.unwrap()
}

/// Each event id exactly once among `deliveries`.
fn once_each(deliveries: &[Delivery]) -> HashMap<i64, usize> {
    let mut seen = HashMap::new();
    for d in deliveries {
        *seen.entry(d.event["id"].as_i64().unwrap()).or_insert(0) += 1;
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lead_events_reach_every_endpoint_signed_with_its_own_secret() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    let (crm, zap) = (Receiver::start().await, Receiver::start().await);
    let (crm_id, crm_secret) = add_webhook(&app, &crm.url).await;
    let (_, zap_secret) = add_webhook(&app, &zap.url).await;
    assert_ne!(crm_secret, zap_secret);
    crm.trust(&crm_secret);
    zap.trust(&zap_secret);
    let token = write_token(&app).await;

    let id = app.submit("hooked@example.com").await;
    mark(&app, &token, &id).await;

    for receiver in [&crm, &zap] {
        let got = receiver.wait_accepted(2).await;
        let created = got.iter().find(|d| d.event_type == "lead.created").expect("lead.created");
        assert_eq!(created.event["type"], "lead.created");
        assert_eq!(created.event["lead"]["id"], id.as_str());
        assert_eq!(created.event["lead"]["email"], "hooked@example.com");
        assert_eq!(created.event["lead"]["state"], "PENDING");
        assert_eq!(created.event["by"], Value::Null);
        let changed = got.iter().find(|d| d.event_type == "lead.state_changed").expect("lead.state_changed");
        assert_eq!(changed.event["lead"]["state"], "REACHED_OUT");
        assert_eq!(changed.event["by"], "Administrator (API token crm)");
        assert!(changed.event["id"].as_i64() > created.event["id"].as_i64());
        assert!(got.iter().all(|d| d.delivery_id.len() == 36), "{got:?}");
    }
    // The same event has the same id at both endpoints, under different signatures.
    let ids = |r: &Receiver| {
        let mut v: Vec<i64> = r.accepted().iter().map(|d| d.event["id"].as_i64().unwrap()).collect();
        v.sort();
        v
    };
    assert_eq!(ids(&crm), ids(&zap));
    // Nothing arrives unsigned or signed with another endpoint's secret.
    assert!(crm.all().iter().chain(zap.all().iter()).all(|d| d.verified));
    assert!(!verify(&zap_secret, "t=1,v1=00", "{}"), "the check is not vacuous");

    // The lead's page and the API show each delivery (marked sent just
    // after the receiver's answer, so give the sender a moment).
    eventually("the deliveries to be marked sent", || async {
        lead_view(&app, &token, &id).await["webhooks"].as_array().unwrap().iter().all(|h| h["status"] == "SENT")
    })
    .await;
    let view = lead_view(&app, &token, &id).await;
    let hooks = view["webhooks"].as_array().unwrap();
    assert_eq!(hooks.len(), 4, "{view}");
    assert!(hooks.iter().all(|h| h["status"] == "SENT"), "{view}");
    // A token sees each endpoint by id, never its URL (which may hold a credential).
    assert!(hooks.iter().any(|h| h["recipients"] == format!("endpoint {crm_id}")), "{view}");
    assert!(!view.to_string().contains(&crm.url) && !view.to_string().contains("127.0.0.1"), "{view}");
    let client = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let page = client.get(app.url(&format!("/leads/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("<h2>Webhooks</h2>") && page.contains("lead.state_changed"), "{page}");
    // An administrator sees the URL.
    let as_admin = admin_view(&app, &client, &id).await;
    assert!(as_admin["webhooks"].as_array().unwrap().iter().any(|h| h["recipients"] == crm.url.as_str()), "{as_admin}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_endpoint_is_retried_across_a_restart_and_gets_each_event_once() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    let receiver = Receiver::start().await;
    let (_, secret) = add_webhook(&app, &receiver.url).await;
    receiver.trust(&secret);
    receiver.answer(503);
    let id = app.submit("retried@example.com").await;
    let db = app.db().await;
    eventually("a failed attempt is recorded", || async {
        let row: Option<(i64, Option<String>)> = sqlx::query_as(
            "SELECT attempts, last_error FROM outbox WHERE channel = 'webhook' AND status = 'QUEUED' AND attempts > 0",
        )
        .fetch_optional(&db)
        .await
        .unwrap();
        row.is_some_and(|(_, e)| e.as_deref() == Some("HTTP 503 Service Unavailable"))
    })
    .await;
    db.close().await;
    let dir = app.stop().await;

    receiver.answer(200);
    let app = TestApp::spawn_in(&dir, Options::smtp(free_port().await)).await;
    let got = receiver.wait_accepted(1).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(receiver.accepted().len(), 1, "accepted once: {:?}", receiver.all());
    assert_eq!(got[0].event["lead"]["id"], id.as_str());
    assert!(receiver.all().len() >= 2, "refused first, then accepted");
    let ids: Vec<String> = receiver.all().into_iter().map(|d| d.delivery_id).collect();
    assert!(ids.windows(2).all(|w| w[0] == w[1]), "a retry is the same delivery: {ids:?}");
    let db = app.db().await;
    let (status, attempts): (String, i64) =
        sqlx::query_as("SELECT status, attempts FROM outbox WHERE channel = 'webhook'").fetch_one(&db).await.unwrap();
    assert_eq!(status, "SENT");
    assert_eq!(attempts as usize, receiver.all().len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_give_up_after_the_attempt_limit_and_never_follow_redirects() {
    let app = TestApp::spawn(Options::smtp(free_port().await).var("INTAKE_WEBHOOK_MAX_ATTEMPTS", "2")).await;
    let receiver = Receiver::start().await;
    let (_, secret) = add_webhook(&app, &receiver.url).await;
    receiver.trust(&secret);
    receiver.answer(307);
    let token = write_token(&app).await;
    let id = app.submit("redirected@example.com").await;
    eventually("the delivery is given up", || async {
        let view = lead_view(&app, &token, &id).await;
        view["webhooks"][0]["status"] == "FAILED"
    })
    .await;
    let view = lead_view(&app, &token, &id).await;
    assert_eq!(view["webhooks"][0]["attempts"], 2);
    // What the endpoint answered describes the firm's network: administrators only.
    assert_eq!(view["webhooks"][0]["last_error"], "the delivery failed (details for administrators)");
    let admin = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let as_admin = admin_view(&app, &admin, &id).await;
    assert_eq!(as_admin["webhooks"][0]["last_error"], "HTTP 307 Temporary Redirect (redirects are not followed)");
    assert_eq!(receiver.all().len(), 2, "two attempts, both at the configured URL");

    // 410 Gone: the receiver says stop; no retry.
    receiver.answer(410);
    let gone = app.submit("gone@example.com").await;
    eventually("410 gives up at once", || async {
        let view = lead_view(&app, &token, &gone).await;
        view["webhooks"][0]["status"] == "FAILED" && view["webhooks"][0]["attempts"] == 1
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endpoints_are_checked_listed_and_removed_from_the_cli() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    for bad in ["ftp://crm.example/hook", "crm.example/hook", "https://crm.example/#x"] {
        let (code, out) = app.cli(&["webhook", "add", "--url", bad], "").await;
        assert_eq!(code, 1, "{bad}: {out}");
        assert!(out.contains("--url"), "{out}");
    }
    let receiver = Receiver::start().await;
    let (id, secret) = add_webhook(&app, &receiver.url).await;
    receiver.trust(&secret);
    let (code, list) = app.cli(&["webhook", "list"], "").await;
    assert_eq!(code, 0);
    assert!(list.contains(&id) && list.contains("active") && !list.contains(&secret), "{list}");

    let (code, out) = app.cli(&["webhook", "remove", "--id", &id], "").await;
    assert_eq!(code, 0, "{out}");
    let (code, out) = app.cli(&["webhook", "remove", "--id", &id], "").await;
    assert_eq!(code, 1, "a second removal says there is none: {out}");
    let (_, list) = app.cli(&["webhook", "list"], "").await;
    assert!(list.contains("removed"), "{list}");

    app.submit("after-removal@example.com").await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(receiver.all().is_empty(), "{:?}", receiver.all());
    assert_eq!(app.count("outbox WHERE channel = 'webhook'").await, 0, "nothing is queued for a removed endpoint");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL"]
async fn two_instances_deliver_each_event_exactly_once() {
    assert!(on_postgres(), "this test needs INTAKE_TEST_POSTGRES_URL (see scripts/test.sh)");
    let a = TestApp::spawn(Options::smtp(free_port().await)).await;
    let b = a.another_instance(Options::smtp(free_port().await)).await;
    let receiver = Receiver::start().await;
    let (_, secret) = add_webhook(&a, &receiver.url).await;
    receiver.trust(&secret);
    let token = write_token(&a).await;
    let mut ids = Vec::new();
    for i in 0..10 {
        let app = if i % 2 == 0 { &a } else { &b };
        ids.push(app.submit(&format!("pair{i}@example.com")).await);
    }
    for (i, id) in ids.iter().enumerate().take(5) {
        mark(if i % 2 == 0 { &b } else { &a }, &token, id).await;
    }
    // 10 created, 5 state changes, and 9 conflict checks: every lead after
    // the first shares its name, whichever instance checks which lead first.
    receiver.wait_accepted(24).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let all = receiver.all();
    let seen = once_each(&all);
    assert_eq!(seen.len(), 24, "{seen:?}");
    assert!(seen.values().all(|n| *n == 1), "no event twice: {seen:?}");
    assert_eq!(all.iter().filter(|d| d.event_type == "lead.conflict_checked").count(), 9);
}
