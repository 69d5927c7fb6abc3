//! Erasure: an administrator erases a lead for good (or the retention period
//! does); only a tombstone remains, and every dashboard drops the lead.

use crate::helpers::*;
use futures::StreamExt;
use reqwest::StatusCode;
use serde_json::Value;
use std::time::Duration;

async fn count_where(app: &TestApp, table: &str, id: &str) -> i64 {
    let col = if table == "leads" { "id" } else { "lead_id" };
    app.count(&format!("{table} WHERE {col} = '{id}'")).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_erases_a_lead_and_only_a_tombstone_remains() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    let id = app.submit("forget.me@example.com").await;
    let kept = app.submit("keep.me@example.com").await;
    let admin = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    admin.post(app.url("/api/internal/mark_reached_out")).form(&[("id", id.as_str())]).send().await.unwrap();
    let note = [("lead", id.as_str()), ("body", "Called, asked to be forgotten")];
    admin.post(app.url("/api/internal/add_note")).form(&note).send().await.unwrap();
    assert_eq!(app.resume_files().iter().filter(|p| !p.to_string_lossy().contains(".staging")).count(), 2);

    // An open dashboard is told to read its view again.
    let stream = admin.get(app.url("/api/internal/events")).send().await.unwrap();
    let mut stream = stream.bytes_stream();

    let erase = |reason: &'static str, reference: &'static str| {
        let id = id.clone();
        let form = [("id", id), ("reason", reason.to_owned()), ("reference", reference.to_owned())];
        admin.post(app.url("/api/internal/erase_lead")).form(&form).send()
    };
    // The reason comes from a list and the reference is a number: no free text that could name the person.
    for (reason, reference, why) in [
        ("   ", "", "Reason:"),
        ("Asked by Ada Lovelace by email", "", "Reason:"),
        ("requested", "Ada Lovelace", "Reference:"),
        ("other", "", "Reference:"),
    ] {
        let res = erase(reason, reference).await.unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{reason:?} {reference:?}");
        assert!(res.text().await.unwrap().contains(why));
    }
    assert_eq!(count_where(&app, "leads", &id).await, 1, "nothing erased without a listed reason");

    let res = erase("requested", "REQ-2024-117").await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let mut seen = String::new();
    tokio::time::timeout(Duration::from_secs(5), async {
        while !seen.contains("event: resync") {
            seen.push_str(&String::from_utf8_lossy(&stream.next().await.unwrap().unwrap()));
        }
    })
    .await
    .expect("the dashboard hears of the erasure");

    for table in ["leads", "lead_events", "lead_notes", "outbox"] {
        assert_eq!(count_where(&app, table, &id).await, 0, "{table} still holds the lead");
    }
    assert_eq!(count_where(&app, "leads", &kept).await, 1, "other leads stay");
    let files: Vec<_> = app.resume_files().into_iter().filter(|p| !p.to_string_lossy().contains(".staging")).collect();
    assert_eq!(files.len(), 1, "the resume file is deleted: {files:?}");
    assert_eq!(app.count("erasures WHERE resume_key IS NULL").await, 1, "its deletion is recorded");

    let res = admin.post(app.url("/api/internal/lead")).form(&[("id", id.as_str())]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = admin.get(app.url(&format!("/leads/{id}/resume"))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = erase("requested", "").await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "a second erasure finds nothing");

    // The audit trail keeps who, when and why, and nothing personal.
    let audit = admin.post(app.url("/api/internal/integrations")).send().await.unwrap().text().await.unwrap();
    let audit: Value = serde_json::from_str(&audit).unwrap();
    assert_eq!(audit["erasures"][0]["lead_id"], id.as_str());
    assert_eq!(audit["erasures"][0]["erased_by"], "Administrator");
    assert_eq!(audit["erasures"][0]["reason"], "The person asked to be erased (REQ-2024-117)");
    assert!(!audit.to_string().contains("forget.me"), "{audit}");

    // The search index forgets the lead too, and takes the prospect back.
    let search = || async {
        let v = app.leads_page(&admin, &[("filter[q]", "forget.me")]).await;
        let ids: Vec<String> = v["rows"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().into()).collect();
        (ids, v["total"].as_i64().unwrap())
    };
    assert_eq!(search().await, (vec![], 0), "the search index still finds the erased lead");

    // The address is free again: the prospect may come back.
    let again = app.submit("forget.me@example.com").await;
    assert_eq!(search().await, (vec![again], 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_retention_period_erases_old_leads_at_start_and_hourly() {
    let app = TestApp::spawn(Options::smtp(free_port().await).var("INTAKE_RETENTION", "30d")).await;
    let old = app.submit("old@example.com").await;
    let recent = app.submit("recent@example.com").await;
    let db = app.db().await;
    sqlx::query(&format!("UPDATE leads SET created_at = created_at - 2678400000 WHERE id = '{old}'"))
        .execute(&db)
        .await
        .unwrap();
    db.close().await;
    let dir = app.stop().await;
    let app = TestApp::spawn_in(&dir, Options::smtp(free_port().await).var("INTAKE_RETENTION", "30d")).await;
    eventually("the old lead is erased", || async { count_where(&app, "leads", &old).await == 0 }).await;
    assert_eq!(count_where(&app, "leads", &recent).await, 1);
    let db = app.db().await;
    let (by, reason, reference): (Option<String>, String, String) = sqlx::query_as(&format!(
        "SELECT CAST(erased_by AS TEXT), reason, reference FROM erasures WHERE lead_id = '{old}'"
    ))
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!((by, reason.as_str(), reference.as_str()), (None, "retention", "30d"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_smtp_the_erased_leads_email_files_go_too() {
    let app = TestApp::spawn(Options { smtp_port: None, vars: vec![], lease: None }).await;
    let id = app.submit("eml@example.com").await;
    let outbox = app.data_dir.join("outbox");
    let emls = || {
        std::fs::read_dir(&outbox)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
            .count()
    };
    eventually("both emails are written", || async { emls() == 2 }).await;
    let admin = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let form = [("id", id.as_str()), ("reason", "requested")];
    let res = admin.post(app.url("/api/internal/erase_lead")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(emls(), 0, "the .eml files held the prospect's details");
}
