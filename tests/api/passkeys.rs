//! Passkeys over HTTP, with a software authenticator (`helpers::authenticator`)
//! answering as a browser's WebAuthn API would: added on `/account`, signing
//! in alone and after the password, a fresh proof; and what must be
//! refused: a replayed answer, a removed passkey, another account's, another
//! ceremony's, a malformed or huge body, and more ceremonies than allowed.

use crate::helpers::{authenticator::Authenticator, authenticator::tampered, *};
use reqwest::{StatusCode, header};
use serde_json::{Value, json};

/// The test server's public URL (see `helpers`): the relying party's origin.
const ORIGIN: &str = "http://intake.firm.test";

async fn post_json(client: &reqwest::Client, app: &TestApp, path: &str, body: &Value) -> (StatusCode, Value) {
    let res = client.post(app.url(path)).json(body).send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Adds a passkey named `name` to `client`'s account (`password`: its own,
/// asked while it has no second factor); its authenticator.
async fn add_passkey(app: &TestApp, client: &reqwest::Client, name: &str, password: &str) -> Authenticator {
    let mut device = Authenticator::new(ORIGIN);
    let body = json!({ "name": name, "password": password });
    let (status, options) = post_json(client, app, "/account/passkeys/options", &body).await;
    assert_eq!(status, StatusCode::OK, "{options}");
    let sel = &options["publicKey"]["authenticatorSelection"];
    assert_eq!((sel["residentKey"].as_str(), sel["userVerification"].as_str()), (Some("required"), Some("required")));
    let answer = device.register(&options["publicKey"]);
    let (status, added) =
        post_json(client, app, "/account/passkeys", &json!({ "ceremony": options["ceremony"], "credential": answer }))
            .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(added["name"], name);
    device
}

/// Signs in with the passkey alone from `client`; the status and body.
async fn passkey_sign_in(app: &TestApp, client: &reqwest::Client, device: &mut Authenticator) -> (StatusCode, Value) {
    let (status, options) = post_json(client, app, "/login/passkey/options", &json!({})).await;
    assert_eq!(status, StatusCode::OK, "{options}");
    assert_eq!(options["publicKey"]["allowCredentials"].as_array().map_or(0, Vec::len), 0, "the device chooses");
    let answer = device.assert(&options["publicKey"]);
    post_json(
        client,
        app,
        "/login/passkey",
        &json!({ "ceremony": options["ceremony"], "credential": answer, "next": "/admin" }),
    )
    .await
}

async fn signed_in(app: &TestApp, client: &reqwest::Client) -> bool {
    client.post(app.url("/api/internal/me")).send().await.unwrap().status() == StatusCode::OK
}

#[tokio::test]
async fn a_passkey_signs_in_alone_and_after_the_password() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    let me = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let mut device = add_passkey(&app, &me, "Work laptop", ADMIN_PASSWORD).await;
    let listed: Value = me.post(app.url("/api/internal/passkeys")).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed["available"], true);
    assert_eq!(listed["passkeys"][0]["name"], "Work laptop");
    assert!(listed["passkeys"][0]["last_used_at"].is_null());

    // Alone: no email, no password; `next` is followed.
    let browser = app.browser();
    let (status, body) = passkey_sign_in(&app, &browser, &mut device).await;
    assert_eq!((status, body["next"].as_str()), (StatusCode::OK, Some("/admin")), "{body}");
    assert!(signed_in(&app, &browser).await);
    let listed: Value = me.post(app.url("/api/internal/passkeys")).send().await.unwrap().json().await.unwrap();
    assert!(listed["passkeys"][0]["last_used_at"].is_i64(), "last used: now");

    // After the password, the passkey is the second step; the password alone signs nobody in.
    let second = app.browser();
    let res = app.login_with(&second, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert!(res.headers()[header::LOCATION].to_str().unwrap().starts_with("/login/code"));
    assert!(!signed_in(&app, &second).await, "not between the two steps");
    let step: Value = second.post(app.url("/api/account/second_step")).send().await.unwrap().json().await.unwrap();
    assert_eq!((step["app"].as_bool(), step["passkey"].as_bool()), (Some(false), Some(true)));
    let (status, options) = post_json(&second, &app, "/login/code/passkey/options", &json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let allowed = options["publicKey"]["allowCredentials"].as_array().unwrap();
    assert_eq!(allowed.len(), 1, "the account's own passkeys are offered");
    let answer = device.assert(&options["publicKey"]);
    let (status, body) = post_json(
        &second,
        &app,
        "/login/code/passkey",
        &json!({ "ceremony": options["ceremony"], "credential": answer }),
    )
    .await;
    assert_eq!((status, body["next"].as_str()), (StatusCode::OK, Some("/leads")), "{body}");
    assert!(signed_in(&app, &second).await);

    // Without a password typed in this browser, there is no second step to take.
    let (status, _) = post_json(&app.browser(), &app, "/login/code/passkey/options", &json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn replayed_removed_foreign_and_malformed_answers_are_refused() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    let (colleague, pass) = ("colleague@firm.test", "another long passphrase");
    app.add_attorney(colleague, "Colleague", pass).await;
    let me = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let mut mine = add_passkey(&app, &me, "Mine", ADMIN_PASSWORD).await;
    let theirs_client = app.logged_in(colleague, pass).await;
    let mut theirs = add_passkey(&app, &theirs_client, "Theirs", pass).await;

    // A replayed answer: its ceremony was taken by the first use.
    let browser = app.browser();
    let (_, options) = post_json(&browser, &app, "/login/passkey/options", &json!({})).await;
    let answer = json!({ "ceremony": options["ceremony"], "credential": mine.assert(&options["publicKey"]) });
    assert_eq!(post_json(&browser, &app, "/login/passkey", &answer).await.0, StatusCode::OK);
    let (status, body) = post_json(&app.browser(), &app, "/login/passkey", &answer).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(body["message"].as_str().unwrap().contains("That passkey was not accepted"));

    // A forged signature.
    let (_, options) = post_json(&browser, &app, "/login/passkey/options", &json!({})).await;
    let forged =
        json!({ "ceremony": options["ceremony"], "credential": tampered(&mine.assert(&options["publicKey"])) });
    assert_eq!(post_json(&browser, &app, "/login/passkey", &forged).await.0, StatusCode::UNAUTHORIZED);

    // An answer signed for one challenge, sent with another ceremony.
    let (_, first) = post_json(&browser, &app, "/login/passkey/options", &json!({})).await;
    let (_, second) = post_json(&browser, &app, "/login/passkey/options", &json!({})).await;
    let crossed = json!({ "ceremony": second["ceremony"], "credential": mine.assert(&first["publicKey"]) });
    assert_eq!(post_json(&browser, &app, "/login/passkey", &crossed).await.0, StatusCode::UNAUTHORIZED);

    // A second step for the admin answered by the colleague's passkey.
    let pending = app.browser();
    app.login_with(&pending, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (_, options) = post_json(&pending, &app, "/login/code/passkey/options", &json!({})).await;
    let foreign = json!({ "ceremony": options["ceremony"], "credential": theirs.assert(&options["publicKey"]) });
    assert_eq!(post_json(&pending, &app, "/login/code/passkey", &foreign).await.0, StatusCode::UNAUTHORIZED);
    assert!(!signed_in(&app, &pending).await);

    // A sign-in ceremony cannot finish as a fresh proof, nor a proof as a sign-in.
    let (_, options) = post_json(&browser, &app, "/login/passkey/options", &json!({})).await;
    let wrong =
        json!({ "ceremony": options["ceremony"], "credential": mine.assert(&options["publicKey"]), "next": "/admin" });
    assert_eq!(post_json(&me, &app, "/account/confirm/passkey", &wrong).await.0, StatusCode::UNAUTHORIZED);

    // Removed, it signs in no more (the device still has it).
    let listed: Value = me.post(app.url("/api/internal/passkeys")).send().await.unwrap().json().await.unwrap();
    let id = listed["passkeys"][0]["id"].as_str().unwrap().to_owned();
    let remove =
        |client: &reqwest::Client| client.post(app.url("/account/passkeys/remove")).form(&[("id", id.as_str())]).send();
    let res = remove(&theirs_client).await.unwrap();
    assert_eq!(res.headers()[header::LOCATION], "/account?passkey=not-found#passkeys", "not theirs to remove");
    assert_eq!(app.count("passkeys").await, 2);
    let res = remove(&me).await.unwrap();
    assert_eq!(res.headers()[header::LOCATION], "/account?passkey=removed#passkeys");
    let page = me.get(app.url("/account?passkey=removed")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("The passkey is removed"), "{page}");
    assert_eq!(app.count("passkeys").await, 1);
    let (status, _) = passkey_sign_in(&app, &app.browser(), &mut mine).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let refused: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM account_audit WHERE action = 'second_factor_refused'")
        .fetch_one(&app.db().await)
        .await
        .unwrap();
    assert!(refused >= 2, "refused passkeys are in the audit log ({refused})");

    // Malformed, and too large.
    let (status, _) = post_json(&browser, &app, "/login/passkey", &json!({ "ceremony": "x" })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (_, options) = post_json(&browser, &app, "/login/passkey/options", &json!({})).await;
    let junk = json!({ "ceremony": options["ceremony"], "credential": { "id": "AAAA", "type": "public-key" } });
    assert_eq!(post_json(&browser, &app, "/login/passkey", &junk).await.0, StatusCode::UNAUTHORIZED);
    let huge = json!({ "ceremony": options["ceremony"], "credential": "A".repeat(200_000) });
    assert_eq!(post_json(&browser, &app, "/login/passkey", &huge).await.0, StatusCode::PAYLOAD_TOO_LARGE);
    // A name that is no name.
    let (status, body) = post_json(&me, &app, "/account/passkeys/options", &json!({ "name": "  " })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["message"].as_str().unwrap().contains("Give the passkey a name"));
    assert_eq!(app.count("passkeys").await, 1, "only the colleague's is left");
}

#[tokio::test]
async fn a_session_without_a_fresh_proof_cannot_add_a_passkey() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    // A session from before the account had a second factor (a stolen cookie, say)…
    let stolen = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    // …and the owner adds a passkey from another browser.
    let owner = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let mut device = add_passkey(&app, &owner, "Owner's", ADMIN_PASSWORD).await;

    let (status, body) = post_json(&stolen, &app, "/account/passkeys/options", &json!({ "name": "Thief's" })).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["confirm"], "/account/confirm?next=%2Faccount%23passkeys", "the page is sent to confirm first");
    let res = stolen
        .post(app.url("/api/internal/create_token"))
        .form(&[("name", "crm"), ("scope", "read")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "nor any other dangerous action");
    let listed: Value = owner.post(app.url("/api/internal/passkeys")).send().await.unwrap().json().await.unwrap();
    let id = listed["passkeys"][0]["id"].as_str().unwrap().to_owned();
    let res = stolen.post(app.url("/account/passkeys/remove")).form(&[("id", id.as_str())]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "removing one asks for the proof too");
    assert!(res.headers()[header::LOCATION].to_str().unwrap().starts_with("/account/confirm"));
    assert_eq!(app.count("passkeys").await, 1);

    // The owner's passkey confirms it is them; then it can.
    let (status, options) = post_json(&stolen, &app, "/account/confirm/passkey/options", &json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let answer = json!({ "ceremony": options["ceremony"], "credential": device.assert(&options["publicKey"]), "next": "/admin" });
    let (status, body) = post_json(&stolen, &app, "/account/confirm/passkey", &answer).await;
    assert_eq!((status, body["next"].as_str()), (StatusCode::OK, Some("/admin")), "{body}");
    let res = stolen
        .post(app.url("/api/internal/create_token"))
        .form(&[("name", "crm"), ("scope", "read")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    add_passkey(&app, &stolen, "Second", "").await;
    assert_eq!(app.count("passkeys").await, 2);
}

#[tokio::test]
async fn a_first_passkey_asks_for_the_password_and_is_emailed() {
    let smtp = SmtpSink::start().await;
    let app = TestApp::spawn(Options::smtp(smtp.port)).await;
    let me = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    for (password, why) in [("", "no password"), ("not the password", "a wrong one")] {
        let body = json!({ "name": "Thief's", "password": password });
        let (status, body) = post_json(&me, &app, "/account/passkeys/options", &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{why}: {body}");
        assert!(body["message"].as_str().unwrap().contains("Current password"), "{body}");
    }
    add_passkey(&app, &me, "Mine", ADMIN_PASSWORD).await;
    let mut n = 1;
    while !smtp
        .wait_for(n)
        .await
        .iter()
        .any(|m| body_text(&m.data).contains("A passkey was added to your Intake account"))
    {
        n += 1;
    }
    let mail = smtp.messages().into_iter().find(|m| body_text(&m.data).contains("A passkey was added")).unwrap();
    assert!(body_text(&mail.data).contains("Name: Mine"));
}

#[tokio::test]
async fn passkey_sign_ins_are_limited_per_address() {
    let app = TestApp::spawn(Options::smtp(free_port().await).var("INTAKE_PASSKEY_RATE", "2/min")).await;
    let browser = app.browser();
    for _ in 0..2 {
        assert_eq!(post_json(&browser, &app, "/login/passkey/options", &json!({})).await.0, StatusCode::OK);
    }
    let res = browser.post(app.url("/login/passkey/options")).json(&json!({})).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().contains_key(header::RETRY_AFTER));
    // A signed-in account's own ceremonies are not limited by strangers' sign-ins.
    let me = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    add_passkey(&app, &me, "Still possible", ADMIN_PASSWORD).await;
}

#[tokio::test]
async fn passkey_ceremonies_under_way_are_bounded() {
    let app = TestApp::spawn(Options::smtp(free_port().await).var("INTAKE_PASSKEY_CEREMONIES", "3")).await;
    let browser = app.browser();
    for _ in 0..3 {
        assert_eq!(post_json(&browser, &app, "/login/passkey/options", &json!({})).await.0, StatusCode::OK);
    }
    let res = browser.post(app.url("/login/passkey/options")).json(&json!({})).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(res.headers().contains_key(header::RETRY_AFTER));
    assert_eq!(app.count("passkey_ceremonies").await, 3, "nothing more stored");
}
