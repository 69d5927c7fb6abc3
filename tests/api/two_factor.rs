//! Two-step sign-in with an authenticator app: adding one on `/account`,
//! the code after the password (once each, in its window), recovery codes
//! (once each), the lockout, and nothing answered between the two steps.

use crate::helpers::*;
use intake_core::auth::totp;
use intake_store::now_ms;
use reqwest::{StatusCode, header};

const KEY: &str = "6b0c3d1a9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b";

fn between<'a>(html: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = html.find(start)? + start.len();
    Some(&html[from..from + html[from..].find(end)?])
}

fn base32_decode(s: &str) -> Vec<u8> {
    const B32: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut out, mut buffer, mut bits) = (Vec::new(), 0u32, 0u32);
    for c in s.chars() {
        buffer = (buffer << 5) | B32.find(c).expect("base32") as u32;
        bits += 5;
        if bits >= 8 {
            out.push((buffer >> (bits - 8)) as u8);
            bits -= 8;
        }
    }
    out
}

fn code(secret: &[u8], step: i64) -> String {
    format!("{:06}", totp::code_at(secret, step))
}

async fn post_account(client: &reqwest::Client, app: &TestApp, form: &[(&str, &str)]) -> (StatusCode, String) {
    let res = client.post(app.url("/account")).form(form).send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

/// Adds an app to the admin's account through `/account`; its secret and recovery codes.
async fn add_app(app: &TestApp, client: &reqwest::Client) -> (Vec<u8>, Vec<String>) {
    let (status, page) = post_account(client, app, &[("step", "start")]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("<svg"), "a QR code");
    let secret = base32_decode(between(&page, "data-totp-secret=\"", "\"").expect("the key on the page"));
    assert_eq!(secret.len(), 20);

    let (status, page) = post_account(client, app, &[("step", "confirm"), ("code", "000000")]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a wrong first code");
    assert!(page.contains("That code is not right"), "{page}");
    let (_, page) =
        post_account(client, app, &[("step", "confirm"), ("code", &code(&secret, totp::step_at(now_ms())))]).await;
    let list = between(&page, "data-recovery-codes", "</ul>").expect("the recovery codes, shown once");
    let codes: Vec<String> = list.split("<code>").skip(1).map(|c| c.split('<').next().unwrap().to_owned()).collect();
    assert_eq!(codes.len(), 10);
    (secret, codes)
}

/// Logs in with the password: the answer sends to the second step.
async fn password_step(app: &TestApp) -> reqwest::Client {
    let client = app.browser();
    let res = app.login_with(&client, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], "/login/code?next=%2Fleads");
    client
}

async fn code_step(app: &TestApp, client: &reqwest::Client, code: &str) -> reqwest::Response {
    client.post(app.url("/login/code")).form(&[("code", code), ("next", "/leads")]).send().await.unwrap()
}

#[tokio::test]
async fn an_app_once_added_is_asked_for_after_the_password_and_each_code_works_once() {
    let app = TestApp::spawn(Options::smtp(free_port().await).var("INTAKE_SECRET_KEY", KEY)).await;
    let id = app.submit("private@example.com").await;
    let me = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (secret, recovery) = add_app(&app, &me).await;
    let sealed: Vec<u8> =
        sqlx::query_scalar("SELECT secret_sealed FROM attorney_totp").fetch_one(&app.db().await).await.unwrap();
    assert!(!sealed.windows(secret.len()).any(|w| w == secret.as_slice()), "the secret is stored sealed");

    // Between the two steps, nothing of the attorneys' side answers.
    let half = password_step(&app).await;
    for path in ["/leads", &format!("/leads/{id}"), "/admin", "/account"] {
        let res = half.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path}");
        assert!(res.headers()[header::LOCATION].to_str().unwrap().starts_with("/login?next="), "{path}");
    }
    for path in ["/api/internal/events", "/leads/export.csv", &format!("/leads/{id}/resume")] {
        let res = half.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    let res = half.post(app.url("/api/internal/leads")).form(&[("x", "1")]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(!res.text().await.unwrap().contains("private@example.com"));

    // The confirming code's step is spent; a code from ninety seconds ago is refused.
    let now = totp::step_at(now_ms());
    for wrong in [code(&secret, now - 3), "12345".into(), "not a code".into()] {
        let res = code_step(&app, &half, &wrong).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{wrong}");
        assert!(res.text().await.unwrap().contains("That code is not right"));
    }
    // The next step's code (a phone a little ahead) signs in, once.
    let next = code(&secret, now + 1);
    let res = code_step(&app, &half, &next).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], "/leads");
    assert_eq!(half.get(app.url("/leads")).send().await.unwrap().status(), StatusCode::OK, "signed in");
    let other = password_step(&app).await;
    assert_eq!(code_step(&app, &other, &next).await.status(), StatusCode::UNAUTHORIZED, "a code is accepted once");

    // A recovery code signs in once, in any letter case.
    let res = code_step(&app, &other, &recovery[0].to_uppercase()).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let third = password_step(&app).await;
    assert_eq!(code_step(&app, &third, &recovery[0]).await.status(), StatusCode::UNAUTHORIZED, "used up");

    // The account page says how many are left; a new set retires the old one.
    let page = me.get(app.url("/account")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("9 unused recovery codes left"), "{page}");
    // (The app's codes up to the next step are spent: a recovery code stands in for one.)
    let (status, _) = post_account(&me, &app, &[("step", "renew"), ("code", &code(&secret, now + 1))]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a spent code does not renew them");
    let (status, page) = post_account(&me, &app, &[("step", "renew"), ("code", &recovery[2])]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("New recovery codes are ready"));
    assert_eq!(code_step(&app, &third, &recovery[1]).await.status(), StatusCode::UNAUTHORIZED, "the old set");

    let audit: Vec<String> =
        sqlx::query_scalar("SELECT action FROM account_audit ORDER BY id").fetch_all(&app.db().await).await.unwrap();
    for action in ["second_factor_added", "second_factor_refused", "recovery_code_used", "recovery_codes_renewed"] {
        assert!(audit.iter().any(|a| a == action), "{action} in {audit:?}");
    }
}

#[tokio::test]
async fn wrong_codes_lock_the_account_out_like_wrong_passwords_and_a_right_password_does_not_reset_them() {
    let app = TestApp::spawn(Options::smtp(free_port().await).var("INTAKE_SECRET_KEY", KEY)).await;
    let me = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (secret, _) = add_app(&app, &me).await;
    let mut statuses = Vec::new();
    for _ in 0..4 {
        // A fresh password step each time: the count is the codes' own.
        let half = password_step(&app).await;
        statuses.push(code_step(&app, &half, "000000").await.status());
        statuses.push(code_step(&app, &half, "111111").await.status());
    }
    assert!(statuses.contains(&StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
    let half = password_step(&app).await;
    let right = code(&secret, totp::step_at(now_ms()) + 1);
    let res = code_step(&app, &half, &right).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "locked out even with the right code");
    assert!(res.headers().contains_key(header::RETRY_AFTER));
}

#[tokio::test]
async fn the_second_step_needs_a_password_first_and_turning_the_app_off_needs_a_code() {
    let app = TestApp::spawn(Options::smtp(free_port().await).var("INTAKE_SECRET_KEY", KEY)).await;
    // No password step: the code form sends back to the login.
    let stranger = app.browser();
    let res = code_step(&app, &stranger, "123456").await;
    assert_eq!((res.status(), res.headers()[header::LOCATION].to_str().unwrap()), (StatusCode::SEE_OTHER, "/login"));

    let me = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (secret, _) = add_app(&app, &me).await;
    let (status, _) = post_account(&me, &app, &[("step", "start")]).await;
    assert_eq!(status, StatusCode::CONFLICT, "one app at a time");
    let (status, _) = post_account(&me, &app, &[("step", "remove"), ("code", "000000")]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, page) =
        post_account(&me, &app, &[("step", "remove"), ("code", &code(&secret, totp::step_at(now_ms()) + 1))]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("turned off"));
    assert_eq!(app.count("attorney_totp").await, 0);
    assert_eq!(app.count("recovery_codes").await, 0, "its recovery codes go with it");
    // The password alone signs in again.
    app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
}

#[tokio::test]
async fn without_a_sealing_key_no_app_can_be_added() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    let me = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let page = me.get(app.url("/account")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("until the administrator sets INTAKE_SECRET_KEY"), "{page}");
    let (status, page) = post_account(&me, &app, &[("step", "start")]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("INTAKE_SECRET_KEY"));
    assert_eq!(app.count("attorney_totp").await, 0);
}

#[tokio::test]
async fn an_operator_resets_a_lost_phone_from_the_command_line() {
    let smtp = SmtpSink::start().await;
    let app = TestApp::spawn(Options::smtp(smtp.port).var("INTAKE_SECRET_KEY", KEY)).await;
    let me = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    add_app(&app, &me).await;
    password_step(&app).await;
    let (code, out) = app.cli(&["user", "reset-two-step", "--email", ADMIN_EMAIL], "").await;
    assert_eq!(code, 0, "{out}");
    assert_eq!(me.get(app.url("/account")).send().await.unwrap().status(), StatusCode::SEE_OTHER, "its sessions ended");
    app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!((app.count("attorney_totp").await, app.count("recovery_codes").await), (0, 0));
    // Other emails (new sign-ins) may come first: wait until the reset's is among them.
    let mut n = 1;
    while !smtp.wait_for(n).await.iter().any(|m| body_text(&m.data).contains("An operator removed the second factors"))
    {
        n += 1;
    }
    let (code, out) = app.cli(&["user", "reset-two-step", "--email", ADMIN_EMAIL], "").await;
    assert_ne!(code, 0);
    assert!(out.contains("has no second factor"), "{out}");
}

#[tokio::test]
async fn the_server_refuses_to_start_without_the_key_its_apps_were_sealed_with() {
    use intake::server::startup::Application;
    use intake_core::config::Config;
    let app = TestApp::spawn(Options::smtp(free_port().await).var("INTAKE_SECRET_KEY", KEY)).await;
    let me = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    add_app(&app, &me).await;
    let database_url = app.database_url.clone();
    let dir = app.stop().await;
    let vars: std::collections::HashMap<String, String> = [
        ("INTAKE_DATA_DIR".to_string(), dir.path().display().to_string()),
        ("DATABASE_URL".to_string(), database_url),
        ("LEPTOS_SITE_ADDR".to_string(), "127.0.0.1:0".to_string()),
    ]
    .into();
    let err = Application::build(Config::from_vars(&vars).unwrap(), "target/site").await.err().expect("must fail");
    assert!(err.to_string().contains("set it (the same key as before)"), "{err}");
}

#[tokio::test]
async fn when_the_firm_requires_it_an_account_adds_an_app_before_anything_opens() {
    let opts = Options::smtp(free_port().await).var("INTAKE_SECRET_KEY", KEY).var("INTAKE_REQUIRE_2FA", "all");
    let app = TestApp::spawn(opts).await;
    let id = app.submit("required@example.com").await;
    let client = app.browser();
    let res = app.login_with(&client, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "a right password leads to adding an app, not in");
    assert_eq!(res.headers()[header::LOCATION], "/login/enrol?next=%2Fleads");
    let stranger = app.browser().get(app.url("/login/enrol")).send().await.unwrap().text().await.unwrap();
    assert!(
        !stranger.contains("data-totp-secret") && stranger.contains("Log in again"),
        "only this session sees the key"
    );
    let page = client.get(app.url("/login/enrol?next=%2Fleads")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Your firm requires a code from an authenticator app"), "{page}");
    let key = between(&page, "data-totp-secret=\"", "\"").expect("the key").to_owned();
    let secret = base32_decode(&key);

    // Nothing of the attorneys' side answers until the app is added.
    for path in ["/leads", &format!("/leads/{id}"), "/admin", "/account"] {
        let res = client.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path}");
    }
    for path in ["/api/internal/events", "/leads/export.csv", &format!("/leads/{id}/resume")] {
        assert_eq!(client.get(app.url(path)).send().await.unwrap().status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    let res = client.post(app.url("/api/internal/leads")).form(&[("x", "1")]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = client.post(app.url("/account")).form(&[("step", "start")]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "the account page's forms need a full sign-in");
    // The code step is not a way around it.
    let now = totp::step_at(now_ms());
    let res = code_step(&app, &client, &code(&secret, now)).await;
    assert_eq!(res.headers()[header::LOCATION], "/login");

    let enrol = |code: String| {
        let client = client.clone();
        let url = app.url("/login/enrol");
        async move { client.post(url).form(&[("code", code.as_str()), ("next", "/leads")]).send().await.unwrap() }
    };
    let res = enrol("000000".into()).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let page = res.text().await.unwrap();
    assert!(page.contains("That code is not right"));
    assert!(page.contains(&format!("data-totp-secret=\"{key}\"")), "the same key, to try again");
    assert_eq!(client.get(app.url("/leads")).send().await.unwrap().status(), StatusCode::SEE_OTHER);

    let res = enrol(code(&secret, now)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().await.unwrap();
    assert!(page.contains("data-recovery-codes") && page.contains("href=\"/leads\""), "{page}");
    assert_eq!(client.get(app.url("/leads")).send().await.unwrap().status(), StatusCode::OK, "signed in");
    // From now on, the code after the password.
    password_step(&app).await;
    let admin = client.get(app.url("/admin")).send().await.unwrap().text().await.unwrap();
    assert!(admin.contains("data-two-step=\"on\""), "/admin shows who has an app");
}

#[tokio::test]
async fn required_for_admins_only_leaves_attorneys_with_their_password() {
    let opts = Options::smtp(free_port().await).var("INTAKE_SECRET_KEY", KEY).var("INTAKE_REQUIRE_2FA", "admins");
    let app = TestApp::spawn(opts).await;
    app.add_attorney("ada@firm.test", "Ada Attorney", "attorney password 1").await;
    let res = app.login_with(&app.browser(), "ada@firm.test", "attorney password 1").await;
    assert_eq!((res.status(), res.headers()[header::LOCATION].to_str().unwrap()), (StatusCode::SEE_OTHER, "/leads"));
    let res = app.login_with(&app.browser(), ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(res.headers()[header::LOCATION], "/login/enrol?next=%2Fleads");
}

#[tokio::test]
async fn an_admin_resets_a_colleagues_lost_app_from_admin_and_they_are_signed_out_and_told() {
    let smtp = SmtpSink::start().await;
    let app = TestApp::spawn(Options::smtp(smtp.port).var("INTAKE_SECRET_KEY", KEY)).await;
    let (colleague, pass) = ("colleague@firm.test", "another long passphrase");
    app.add_attorney(colleague, "Colleague", pass).await;
    let theirs = app.logged_in(colleague, pass).await;
    add_app(&app, &theirs).await;
    let id_of = |email: &str| {
        let sql = format!("SELECT CAST(id AS TEXT) FROM attorneys WHERE email = '{email}'");
        let db = app.db();
        async move { sqlx::query_scalar::<_, String>(&sql).fetch_one(&db.await).await.unwrap() }
    };
    let id = id_of(colleague).await;
    let reset = |client: reqwest::Client, id: String| {
        let url = app.url("/api/internal/reset_two_step");
        async move { client.post(url).form(&[("id", id)]).send().await.unwrap().status() }
    };
    assert_eq!(reset(theirs.clone(), id.clone()).await, StatusCode::FORBIDDEN, "only an administrator");

    let admin = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(reset(admin.clone(), id_of(ADMIN_EMAIL).await).await, StatusCode::CONFLICT, "not one's own, from here");
    assert_eq!(reset(admin.clone(), id.clone()).await, StatusCode::OK);
    assert_eq!(reset(admin.clone(), id.clone()).await, StatusCode::CONFLICT, "nothing left to reset");
    assert_eq!((app.count("attorney_totp").await, app.count("recovery_codes").await), (0, 0));

    let res = theirs.post(app.url("/api/internal/signins")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "signed out everywhere");
    let mails = smtp.wait_for(1).await;
    let mail = mails.iter().find(|m| m.to.iter().any(|t| t.contains(colleague))).expect("they are told");
    let text = body_text(&mail.data);
    assert!(text.contains("Your two-step sign-in was reset") && text.contains("Administrator"), "{text}");
    let log: Vec<String> = sqlx::query_scalar("SELECT detail FROM account_audit WHERE action = 'second_factor_reset'")
        .fetch_all(&app.db().await)
        .await
        .unwrap();
    assert_eq!(log.len(), 1, "in the audit log");

    let again = app.browser();
    let res = app.login_with(&again, colleague, pass).await;
    assert_eq!(res.headers()[header::LOCATION], "/leads", "their password alone signs in now");
}

/// Each dangerous action an administrator can take from the browser, with arguments it accepts.
const DANGEROUS: &[(&str, &[(&str, &str)])] = &[
    ("create_token", &[("name", "crm"), ("scope", "read")]),
    ("add_webhook", &[("url", "https://hooks.example/intake")]),
    ("invite", &[("email", "new@firm.test"), ("name", "New Colleague"), ("role", "admin")]),
    ("disable_account", &[("id", "00000000-0000-7000-8000-000000000000")]),
    ("reset_two_step", &[("id", "00000000-0000-7000-8000-000000000000")]),
    ("erase_lead", &[("id", "00000000-0000-7000-8000-000000000000"), ("reason", "requested")]),
];

#[tokio::test]
async fn dangerous_actions_want_a_fresh_code_from_an_account_with_an_app() {
    let app = TestApp::spawn(Options::smtp(free_port().await).var("INTAKE_SECRET_KEY", KEY)).await;
    let admin = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    // Signed in with the password alone, then an app added from another browser
    // (whose first code proves it there): no code proved by this session yet.
    let owner = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (secret, recovery) = add_app(&app, &owner).await;
    let res = owner.post(app.url("/api/internal/create_token")).form(&[("name", "x"), ("scope", "read")]).send().await;
    assert_eq!(res.unwrap().status(), StatusCode::OK, "adding the app was a proof in its own browser");
    sqlx::query("DELETE FROM api_tokens").execute(&app.db().await).await.unwrap();
    for (endpoint, form) in DANGEROUS {
        let res = admin.post(app.url(&format!("/api/internal/{endpoint}"))).form(form).send().await.unwrap();
        let status = res.status();
        let body = res.text().await.unwrap();
        assert_eq!((status, body.as_str()), (StatusCode::FORBIDDEN, "\"ProofNeeded\""), "{endpoint}");
    }
    assert_eq!(app.count("api_tokens").await, 0, "nothing done");
    assert_eq!(app.count("webhook_endpoints").await, 0);

    let res = admin.get(app.url("/account/confirm?next=%2Fadmin")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("Confirm it is you"));
    let confirm = |code: String| {
        let req = admin.post(app.url("/account/confirm")).form(&[("code", code.as_str()), ("next", "/admin")]);
        async move { req.send().await.unwrap() }
    };
    let res = confirm("000000".into()).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(res.text().await.unwrap().contains("That code is not right"), "the page again, with the error");
    let res = confirm(code(&secret, totp::step_at(now_ms()) + 1)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], "/admin", "back where it was");
    let res = admin.post(app.url("/api/internal/create_token")).form(DANGEROUS[0].1).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "now it goes ahead");

    // A sign-in through the second step is itself the proof.
    let fresh = password_step(&app).await;
    assert_eq!(code_step(&app, &fresh, &recovery[0]).await.status(), StatusCode::SEE_OTHER);
    let res = fresh.post(app.url("/api/internal/add_webhook")).form(DANGEROUS[1].1).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);

    // Without an app there is no second factor to ask for.
    let plain = TestApp::spawn(Options::smtp(free_port().await).var("INTAKE_SECRET_KEY", KEY)).await;
    let admin = plain.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let res = admin.post(plain.url("/api/internal/create_token")).form(DANGEROUS[0].1).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}
