//! Notes on a lead: any attorney adds them, only the author edits, within 15 minutes, visibly.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::Value;

const ALICE: (&str, &str) = ("alice@firm.test", "alice password 11");
const BOB: (&str, &str) = ("bob@firm.test", "bob password 22");

async fn lead(client: &reqwest::Client, app: &TestApp, id: &str) -> Value {
    let res = client.post(app.url("/api/internal/lead")).form(&[("id", id)]).send().await.unwrap();
    res.json().await.unwrap()
}

/// An app with two attorneys, each signed in.
async fn alice_and_bob() -> (TestApp, reqwest::Client, reqwest::Client) {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    app.add_attorney(ALICE.0, "Alice Ames", ALICE.1).await;
    app.add_attorney(BOB.0, "Bob Burns", BOB.1).await;
    let (alice, bob) = (app.logged_in(ALICE.0, ALICE.1).await, app.logged_in(BOB.0, BOB.1).await);
    (app, alice, bob)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notes_are_added_shown_safely_and_edited_only_by_their_author_in_time() {
    let (app, alice, bob) = alice_and_bob().await;
    let id = app.submit("noted@example.com").await;
    let add = |c: &reqwest::Client, body: &str| {
        c.post(app.url("/api/internal/add_note")).form(&[("lead", id.as_str()), ("body", body)]).send()
    };

    let res = add(&alice, "  Called <script>alert(1)</script>\r\nleft a voicemail  ").await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    for (body, why) in [("   ", "write something"), (&"x".repeat(5_001), "at most 5000"), ("bell\u{7}", "control")] {
        let res = add(&alice, body).await.unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{why}");
        let err: Value = res.json().await.unwrap();
        assert!(
            err["Invalid"].as_str().unwrap().starts_with("Note:") && err["Invalid"].as_str().unwrap().contains(why),
            "{err}"
        );
    }
    let res = alice
        .post(app.url("/api/internal/add_note"))
        .form(&[("lead", "00000000-0000-7000-8000-000000000000"), ("body", "lost")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.count("lead_notes").await, 1, "only the valid note is stored");

    // Bob sees it, but may not edit it; Alice may.
    let seen = lead(&bob, &app, &id).await;
    let note = &seen["notes"][0];
    assert_eq!(note["author"], "Alice Ames");
    assert_eq!(note["body"], "Called <script>alert(1)</script>\nleft a voicemail", "trimmed, line breaks kept");
    assert_eq!(note["editable"], false);
    assert_eq!(lead(&alice, &app, &id).await["notes"][0]["editable"], true);
    let note_id = note["id"].as_str().unwrap().to_owned();
    let edit = |c: &reqwest::Client, body: &str| {
        c.post(app.url("/api/internal/edit_note")).form(&[("id", note_id.as_str()), ("body", body)]).send()
    };
    let res = edit(&bob, "Bob was here").await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = edit(&alice, "Called twice, left a voicemail").await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let seen = lead(&bob, &app, &id).await;
    assert_eq!(seen["notes"][0]["body"], "Called twice, left a voicemail");
    assert!(seen["notes"][0]["edited_at"].is_i64(), "the edit shows: {seen}");

    // The page escapes the text and says it was edited.
    let html = bob.get(app.url(&format!("/leads/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Note by Alice Ames") && html.contains("(edited "), "{html}");
    add(&bob, "<img src=x onerror=alert(1)>").await.unwrap();
    // Her own editable note goes into a <textarea>, whose text must not end it either.
    let res = add(&alice, "</textarea><img src=y onerror=alert(2)>").await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = alice.get(app.url(&format!("/leads/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("&lt;/textarea&gt;&lt;img src=y") && !html.contains("<img src=y"), "escaped in the editor");
    let html = bob.get(app.url(&format!("/leads/{id}"))).send().await.unwrap().text().await.unwrap();
    let at = html.find("<img src=x").map(|i| &html[i.saturating_sub(120)..(i + 80).min(html.len())]);
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;") && !html.contains("<img src=x"), "{at:?}");

    // Fifteen minutes later it is fixed.
    let db = app.db().await;
    sqlx::query(&format!("UPDATE lead_notes SET created_at = created_at - 901000 WHERE id = '{note_id}'"))
        .execute(&db)
        .await
        .unwrap();
    db.close().await;
    let res = edit(&alice, "too late").await.unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(lead(&alice, &app, &id).await["notes"][0]["editable"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_pages_hear_when_a_note_is_added_or_edited_and_of_nothing_else() {
    let (app, alice, bob) = alice_and_bob().await;
    let (one, two) = (app.submit("heard@example.com").await, app.submit("heard-too@example.com").await);
    // Bob has a page open.
    let res = bob.get(app.url("/api/internal/events")).send().await.unwrap();
    let (mut stream, mut buf) = (res.bytes_stream(), String::new());
    let mut heard = async || {
        let ev = next_event(&mut stream, &mut buf, |e| e.starts_with("event: notes\n")).await;
        assert!(!ev.lines().any(|l| l.starts_with("id:")), "not replayed, so no id: {ev}");
        let data = ev.lines().find_map(|l| l.strip_prefix("data: ")).unwrap();
        serde_json::from_str::<Value>(data).unwrap()["lead_id"].as_str().unwrap().to_owned()
    };
    let add = |lead: &str, body: &str| {
        alice.post(app.url("/api/internal/add_note")).form(&[("lead", lead), ("body", body)]).send()
    };

    // Refused notes announce nothing: the first thing heard is the stored one, naming its lead.
    assert_eq!(add(&one, "   ").await.unwrap().status(), StatusCode::BAD_REQUEST);
    let unknown = "00000000-0000-7000-8000-000000000000";
    assert_eq!(add(unknown, "lost").await.unwrap().status(), StatusCode::NOT_FOUND);
    assert_eq!(add(&one, "Left a voicemail").await.unwrap().status(), StatusCode::OK);
    assert_eq!(heard().await, one);

    // A refused edit announces nothing (the next thing heard is about the other lead); the author's does.
    let note_id = lead(&alice, &app, &one).await["notes"][0]["id"].as_str().unwrap().to_owned();
    let edit = |c: &reqwest::Client, body: &str| {
        c.post(app.url("/api/internal/edit_note")).form(&[("id", note_id.as_str()), ("body", body)]).send()
    };
    assert_eq!(edit(&bob, "not his").await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(add(&two, "Emailed").await.unwrap().status(), StatusCode::OK);
    assert_eq!(heard().await, two);
    assert_eq!(edit(&alice, "Left two voicemails").await.unwrap().status(), StatusCode::OK);
    assert_eq!(heard().await, one);
}
