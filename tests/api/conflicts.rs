//! Conflict checks through the real server: parties from the API and from a
//! CSV upload, each new lead checked in the background, matches live on the
//! dashboard's stream and in the API, and decisions recorded.

use crate::helpers::*;
use reqwest::{StatusCode, header, multipart::Form};
use serde_json::{Value, json};

/// An API token with `scope`, made by the CLI as an administrator would; its secret.
pub(crate) async fn token(app: &TestApp, scope: &str) -> String {
    let (code, out) = app.cli(&["token", "create", "--name", scope, "--scope", scope, "--by", ADMIN_EMAIL], "").await;
    assert_eq!(code, 0, "{out}");
    out.lines().find(|l| l.starts_with("intake_")).expect("the secret is printed").to_owned()
}

async fn submit_named(app: &TestApp, first: &str, last: &str, email: &str) -> String {
    let form = Form::new()
        .text("first_name", first.to_owned())
        .text("last_name", last.to_owned())
        .text("email", email.to_owned())
        .part("resume", file_part("cv.pdf", PDF.to_vec()));
    let res = app.post_form("/api/leads", form).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned()
}

async fn lead(api: &reqwest::Client, app: &TestApp, secret: &str, id: &str) -> Value {
    let res = api.get(app.url(&format!("/api/v1/leads/{id}"))).bearer_auth(secret).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn status_of(api: &reqwest::Client, app: &TestApp, secret: &str, id: &str) -> String {
    lead(api, app, secret, id).await["lead"]["conflict"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_lead_matching_a_party_is_flagged_live_and_an_attorney_decides() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    let (write, read) = (token(&app, "write").await, token(&app, "read").await);
    let api = reqwest::Client::new();
    let post = |path: &'static str, secret: &str, body: Value| {
        api.post(app.url(path)).bearer_auth(secret.to_owned()).json(&body).send()
    };
    let parties = json!({"parties": [
        {"name": "José García-López", "role": "adverse_party", "matter": "2024-117"},
        {"organisation": "Acme Holdings", "role": "client", "email": "legal@acme.example"},
    ]});
    assert_eq!(post("/api/v1/parties", &read, parties.clone()).await.unwrap().status(), StatusCode::FORBIDDEN);
    // One wrong party refuses them all, naming it, its field and why.
    let bad =
        json!({"parties": [{"name": "Ann Lee", "role": "client"}, {"name": "Bo", "role": "client", "email": "bo@"}]});
    let res = post("/api/v1/parties", &write, bad).await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("parties[1].email: is not an email address"));
    assert_eq!(app.count("parties").await, 0);
    let res = post("/api/v1/parties", &write, parties).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["added"], 2);

    // An open dashboard hears of the possible conflict.
    let admin = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let mut stream =
        futures::StreamExt::boxed(admin.get(app.url("/api/internal/events")).send().await.unwrap().bytes_stream());
    let mut buf = String::new();
    let id = submit_named(&app, "Jose", "Lopez Garcia", "jose@example.com").await;
    let ev = next_event(&mut stream, &mut buf, |e| e.contains("conflict_checked") && e.contains(&id)).await;
    assert!(ev.contains("\"conflict\":\"possible\""), "{ev}");

    let v = lead(&api, &app, &read, &id).await;
    assert_eq!(v["lead"]["conflict"], "possible");
    let m = &v["conflicts"]["matches"][0];
    assert_eq!(
        (m["with"].as_str(), m["role"].as_str(), m["matter"].as_str()),
        (Some("party"), Some("adverse_party"), Some("2024-117"))
    );
    // The same email as a party is a match whatever the name; an unrelated name is none.
    let by_email = submit_named(&app, "Someone", "Else", "legal@acme.example").await;
    let unrelated = submit_named(&app, "Maria", "Garza", "maria@example.com").await;
    eventually("both checked", || async {
        status_of(&api, &app, &read, &by_email).await == "possible"
            && status_of(&api, &app, &read, &unrelated).await == "clear"
    })
    .await;
    let listed: Value = api
        .get(app.url("/api/v1/leads?conflict=possible"))
        .bearer_auth(&read)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["total"], 2);
    let res = api.get(app.url("/api/v1/leads?conflict=maybe")).bearer_auth(&read).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    // The decision, through the API and from the dashboard's server function.
    let path = format!("/api/v1/leads/{id}/conflict");
    let decide = |secret: &str, body: Value| api.post(app.url(&path)).bearer_auth(secret.to_owned()).json(&body).send();
    assert_eq!(decide(&read, json!({"decision": "cleared"})).await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(decide(&write, json!({"decision": "maybe"})).await.unwrap().status(), StatusCode::BAD_REQUEST);
    let long = json!({"decision": "cleared", "note": "x".repeat(2001)});
    assert_eq!(decide(&write, long).await.unwrap().status(), StatusCode::BAD_REQUEST);
    let res = decide(&write, json!({"decision": "cleared", "note": "A different José"})).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "cleared");
    let ev = next_event(&mut stream, &mut buf, |e| e.contains("conflict_decided") && e.contains(&id)).await;
    assert!(ev.contains("\"conflict\":\"cleared\""), "{ev}");
    let form = [("lead", by_email.as_str()), ("decision", "conflict"), ("note", "Acme is our client")];
    let res = admin.post(app.url("/api/internal/decide_conflict")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let history = lead(&api, &app, &read, &by_email).await["history"].clone();
    let last = history.as_array().unwrap().last().unwrap().clone();
    assert_eq!((last["conflict"].as_str(), last["note"].as_str()), (Some("conflict"), Some("Acme is our client")));
    let anonymous = app.browser().post(app.url("/api/internal/decide_conflict")).form(&form).send().await.unwrap();
    assert_ne!(anonymous.status(), StatusCode::OK);
    // The prospect's answer never mentions it: the same 201 and body shape for all three.
    assert!(lead(&api, &app, &read, &unrelated).await["conflicts"]["matches"].as_array().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_uploads_the_list_as_csv_a_wrong_line_imports_nothing_and_pending_leads_are_checked_again() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    let read = token(&app, "read").await;
    let api = reqwest::Client::new();
    let id = submit_named(&app, "Grace", "Hopper", "grace@example.com").await;
    eventually("checked", || async { status_of(&api, &app, &read, &id).await == "clear" }).await;

    let admin = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let upload = |client: &reqwest::Client, csv: &str| {
        let form = Form::new()
            .part("parties", reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("parties.csv"))
            .text("replace", "on");
        client.post(app.url("/admin/parties")).multipart(form).send()
    };
    let res = upload(&admin, "name,email,role\nAda King,,client\nBo Diddley,bo@,former client\n").await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers()[header::LOCATION].to_str().unwrap().to_owned();
    assert!(to.starts_with("/admin/parties?error=line+3%3A+email"), "{to}");
    assert_eq!(app.count("parties").await, 0, "nothing imported");

    let csv =
        "Name,Organisation,Email,Role,Matter\n\"Hopper, Grace\",,,adverse party,2025-9\n,Acme Holdings,,client,\n";
    let res = upload(&admin, csv).await.unwrap();
    assert_eq!(res.headers()[header::LOCATION], "/admin/parties?added=2&kept=0&removed=0&rechecks=1");
    eventually("checked again", || async { status_of(&api, &app, &read, &id).await == "possible" }).await;
    let parties: Value = admin.post(app.url("/api/internal/parties")).send().await.unwrap().json().await.unwrap();
    assert_eq!(parties["total"], 2);

    // Attorneys see the list's effects, but only administrators change it.
    app.add_attorney("lawyer@firm.test", "Lee Lawyer", "another long password").await;
    let lawyer = app.logged_in("lawyer@firm.test", "another long password").await;
    assert_eq!(upload(&lawyer, csv).await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(lawyer.post(app.url("/api/internal/parties")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    // A list over INTAKE_MAX_PARTIES_BYTES is refused, and nothing changes.
    let small = TestApp::spawn(Options::smtp(free_port().await).var("INTAKE_MAX_PARTIES_BYTES", "1K")).await;
    let admin = small.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let big = format!("name,role\n{}", "Some Body,client\n".repeat(200));
    let res = upload_to(&small, &admin, &big).await;
    let to = res.headers().get(header::LOCATION).map(|v| v.to_str().unwrap().to_owned());
    assert!(
        res.status() == StatusCode::PAYLOAD_TOO_LARGE || to.as_deref().is_some_and(|t| t.contains("error=")),
        "{to:?}"
    );
    assert_eq!(small.count("parties").await, 0);
}

async fn upload_to(app: &TestApp, client: &reqwest::Client, csv: &str) -> reqwest::Response {
    let form = Form::new().part("parties", reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("p.csv"));
    client.post(app.url("/admin/parties")).multipart(form).send().await.unwrap()
}
