//! The dashboard's data: listing, the state change, live events, downloads.

use crate::helpers::*;
use reqwest::{StatusCode, header};
use serde_json::Value;

fn count(html: &str, needle: &str) -> usize {
    html.matches(needle).count()
}

fn total(html: &str) -> i64 {
    let i = html.find("data-total=\"").expect("total") + 12;
    html[i..].split('"').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn marking_reached_out_records_who_and_a_second_attempt_is_a_clear_conflict() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    app.add_attorney("alice@firm.test", "Alice Ames", "alice password 1").await;
    app.add_attorney("bob@firm.test", "Bob Burns", "bob password 22").await;
    let id = app.submit("mark@example.com").await;
    let alice = app.logged_in("alice@firm.test", "alice password 1").await;
    let bob = app.logged_in("bob@firm.test", "bob password 22").await;
    let mark =
        |c: &reqwest::Client| c.post(app.url("/api/internal/mark_reached_out")).form(&[("id", id.as_str())]).send();

    let res = mark(&alice).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let lead: Value = res.json().await.unwrap();
    assert_eq!(lead["state"], "REACHED_OUT");
    assert_eq!(lead["reached_out_by"], "Alice Ames");

    let res = mark(&bob).await.unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let err: Value = res.json().await.unwrap();
    let msg = err["Conflict"].as_str().unwrap();
    assert!(msg.starts_with("Already marked reached out by Alice Ames at "), "{msg}");
    assert!(msg.ends_with(" UTC."), "{msg}");

    let db = app.db().await;
    let (state, by): (String, String) =
        sqlx::query_as("SELECT l.state, a.display_name FROM leads l JOIN attorneys a ON a.id = l.reached_out_by")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!((state.as_str(), by.as_str()), ("REACHED_OUT", "Alice Ames"));
    let history: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM lead_events").fetch_one(&db).await.unwrap();
    assert_eq!(history, 2, "created + one state change, not two");

    // The lead's page shows the history and the emails.
    let html = bob.get(app.url(&format!("/leads/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Submitted by the prospect"));
    assert!(html.contains("Marked reached out by Alice Ames"));
    assert!(html.contains("Confirmation to the prospect") && html.contains("Notification to attorneys"));
    // An unknown lead is a 404 page.
    let res = bob.get(app.url("/leads/01900000-0000-7000-8000-000000000000")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_dashboard_filters_searches_and_pages_by_cursor() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    for i in 0..57 {
        app.submit(&format!("person{i:02}@example.com")).await;
    }
    let special = {
        let form = reqwest::multipart::Form::new()
            .text("first_name", "Zoë")
            .text("last_name", "50%_Off")
            .text("email", "zoe@example.org")
            .part("resume", file_part("z.pdf", PDF.to_vec()));
        let v: Value = app.post_form("/api/leads", form).await.json().await.unwrap();
        v["id"].as_str().unwrap().to_owned()
    };
    let client = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let get = |q: String| {
        let c = client.clone();
        let url = app.url(&format!("/leads{q}"));
        async move { c.get(url).send().await.unwrap().text().await.unwrap() }
    };

    let first = get(String::new()).await;
    assert_eq!(total(&first), 58);
    assert_eq!(count(&first, "data-lead-id="), 50);
    assert!(first.find(&special).unwrap() < first.find("person56@example.com").unwrap(), "newest first");
    let older = first.split("rel=\"next\"").next().unwrap();
    let href = older.rsplit("href=\"").next().unwrap().split('"').next().unwrap().replace("&amp;", "&");
    assert!(href.starts_with("/leads?after="), "{href}");
    let second = get(href.trim_start_matches("/leads").to_owned()).await;
    assert_eq!(count(&second, "data-lead-id="), 8);
    assert!(second.contains("person00@example.com"));
    assert!(second.contains("rel=\"prev\""));

    let search = get("?q=50%25_off".into()).await;
    assert_eq!(total(&search), 1, "LIKE wildcards are literal");
    assert!(search.contains("Zoë"));
    let by_email = get("?q=PERSON1".into()).await;
    assert_eq!(total(&by_email), 10);
    let short = get("?q=zo".into()).await;
    assert_eq!(total(&short), 1, "two characters: searched without the trigram index");
    let odd = get("?q=a%22b%27%20OR%201".into()).await;
    assert_eq!(total(&odd), 0, "quotes are searched for, not interpreted");

    let id = app.submit("later@example.com").await;
    client.post(app.url("/api/internal/mark_reached_out")).form(&[("id", id.as_str())]).send().await.unwrap();
    let pending = get("?state=pending".into()).await;
    assert_eq!(total(&pending), 58);
    let done = get("?state=reached_out".into()).await;
    assert_eq!(total(&done), 1);
    assert!(done.contains("later@example.com"));
}

#[tokio::test]
async fn the_live_stream_announces_new_leads_and_state_changes_and_replays_missed_ones() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    let client = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let res = client.get(app.url("/api/internal/events")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/event-stream"));
    let mut stream = res.bytes_stream();
    let mut buf = String::new();
    next_event(&mut stream, &mut buf, |e| e.contains("event: hello")).await;

    let id = app.submit("live@example.com").await;
    let created = next_event(&mut stream, &mut buf, |e| e.contains("event: lead")).await;
    assert!(created.contains(&id) && created.contains("\"kind\":\"created\""), "{created}");
    let first_event_id: i64 = created.lines().find_map(|l| l.strip_prefix("id: ")).unwrap().parse().unwrap();

    client.post(app.url("/api/internal/mark_reached_out")).form(&[("id", id.as_str())]).send().await.unwrap();
    let changed = next_event(&mut stream, &mut buf, |e| e.contains("event: lead")).await;
    assert!(
        changed.contains("\"kind\":\"state_changed\"") && changed.contains("\"by\":\"Administrator\""),
        "{changed}"
    );

    // A client that reconnects with Last-Event-ID gets what it missed.
    let res = client
        .get(app.url("/api/internal/events"))
        .header("last-event-id", first_event_id.to_string())
        .send()
        .await
        .unwrap();
    let mut replay = res.bytes_stream();
    let mut buf = String::new();
    let missed = next_event(&mut replay, &mut buf, |e| e.contains("event: lead")).await;
    assert!(missed.contains("state_changed") && missed.contains(&id), "{missed}");
}

#[tokio::test]
async fn resumes_download_with_their_name_and_pdfs_preview_inline() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    let id = app.submit("dl@example.com").await;
    let client = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let res = client.get(app.url(&format!("/leads/{id}/resume"))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let h = res.headers().clone();
    assert_eq!(h[header::CONTENT_TYPE], "application/pdf");
    assert_eq!(h[header::CONTENT_DISPOSITION], "attachment; filename=\"ada cv.pdf\"; filename*=UTF-8''ada%20cv.pdf");
    assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(h[header::CONTENT_LENGTH], PDF.len().to_string().as_str());
    assert_eq!(res.bytes().await.unwrap().as_ref(), PDF);
    let res = client.get(app.url(&format!("/leads/{id}/resume?inline=1"))).send().await.unwrap();
    assert!(res.headers()[header::CONTENT_DISPOSITION].to_str().unwrap().starts_with("inline;"));

    // Markup is no resume, whatever its name.
    let html = |email: &str| {
        reqwest::multipart::Form::new()
            .text("first_name", "T")
            .text("last_name", "X")
            .text("email", email.to_owned())
            .part(
                "resume",
                reqwest::multipart::Part::bytes(b"<html><script>alert(1)</script>".to_vec()).file_name("cv.pdf"),
            )
    };
    assert_eq!(app.post_form("/api/leads", html("html@example.com")).await.status(), StatusCode::BAD_REQUEST);
    // Text resumes never render inline, and download with the text extension.
    let form = reqwest::multipart::Form::new()
        .text("first_name", "T")
        .text("last_name", "X")
        .text("email", "txt@example.com")
        .part("resume", reqwest::multipart::Part::bytes(b"Jane Doe, attorney".to_vec()).file_name("cv.pdf"));
    let v: Value = app.post_form("/api/leads", form).await.json().await.unwrap();
    let res =
        client.get(app.url(&format!("/leads/{}/resume?inline=1", v["id"].as_str().unwrap()))).send().await.unwrap();
    assert_eq!(res.headers()[header::CONTENT_TYPE], "text/plain; charset=utf-8");
    let disposition = res.headers()[header::CONTENT_DISPOSITION].to_str().unwrap().to_owned();
    assert!(disposition.starts_with("attachment; filename=\"cv.txt\""), "{disposition}");
}

/// The parsed `data:` of an event.
fn event_data(ev: &str) -> serde_json::Value {
    serde_json::from_str(ev.lines().find_map(|l| l.strip_prefix("data: ")).expect("data line")).unwrap()
}

#[tokio::test]
async fn events_carry_the_row_dashboards_patch_in_and_pages_say_which_events_they_include() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    let client = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let page = |client: reqwest::Client| {
        let app = &app;
        async move { app.leads_page(&client, &[("filter[q]", "")]).await }
    };
    let before = page(client.clone()).await;
    let as_of = before["as_of"].as_i64().expect("pages carry as_of");

    // A page opening its stream asks for what came after its snapshot: nothing is lost in between.
    let id = app.submit("row@example.com").await;
    let res = client.get(app.url(&format!("/api/internal/events?after={as_of}"))).send().await.unwrap();
    let mut stream = res.bytes_stream();
    let mut buf = String::new();
    let created = event_data(&next_event(&mut stream, &mut buf, |e| e.contains("event: lead")).await);
    assert_eq!(created["lead_id"], id.as_str());
    assert_eq!(created["lead"]["email"], "row@example.com", "the row is in the event: {created}");
    assert_eq!(created["lead"]["state"], "PENDING");
    assert_eq!(created["lead"]["first_name"], "Ada");

    let after = page(client.clone()).await;
    assert_eq!(after["as_of"].as_i64(), created["id"].as_i64(), "the page includes exactly that event");
    assert_eq!(after["total"].as_i64(), before["total"].as_i64().map(|t| t + 1));

    client.post(app.url("/api/internal/mark_reached_out")).form(&[("id", id.as_str())]).send().await.unwrap();
    let changed = event_data(&next_event(&mut stream, &mut buf, |e| e.contains("event: lead")).await);
    assert_eq!(changed["lead"]["state"], "REACHED_OUT");
    assert_eq!(changed["lead"]["reached_out_by"], "Administrator");
    assert!(changed["id"].as_i64() > created["id"].as_i64(), "event ids grow in commit order");
}

#[tokio::test]
async fn a_search_pages_by_cursor_and_combines_with_the_state_filter() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    let mut ids = vec![];
    for i in 0..55 {
        ids.push(app.submit(&format!("paged{i:02}@example.com")).await);
    }
    app.submit("other@example.com").await;
    let client = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    for id in &ids[..3] {
        client.post(app.url("/api/internal/mark_reached_out")).form(&[("id", id.as_str())]).send().await.unwrap();
    }
    let page = |filter: Vec<(&'static str, String)>| {
        let (app, client) = (&app, &client);
        async move {
            let v = app.leads_page(client, &filter).await;
            let emails: Vec<String> =
                v["rows"].as_array().unwrap().iter().map(|r| r["email"].as_str().unwrap().to_owned()).collect();
            (emails, v["total"].as_i64().unwrap(), v["older"].as_str().map(str::to_owned), v["newer"].clone())
        }
    };
    let q = || ("filter[q]", "paged".to_owned());
    let (first, total, older, _) = page(vec![q()]).await;
    assert_eq!((first.len(), total), (50, 55));
    assert_eq!(first[0], "paged54@example.com", "newest first");
    assert!(first.windows(2).all(|w| w[0] > w[1]), "in order: {first:?}");
    let older = older.expect("a next page");
    let (second, _, none, newer) = page(vec![q(), ("filter[after]", older)]).await;
    assert_eq!(
        second,
        [
            "paged04@example.com",
            "paged03@example.com",
            "paged02@example.com",
            "paged01@example.com",
            "paged00@example.com"
        ]
    );
    assert!(none.is_none());
    let newer = newer.as_str().expect("a previous page").to_owned();
    let (back, _, _, _) = page(vec![q(), ("filter[before]", newer)]).await;
    assert_eq!(back, first, "the previous page is the first page again");

    let (done, total, _, _) = page(vec![q(), ("filter[state]", "REACHED_OUT".into())]).await;
    assert_eq!((done.len(), total), (3, 3));
    assert_eq!(done, ["paged02@example.com", "paged01@example.com", "paged00@example.com"]);
    let (pending, total, _, _) = page(vec![q(), ("filter[state]", "PENDING".into())]).await;
    assert_eq!((pending.len(), total), (50, 52));
    assert!(!pending.contains(&"paged00@example.com".to_owned()));
}
