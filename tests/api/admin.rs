//! Roles and the integrations page's server functions: administrators make
//! and revoke API tokens and webhook endpoints in the browser; attorneys cannot.

use crate::{helpers::*, webhooks::Receiver};
use reqwest::StatusCode;
use serde_json::Value;

const ALICE: (&str, &str) = ("alice@firm.test", "alice password 11");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attorney_cannot_manage_integrations_and_an_admin_can() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    app.add_attorney(ALICE.0, "Alice Ames", ALICE.1).await;
    let alice = app.logged_in(ALICE.0, ALICE.1).await;
    let admin = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;

    let me: Value = alice.post(app.url("/api/internal/me")).send().await.unwrap().json().await.unwrap();
    assert_eq!(me["admin"], false);
    let me: Value = admin.post(app.url("/api/internal/me")).send().await.unwrap().json().await.unwrap();
    assert_eq!(me["admin"], true, "the first account is the administrator");

    // Every admin function refuses an attorney, with a reason, and changes nothing.
    let calls: [(&str, &[(&str, &str)]); 6] = [
        ("integrations", &[]),
        ("create_token", &[("name", "sneaky"), ("scope", "write")]),
        ("revoke_token", &[("id", "00000000-0000-7000-8000-000000000000")]),
        ("add_webhook", &[("url", "https://evil.example/hook")]),
        ("remove_webhook", &[("id", "00000000-0000-7000-8000-000000000000")]),
        ("erase_lead", &[("id", "00000000-0000-7000-8000-000000000000"), ("reason", "because")]),
    ];
    for (name, form) in calls {
        let res = alice.post(app.url(&format!("/api/internal/{name}"))).form(form).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{name}");
        let body: Value = res.json().await.unwrap();
        assert!(body["Forbidden"].as_str().unwrap().contains("Only administrators"), "{name}: {body}");
    }
    assert_eq!(app.count("api_tokens").await, 0);
    assert_eq!(app.count("webhook_endpoints").await, 0);
    // The page says so too (not a login redirect: she is signed in).
    let page = alice.get(app.url("/admin")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    assert!(page.text().await.unwrap().contains("Only administrators can do this"));

    // The admin makes a write token; it works on the API, acting as the admin.
    let res = admin.post(app.url("/api/internal/create_token")).form(&[("name", " crm "), ("scope", "write")]).send();
    let created: Value = res.await.unwrap().json().await.unwrap();
    assert_eq!(created["label"], "crm");
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("intake_") && secret.len() == 50, "{secret}");
    let api = reqwest::Client::new();
    let list = api.get(app.url("/api/v1/leads")).bearer_auth(&secret).send().await.unwrap();
    assert_eq!(list.status(), StatusCode::OK);

    // Listed without its secret; revoked, it stops working at once; a second revoke is a conflict.
    let all = admin.post(app.url("/api/internal/integrations")).send().await.unwrap().text().await.unwrap();
    assert!(all.contains("\"name\":\"crm\"") && all.contains(ADMIN_EMAIL) && !all.contains(&secret), "{all}");
    let id = created["id"].as_str().unwrap();
    let res = admin.post(app.url("/api/internal/revoke_token")).form(&[("id", id)]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let list = api.get(app.url("/api/v1/leads")).bearer_auth(&secret).send().await.unwrap();
    assert_eq!(list.status(), StatusCode::UNAUTHORIZED);
    let res = admin.post(app.url("/api/internal/revoke_token")).form(&[("id", id)]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);

    // Bad names and scopes are refused, naming the field.
    for (form, field) in [([("name", "  "), ("scope", "read")], "Name"), ([("name", "x"), ("scope", "admin")], "Scope")]
    {
        let res = admin.post(app.url("/api/internal/create_token")).form(&form).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let body: Value = res.json().await.unwrap();
        assert!(body["Invalid"].as_str().unwrap().starts_with(field), "{body}");
    }
    assert_eq!(app.count("api_tokens").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_added_in_the_browser_receives_signed_events_until_removed() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    let admin = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let res = admin.post(app.url("/api/internal/add_webhook")).form(&[("url", "javascript:alert(1)")]).send().await;
    let res = res.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.unwrap();
    assert!(body["Invalid"].as_str().unwrap().starts_with("URL:"), "{body}");

    let receiver = Receiver::start().await;
    let res = admin.post(app.url("/api/internal/add_webhook")).form(&[("url", receiver.url.as_str())]).send().await;
    let created: Value = res.unwrap().json().await.unwrap();
    receiver.trust(created["secret"].as_str().unwrap());
    let id = app.submit("browser-hook@example.com").await;
    let got = receiver.wait_accepted(1).await;
    assert_eq!(got[0].event["lead"]["id"], id.as_str());

    let endpoint = created["id"].as_str().unwrap();
    let res = admin.post(app.url("/api/internal/remove_webhook")).form(&[("id", endpoint)]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    app.submit("after-browser-removal@example.com").await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(receiver.all().len(), 1, "nothing after removal");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_are_set_from_the_cli_and_a_change_signs_the_account_out() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    app.add_attorney(ALICE.0, "Alice Ames", ALICE.1).await;
    let alice = app.logged_in(ALICE.0, ALICE.1).await;
    let (code, out) = app.cli(&["user", "set-role", "--email", ALICE.0, "--role", "owner"], "").await;
    assert_eq!(code, 1, "{out}");
    let (code, out) = app.cli(&["user", "set-role", "--email", ALICE.0, "--role", "admin"], "").await;
    assert_eq!(code, 0, "{out}");
    // On PostgreSQL the CLI's change reaches the server's account cache by NOTIFY, a moment later.
    eventually("the old session is over", || async {
        let res = alice.post(app.url("/api/internal/integrations")).send().await.unwrap();
        res.status() == StatusCode::UNAUTHORIZED
    })
    .await;
    let alice = app.logged_in(ALICE.0, ALICE.1).await;
    let res = alice.post(app.url("/api/internal/integrations")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let (code, list) = app.cli(&["user", "list"], "").await;
    assert_eq!(code, 0);
    assert!(list.lines().any(|l| l.starts_with(ALICE.0) && l.contains("\tadmin\t")), "{list}");
    let (code, out) = app
        .cli(&["user", "add", "--email", "carol@firm.test", "--name", "Carol", "--role", "admin"], "pw for carol 123\n")
        .await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("(admin)"), "{out}");
}
