//! Ownership and follow-up deadlines: assigning leads (and losing a race
//! politely), "mine" and "unassigned" views with their counts, the overdue
//! view, and the daily digest sent once.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::Value;

const ALICE: (&str, &str) = ("alice@firm.test", "alice password 11");
const BOB: (&str, &str) = ("bob@firm.test", "bob password 22");

async fn post(c: &reqwest::Client, app: &TestApp, path: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let res = c.post(app.url(path)).form(form).send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn me(c: &reqwest::Client, app: &TestApp) -> String {
    post(c, app, "/api/internal/me", &[]).await.1["id"].as_str().unwrap().to_owned()
}

async fn assign(c: &reqwest::Client, app: &TestApp, lead: &str, to: &str, expected: &str) -> (StatusCode, Value) {
    post(c, app, "/api/internal/assign", &[("id", lead), ("to", to), ("expected", expected)]).await
}

/// The dashboard's page for a view (`state`, `owner`) as `c` sees it: (total, emails).
async fn view(c: &reqwest::Client, app: &TestApp, filter: &[(&str, &str)]) -> (i64, Vec<String>) {
    let mut form: Vec<(String, String)> = Vec::new();
    if !filter.iter().any(|(k, _)| *k == "q") {
        form.push(("filter[q]".into(), String::new()));
    }
    for (k, v) in filter {
        form.push((format!("filter[{k}]"), (*v).into()));
    }
    let res = c.post(app.url("/api/internal/leads")).form(&form).send().await.unwrap();
    let status = res.status();
    let page: Value = res.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{filter:?}: {page}");
    let emails = page["rows"].as_array().unwrap().iter().map(|r| r["email"].as_str().unwrap().to_owned()).collect();
    (page["total"].as_i64().unwrap(), emails)
}

async fn counts(c: &reqwest::Client, app: &TestApp) -> Value {
    post(c, app, "/api/internal/my_counts", &[]).await.1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leads_are_assigned_and_listed_as_mine_and_the_assignee_is_emailed() {
    let smtp = SmtpSink::start().await;
    let app = TestApp::spawn(Options::smtp(smtp.port)).await;
    app.add_attorney(ALICE.0, "Alice Ames", ALICE.1).await;
    app.add_attorney(BOB.0, "Bob Burns", BOB.1).await;
    let (alice, bob) = (app.logged_in(ALICE.0, ALICE.1).await, app.logged_in(BOB.0, BOB.1).await);
    let (alice_id, bob_id) = (me(&alice, &app).await, me(&bob, &app).await);
    let one = app.submit("one@example.com").await;
    let two = app.submit("two@example.com").await;
    let three = app.submit("three@example.com").await;
    smtp.wait_for(6).await;

    // Alice takes one for herself (no email to herself) and gives two to Bob.
    let (status, row) = assign(&alice, &app, &one, &alice_id, "").await;
    assert_eq!(status, StatusCode::OK, "{row}");
    assert_eq!(row["assignee"]["name"], "Alice Ames");
    let (status, _) = assign(&alice, &app, &two, &bob_id, "").await;
    assert_eq!(status, StatusCode::OK);
    let mails = smtp.wait_for(7).await;
    let to_bob: Vec<_> = mails.iter().filter(|m| m.to.iter().any(|t| t.contains(BOB.0))).collect();
    assert_eq!(to_bob.len(), 1, "Bob is told once");
    let text = body_text(&to_bob[0].data);
    assert!(text.contains("Lead assigned to you") && text.contains("Alice Ames assigned a lead to you"), "{text}");
    assert!(text.contains(&format!("http://intake.firm.test/leads/{two}")), "{text}");
    assert!(!mails.iter().any(|m| m.to.iter().any(|t| t.contains(ALICE.0))), "no email for assigning oneself");

    // Both saw three unassigned and try to take it: one wins, the other is told who.
    let (a, b) = tokio::join!(assign(&alice, &app, &three, &alice_id, ""), assign(&bob, &app, &three, &bob_id, ""));
    let (winner, loser) = if a.0 == StatusCode::OK { ("Alice Ames", b) } else { ("Bob Burns", a) };
    assert_eq!(loser.0, StatusCode::CONFLICT, "{loser:?}");
    assert_eq!(loser.1["Conflict"], format!("Already assigned to {winner}."));
    // Giving a lead to whom it already has is a conflict too, and records nothing.
    assert_eq!(assign(&alice, &app, &one, &alice_id, &alice_id).await.0, StatusCode::CONFLICT);

    // Bad input is refused by field, and nothing changes.
    let events = app.count("lead_events").await;
    let (status, err) = assign(&alice, &app, &one, "not-an-id", &alice_id).await;
    assert_eq!((status, err["Invalid"].as_str()), (StatusCode::BAD_REQUEST, Some("Assign to: not an attorney's id.")));
    let (status, err) = assign(&alice, &app, &one, &uuid::Uuid::now_v7().to_string(), &alice_id).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(err["Invalid"].as_str().unwrap().contains("active colleague"), "{err}");
    let (status, _) = assign(&alice, &app, &uuid::Uuid::now_v7().to_string(), &alice_id, "").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = assign(&app.browser(), &app, &one, &alice_id, &alice_id).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.count("lead_events").await, events, "nothing recorded");

    // "Mine" and "nobody" views and the header's count, per attorney.
    let alice_has = if winner == "Alice Ames" { 2 } else { 1 };
    assert_eq!(view(&alice, &app, &[("owner", "me")]).await.0, alice_has);
    assert_eq!(view(&bob, &app, &[("owner", "me")]).await.0, 3 - alice_has);
    assert!(view(&bob, &app, &[("owner", "me")]).await.1.contains(&"two@example.com".to_owned()));
    assert_eq!(counts(&alice, &app).await["mine"], alice_has);
    assert_eq!(view(&alice, &app, &[("owner", "none")]).await.0, 0);

    // Taken back: unassigned again, in the view and the counts.
    let (status, row) = assign(&alice, &app, &one, "", &alice_id).await;
    assert_eq!((status, row["assignee"].is_null()), (StatusCode::OK, true));
    assert_eq!(view(&alice, &app, &[("owner", "none")]).await, (1, vec!["one@example.com".to_owned()]));
    assert_eq!(view(&alice, &app, &[("owner", "none"), ("state", "PENDING")]).await.0, 1);
    assert_eq!(counts(&alice, &app).await["mine"], alice_has - 1);
    // Reaching out leaves "mine" pending count.
    post(&bob, &app, "/api/internal/mark_reached_out", &[("id", two.as_str())]).await;
    assert_eq!(counts(&bob, &app).await["mine"], 2 - alice_has);

    // The history says who gave it to whom; the lead page too.
    let detail = post(&bob, &app, "/api/internal/lead", &[("id", two.as_str())]).await.1;
    let assigned: Vec<&Value> =
        detail["history"].as_array().unwrap().iter().filter(|h| !h["assigned"].is_null()).collect();
    assert_eq!(
        (assigned.len(), &assigned[0]["assigned"], &assigned[0]["by"]),
        (1, &Value::from("Bob Burns"), &Value::from("Alice Ames"))
    );
    assert_eq!(detail["emails"].as_array().unwrap().iter().filter(|e| e["kind"] == "assignment").count(), 1);
    let html = bob.get(app.url(&format!("/leads/{one}"))).send().await.unwrap().text().await.unwrap();
    assert!(
        html.contains("Assigned to Alice Ames by Alice Ames") && html.contains("Unassigned by Alice Ames"),
        "{html}"
    );
    // The CSV names the assignee.
    let csv = bob.get(app.url("/leads/export.csv?owner=me")).send().await.unwrap().text().await.unwrap();
    assert!(csv.lines().next().unwrap().contains("\"Reached out at (UTC)\",\"Assigned to\",\"Source\""), "{csv}");
    assert!(csv.contains("\"Bob Burns\""), "{csv}");
    assert_eq!(csv.lines().count(), 1 + (3 - alice_has) as usize, "{csv}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assignments_are_announced_live_with_the_row() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    let admin = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let admin_id = me(&admin, &app).await;
    let id = app.submit("live-assign@example.com").await;
    let res = admin.get(app.url("/api/internal/events")).send().await.unwrap();
    let mut stream = res.bytes_stream();
    assign(&admin, &app, &id, &admin_id, "").await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    let mut buf = String::new();
    use futures::StreamExt;
    while !buf.contains("\"assigned\"") {
        let chunk = tokio::time::timeout_at(deadline, stream.next()).await.expect("an event").unwrap().unwrap();
        buf.push_str(&String::from_utf8_lossy(&chunk));
    }
    let line = buf.lines().find(|l| l.contains("\"assigned\"")).unwrap();
    let ev: Value = serde_json::from_str(line.strip_prefix("data: ").unwrap()).unwrap();
    assert_eq!((ev["kind"].as_str(), ev["by"].as_str()), (Some("assigned"), Some("Administrator")));
    assert_eq!(ev["lead"]["assignee"]["name"], "Administrator", "{ev}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overdue_leads_are_filtered_counted_and_digested_once_a_day() {
    let smtp = SmtpSink::start().await;
    // The server never sends the digest by itself here; the CLI does it on demand.
    let app =
        TestApp::spawn(Options::smtp(smtp.port).var("INTAKE_FOLLOW_UP", "24h").var("INTAKE_DIGEST_HOUR", "off")).await;
    app.add_attorney(ALICE.0, "Alice Ames", ALICE.1).await;
    app.add_attorney(BOB.0, "Bob Burns", BOB.1).await;
    // Invited, no password set yet: not someone to chase with a digest.
    let admin = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let invite = [("email", "carol@firm.test"), ("name", "Carol Cho"), ("role", "attorney")];
    assert_eq!(post(&admin, &app, "/api/internal/invite", &invite).await.0, StatusCode::OK);
    let alice = app.logged_in(ALICE.0, ALICE.1).await;
    let alice_id = me(&alice, &app).await;
    let old_mine = app.submit("old-mine@example.com").await;
    let old_free = app.submit("old-free@example.com").await;
    let old_done = app.submit("old-done@example.com").await;
    app.submit("fresh@example.com").await;
    smtp.wait_for(9).await;
    let db = app.db().await;
    for id in [&old_mine, &old_free, &old_done] {
        sqlx::query(&format!("UPDATE leads SET created_at = created_at - 90000000 WHERE id = '{id}'"))
            .execute(&db)
            .await
            .unwrap();
    }
    db.close().await;
    assign(&alice, &app, &old_mine, &alice_id, "").await;
    post(&alice, &app, "/api/internal/mark_reached_out", &[("id", old_done.as_str())]).await;

    let (total, emails) = view(&alice, &app, &[("state", "PENDING"), ("overdue", "true")]).await;
    assert_eq!(total, 2);
    assert_eq!(emails.len(), 2);
    assert!(!emails.contains(&"fresh@example.com".to_owned()) && !emails.contains(&"old-done@example.com".to_owned()));
    assert_eq!(view(&alice, &app, &[("state", "PENDING"), ("overdue", "true"), ("owner", "me")]).await.0, 1);
    assert_eq!(view(&alice, &app, &[("state", "PENDING"), ("overdue", "true"), ("owner", "none")]).await.0, 1);
    assert_eq!(view(&alice, &app, &[("overdue", "true"), ("q", "old-")]).await.0, 2, "a search within the view");
    let c = counts(&alice, &app).await;
    assert_eq!((c["mine"].as_i64(), c["overdue"].as_i64()), (Some(1), Some(2)));
    let page = app.leads_page(&alice, &[("filter[q]", "")]).await;
    assert_eq!(page["follow_up_ms"], 86_400_000, "the page carries the deadline for its badges");
    let html = alice.get(app.url("/leads?state=overdue")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("badge-overdue") && html.contains("old-free@example.com"), "{html}");

    // The digest: Alice gets hers and the unassigned one; Bob the unassigned one; the admin too.
    let (code, out) = app.cli(&["digest", "send"], "").await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("3 email(s)"), "{out}");
    // Another process queued them: the server finds them on its next look
    // at the outbox (at most 30 s), or at once when it has mail of its own.
    app.submit("wake-up@example.com").await;
    let mails = smtp.wait_for(14).await;
    let digest_for = |who: &str| {
        let m: Vec<_> = mails
            .iter()
            .filter(|m| m.to.iter().any(|t| t.contains(who)) && m.data.contains("Subject: Overdue leads: "))
            .collect();
        assert_eq!(m.len(), 1, "one digest for {who}");
        body_text(&m[0].data)
    };
    let link = |id: &str| format!("/leads/{id}");
    let alices = digest_for(ALICE.0);
    assert!(alices.contains("Assigned to you (1)") && alices.contains(&link(&old_mine)), "{alices}");
    assert!(alices.contains("Not assigned to anyone (1)") && alices.contains(&link(&old_free)), "{alices}");
    assert!(!alices.contains(&link(&old_done)), "{alices}");
    // Links only: a message about many leads names none of them, so erasing one leaves nothing of it here.
    assert!(!alices.contains("@example.com") && !alices.contains("Lovelace"), "{alices}");
    assert!(
        !mails.iter().any(|m| m.to.iter().any(|t| t.contains("carol@")) && m.data.contains("Subject: Overdue leads: ")),
        "no digest for an invited account"
    );
    let bobs = digest_for(BOB.0);
    assert!(!bobs.contains("Assigned to you") && bobs.contains(&link(&old_free)), "{bobs}");
    // Once a day, whichever instance or command asks again.
    let (code, out) = app.cli(&["digest", "send"], "").await;
    assert_eq!((code, out.trim()), (0, "today's digest has already gone out"));
    if on_postgres() {
        // Another instance due at once (hour 0) finds the day claimed.
        let other = app.another_instance(Options::smtp(smtp.port).var("INTAKE_DIGEST_HOUR", "0")).await;
        tokio::time::sleep(std::time::Duration::from_secs(7)).await;
        drop(other);
    }
    assert_eq!(smtp.messages().len(), 14, "no second digest");
    // The shared overdue count is counted again after a change (not only when it gets old).
    let bob = app.logged_in(BOB.0, BOB.1).await;
    assert_eq!(counts(&bob, &app).await["overdue"], 2, "served from the shared count");
    post(&bob, &app, "/api/internal/mark_reached_out", &[("id", old_mine.as_str())]).await;
    eventually("the overdue count to drop", || async { counts(&bob, &app).await["overdue"] == 1 }).await;
    post(&bob, &app, "/api/internal/mark_reached_out", &[("id", old_free.as_str())]).await;
    eventually("the overdue count to drop again", || async { counts(&alice, &app).await["overdue"] == 0 }).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn round_robin_gives_new_leads_to_the_attorneys_in_turn() {
    let smtp = SmtpSink::start().await;
    let app = TestApp::spawn(Options::smtp(smtp.port).var("INTAKE_ASSIGN", "round-robin")).await;
    app.add_attorney(ALICE.0, "Alice Ames", ALICE.1).await;
    app.add_attorney(BOB.0, "Bob Burns", BOB.1).await;
    let mut ids = vec![];
    for i in 0..4 {
        ids.push(app.submit(&format!("turn{i}@example.com")).await);
    }
    let admin = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let mut holders = vec![];
    for id in &ids {
        let d = post(&admin, &app, "/api/internal/lead", &[("id", id.as_str())]).await.1;
        holders.push(d["lead"]["assignee"]["name"].as_str().unwrap_or_default().to_owned());
        let auto = d["history"].as_array().unwrap().iter().find(|h| !h["assigned"].is_null()).expect("an assignment");
        assert!(auto["by"].is_null(), "made by Intake itself: {auto}");
    }
    assert!(holders.iter().all(|h| h == "Alice Ames" || h == "Bob Burns"), "attorneys, not the admin: {holders:?}");
    assert_ne!(holders[0], holders[1]);
    assert_eq!((&holders[0], &holders[1]), (&holders[2], &holders[3]), "in turn: {holders:?}");
    // Each is told, through the outbox.
    let mails = smtp.wait_for(12).await;
    for who in [ALICE.0, BOB.0] {
        let theirs = mails.iter().filter(|m| m.to.iter().any(|t| t.contains(who))).count();
        assert_eq!(theirs, 2, "{who}");
    }
    let html = admin.get(app.url(&format!("/leads/{}", ids[0]))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(&format!("Assigned to {} in turn (round robin)", holders[0])), "{html}");

    // Leads arriving at the same moment are shared out too, not all given to one.
    let emails: Vec<String> = (0..6).map(|i| format!("together{i}@example.com")).collect();
    let together = futures::future::join_all(emails.iter().map(|e| app.submit(e))).await;
    let mut alices = 0;
    for id in &together {
        let d = post(&admin, &app, "/api/internal/lead", &[("id", id.as_str())]).await.1;
        alices += usize::from(d["lead"]["assignee"]["name"] == "Alice Ames");
    }
    assert_eq!(alices, 3, "three each of six simultaneous leads");
}
