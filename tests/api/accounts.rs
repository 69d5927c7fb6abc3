//! Accounts without a shell: an administrator invites a colleague (a
//! one-time link by email), disables and re-enables accounts, sends reset
//! links; anyone changes their own password; all of it in the audit log,
//! and only administrators may manage accounts.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::Value;

async fn post(c: &reqwest::Client, app: &TestApp, path: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let res = c.post(app.url(path)).form(form).send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// The one-time link in the newest email to `to`.
fn link_in(mails: &[Received], to: &str) -> String {
    let m = mails.iter().rev().find(|m| m.to.iter().any(|t| t.to_lowercase().contains(to))).expect("an email");
    let text = body_text(&m.data);
    let at = text.find("/set-password?token=").expect("a link");
    let token: String = text[at + "/set-password?token=".len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    assert!(token.len() >= 43, "{text}");
    token
}

async fn accounts(c: &reqwest::Client, app: &TestApp, activity: &str) -> Value {
    let (status, v) = post(c, app, "/api/internal/accounts", &[("activity", activity)]).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    v
}

fn status_of(v: &Value, email: &str) -> String {
    let found =
        v["accounts"].as_array().unwrap().iter().find(|a| a["email"].as_str().unwrap().eq_ignore_ascii_case(email));
    found.unwrap_or_else(|| panic!("{email} in {v}"))["status"].as_str().unwrap().into()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invited_colleague_sets_a_password_once_and_logs_in() {
    let smtp = SmtpSink::start().await;
    let app = TestApp::spawn(Options::smtp(smtp.port)).await;
    let admin = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;

    // Bad input is refused by field; nothing is created.
    for (email, name, role, why) in [
        ("not an email", "Carol Chen", "attorney", "Email:"),
        ("carol@firm.test", "", "attorney", "Name:"),
        ("carol@firm.test", "Carol\u{202e}Chen", "attorney", "Name:"),
        ("carol@firm.test", "Carol Chen", "owner", "Role:"),
    ] {
        let (status, err) =
            post(&admin, &app, "/api/internal/invite", &[("email", email), ("name", name), ("role", role)]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{why}");
        assert!(err["Invalid"].as_str().unwrap().starts_with(why), "{err}");
    }
    assert_eq!(app.count("attorneys").await, 1);

    let (status, _) = post(
        &admin,
        &app,
        "/api/internal/invite",
        &[("email", "Carol@Firm.test"), ("name", " Carol Chen "), ("role", "attorney")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, err) = post(
        &admin,
        &app,
        "/api/internal/invite",
        &[("email", "carol@firm.test"), ("name", "Carol"), ("role", "attorney")],
    )
    .await;
    assert_eq!(
        (status, err["Conflict"].as_str()),
        (StatusCode::CONFLICT, Some("Email: carol@firm.test already has an account."))
    );
    assert_eq!(status_of(&accounts(&admin, &app, "").await, "carol@firm.test"), "invited");
    // Nobody can give her a lead before she can log in.
    let colleague_names = || async {
        let (status, v) = post(&admin, &app, "/api/internal/colleagues", &[]).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        v.as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_owned()).collect::<Vec<_>>()
    };
    assert!(!colleague_names().await.contains(&"Carol Chen".to_owned()));

    // She cannot log in before setting a password, whatever she types.
    assert_eq!(app.login_with(&app.browser(), "carol@firm.test", "!invited").await.status(), StatusCode::UNAUTHORIZED);

    let mails = smtp.wait_for(1).await;
    let text = body_text(&mails[0].data);
    assert!(
        text.contains("Administrator invited you to Harper & Lowe's Intake") && text.contains("for 7 days"),
        "{text}"
    );
    let token = link_in(&mails, "carol@firm.test");
    let page =
        app.client.get(app.url(&format!("/set-password?token={token}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Welcome, Carol Chen") && page.contains("Carol@Firm.test"), "{page}");

    // The page's plain form post (it works without JavaScript): each outcome is the page again.
    let anon = app.browser();
    let set = |password: &'static str, confirm: &'static str, token: String| {
        let anon = anon.clone();
        let url = app.url("/set-password");
        async move {
            let res = anon
                .post(url)
                .header("Origin", "http://intake.firm.test")
                .form(&[("token", token.as_str()), ("password", password), ("confirm", confirm)])
                .send()
                .await
                .unwrap();
            (res.status(), res.text().await.unwrap())
        }
    };
    let (status, page) = set("short", "short", token.clone()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("New password: at least 12 characters.") && page.contains("Welcome, Carol Chen"), "{page}");
    let (status, page) = set("a long enough password", "a different password", token.clone()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("Confirm password: the two passwords differ."), "{page}");
    let (status, page) = set("a long enough password", "a long enough password", "forged".into()).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("This link does not work"), "{page}");
    let (status, page) = set("a long enough password", "a long enough password", token.clone()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Your password is set") && page.contains("Log in with Carol@Firm.test"), "{page}");
    // Once only.
    let (status, page) = set("another long password", "another long password", token.clone()).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("already been used"), "{page}");
    let page =
        app.client.get(app.url(&format!("/set-password?token={token}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("This link does not work"), "{page}");

    let carol = app.logged_in("carol@firm.test", "a long enough password").await;
    assert_eq!(status_of(&accounts(&admin, &app, "").await, "carol@firm.test"), "active");
    assert!(colleague_names().await.contains(&"Carol Chen".to_owned()));
    // An attorney manages no accounts.
    for (path, form) in [
        ("/api/internal/accounts", vec![("activity", "")]),
        ("/api/internal/invite", vec![("email", "eve@firm.test"), ("name", "Eve"), ("role", "admin")]),
    ] {
        assert_eq!(post(&carol, &app, path, &form).await.0, StatusCode::FORBIDDEN, "{path}");
    }

    // The audit log says who did what, and filters.
    let log = accounts(&admin, &app, "").await["audit"].clone();
    let actions: Vec<&str> = log.as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["password_set", "invited"], "{log}");
    assert_eq!(log[1]["actor"], "Administrator");
    assert_eq!(log[1]["target"], "Carol@Firm.test");
    let only = accounts(&admin, &app, "invited").await["audit"].clone();
    assert_eq!(only.as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disabling_signs_out_at_once_and_resets_and_own_changes_end_other_sessions() {
    let smtp = SmtpSink::start().await;
    let app = TestApp::spawn(Options::smtp(smtp.port)).await;
    app.add_attorney("dan@firm.test", "Dan Diaz", "dan password 123").await;
    let admin = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let dan = app.logged_in("dan@firm.test", "dan password 123").await;
    let list = accounts(&admin, &app, "").await;
    let id_of = |email: &str| {
        list["accounts"].as_array().unwrap().iter().find(|a| a["email"] == email).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (dan_id, admin_id) = (id_of("dan@firm.test"), id_of(ADMIN_EMAIL));

    // An administrator cannot lock themself out.
    let (status, err) = post(&admin, &app, "/api/internal/disable_account", &[("id", &admin_id)]).await;
    assert_eq!(
        (status, err["Conflict"].as_str()),
        (StatusCode::CONFLICT, Some("You cannot disable your own account."))
    );

    assert_eq!(post(&dan, &app, "/api/internal/me", &[]).await.0, StatusCode::OK);
    assert_eq!(post(&admin, &app, "/api/internal/disable_account", &[("id", &dan_id)]).await.0, StatusCode::OK);
    assert_eq!(post(&dan, &app, "/api/internal/me", &[]).await.0, StatusCode::UNAUTHORIZED, "signed out at once");
    assert_eq!(
        app.login_with(&app.browser(), "dan@firm.test", "dan password 123").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(post(&admin, &app, "/api/internal/disable_account", &[("id", &dan_id)]).await.0, StatusCode::CONFLICT);
    let (status, err) = post(&admin, &app, "/api/internal/send_password_link", &[("id", &dan_id)]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{err}");
    assert_eq!(post(&admin, &app, "/api/internal/enable_account", &[("id", &dan_id)]).await.0, StatusCode::OK);
    // The same browser as before: no new-sign-in email among the ones below.
    let res = app.login_with(&dan, "dan@firm.test", "dan password 123").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    // A reset link: the old password works until the new one is set.
    assert_eq!(post(&admin, &app, "/api/internal/send_password_link", &[("id", &dan_id)]).await.0, StatusCode::OK);
    let mails = smtp.wait_for(1).await;
    assert!(body_text(&mails[0].data).contains("link to set a new password"), "{}", mails[0].data);
    let first = link_in(&mails, "dan@firm.test");
    // Only the newest link counts.
    assert_eq!(post(&admin, &app, "/api/internal/send_password_link", &[("id", &dan_id)]).await.0, StatusCode::OK);
    let mails = smtp.wait_for(2).await;
    let second = link_in(&mails, "dan@firm.test");
    assert_ne!(first, second);
    let set = |token: String| {
        let c = app.browser();
        let url = app.url("/set-password");
        async move {
            c.post(url)
                .header("Origin", "http://intake.firm.test")
                .form(&[
                    ("token", token.as_str()),
                    ("password", "dan's new password"),
                    ("confirm", "dan's new password"),
                ])
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(set(first).await, StatusCode::CONFLICT, "the first link was replaced");
    assert_eq!(post(&dan, &app, "/api/internal/me", &[]).await.0, StatusCode::OK, "still signed in meanwhile");
    assert_eq!(set(second).await, StatusCode::OK);
    assert_eq!(post(&dan, &app, "/api/internal/me", &[]).await.0, StatusCode::UNAUTHORIZED, "other sessions end");
    let dan = app.logged_in("dan@firm.test", "dan's new password").await;
    let other_browser = app.logged_in("dan@firm.test", "dan's new password").await;

    // Dan changes his own password: a wrong current one is refused; this browser stays in, the other is out.
    let change = |c: &reqwest::Client, current: &str, new: &str, confirm: &str| {
        let form = [("current", current.to_owned()), ("new", new.to_owned()), ("confirm", confirm.to_owned())];
        let req = c.post(app.url("/api/internal/change_password")).form(&form);
        async move { req.send().await.unwrap().status() }
    };
    assert_eq!(
        change(&dan, "wrong password!", "dan's third password", "dan's third password").await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(change(&dan, "dan's new password", "short", "short").await, StatusCode::BAD_REQUEST);
    assert_eq!(
        change(&dan, "dan's new password", "dan's third password", "dan's third password").await,
        StatusCode::OK
    );
    assert_eq!(post(&dan, &app, "/api/internal/me", &[]).await.0, StatusCode::OK, "this browser stays signed in");
    assert_eq!(post(&other_browser, &app, "/api/internal/me", &[]).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.login_with(&app.browser(), "dan@firm.test", "dan's third password").await.status(),
        StatusCode::SEE_OTHER
    );

    let log = accounts(&admin, &app, "").await["audit"].clone();
    let actions: Vec<&str> = log.as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        ["password_changed", "password_set", "reset_sent", "reset_sent", "enabled", "disabled"],
        "{log}"
    );
    assert_eq!(log[0]["actor"], "Dan Diaz");

    // The command line's changes are in the log too.
    let (code, out) = app.cli(&["user", "disable", "--email", "dan@firm.test"], "").await;
    assert_eq!(code, 0, "{out}");
    let log = accounts(&admin, &app, "disabled").await["audit"].clone();
    assert_eq!((log[0]["actor"].is_null(), log.as_array().unwrap().len()), (true, 2), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guessing_the_current_password_is_throttled_like_a_login() {
    let smtp = SmtpSink::start().await;
    let app = TestApp::spawn(Options::smtp(smtp.port)).await;
    app.add_attorney("erin@firm.test", "Erin Eng", "erin's first password").await;
    let erin = app.logged_in("erin@firm.test", "erin's first password").await;
    let change = |current: &str| {
        let form = [("current", current), ("new", "erin's second password"), ("confirm", "erin's second password")];
        erin.post(app.url("/api/internal/change_password")).form(&form).send()
    };
    // A stolen session guessing: five wrong answers lock the account, here and on /login.
    for i in 0..5 {
        assert_eq!(change(&format!("guess number {i}")).await.unwrap().status(), StatusCode::BAD_REQUEST);
    }
    let locked = change("erin's first password").await.unwrap();
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.headers().contains_key("retry-after"));
    assert!(locked.text().await.unwrap().contains("Too many failed attempts"));
    assert_eq!(
        app.login_with(&app.browser(), "erin@firm.test", "erin's first password").await.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the same budget as logging in"
    );
}
