//! Where an account is signed in: each browser listed with what it is and
//! where from, any other one signed out from here, and a browser the account
//! never used announced by email.

use crate::helpers::*;
use reqwest::{StatusCode, header};
use serde_json::Value;

const LAPTOP: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0";
const PHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1";

fn browser_as(user_agent: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(user_agent)
        .build()
        .unwrap()
}

async fn signed_in_as(app: &TestApp, user_agent: &str, email: &str, password: &str) -> reqwest::Client {
    let client = browser_as(user_agent);
    let res = app.login_with(&client, email, password).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "login as {email}");
    client
}

async fn signins(app: &TestApp, client: &reqwest::Client) -> (StatusCode, Value) {
    let res = client.post(app.url("/api/internal/signins")).send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn end(app: &TestApp, client: &reqwest::Client, id: &str) -> StatusCode {
    client.post(app.url("/api/internal/end_signin")).form(&[("id", id)]).send().await.unwrap().status()
}

#[tokio::test]
async fn each_browser_is_listed_and_another_is_signed_out_from_here() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    let laptop = signed_in_as(&app, LAPTOP, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let phone = signed_in_as(&app, PHONE, ADMIN_EMAIL, ADMIN_PASSWORD).await;

    let (status, list) = signins(&app, &laptop).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let rows = list.as_array().unwrap();
    assert_eq!(rows.len(), 2, "{list}");
    let this = rows.iter().find(|r| r["current"] == true).expect("this browser, marked");
    let other = rows.iter().find(|r| r["current"] == false).expect("the other one");
    assert_eq!(this["device"], "Firefox on Windows");
    assert_eq!(other["device"], "Safari on iPhone");
    assert_eq!(other["address"], "127.0.0.1");
    let stored: Vec<String> =
        sqlx::query_scalar("SELECT device FROM signins").fetch_all(&app.db().await).await.unwrap();
    assert!(stored.iter().all(|d| !d.contains("Mozilla")), "only the summary is kept, never the header: {stored:?}");

    let this_id = this["id"].as_str().unwrap();
    assert_eq!(end(&app, &laptop, this_id).await, StatusCode::CONFLICT, "this browser signs out with Sign out");
    assert_eq!(end(&app, &laptop, other["id"].as_str().unwrap()).await, StatusCode::OK);
    let (status, _) = signins(&app, &phone).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the phone is signed out at its next request");
    let res = phone.get(app.url("/leads")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "and sent to the login page");
    let (status, list) = signins(&app, &laptop).await;
    assert_eq!((status, list.as_array().map(Vec::len)), (StatusCode::OK, Some(1)), "the laptop goes on");
    assert_eq!(end(&app, &laptop, other["id"].as_str().unwrap()).await, StatusCode::NOT_FOUND, "once");

    // Another account cannot end this one's browser, even knowing its id.
    app.add_attorney("colleague@firm.test", "Colleague", "another long passphrase").await;
    let colleague = signed_in_as(&app, PHONE, "colleague@firm.test", "another long passphrase").await;
    assert_eq!(end(&app, &colleague, this_id).await, StatusCode::NOT_FOUND);
    assert_eq!(signins(&app, &laptop).await.0, StatusCode::OK, "still signed in");

    let audit: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM account_audit WHERE action = 'session_ended'")
        .fetch_one(&app.db().await)
        .await
        .unwrap();
    assert_eq!(audit, 1, "the ending is in the account's log");
}

#[tokio::test]
async fn every_other_browser_is_signed_out_and_a_logout_leaves_no_row() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    let laptop = signed_in_as(&app, LAPTOP, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let others = [
        signed_in_as(&app, PHONE, ADMIN_EMAIL, ADMIN_PASSWORD).await,
        signed_in_as(&app, PHONE, ADMIN_EMAIL, ADMIN_PASSWORD).await,
    ];
    let res = laptop.post(app.url("/api/internal/end_other_signins")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.text().await.unwrap(), "2");
    for other in &others {
        assert_eq!(signins(&app, other).await.0, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(app.count("signins").await, 1);
    let res = laptop.post(app.url("/logout")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("signins").await, 0, "the browser and address go with the session");
}

#[tokio::test]
async fn a_browser_the_account_never_used_is_announced_by_email() {
    let smtp = SmtpSink::start().await;
    let app = TestApp::spawn(Options::smtp(smtp.port)).await;
    let laptop = browser_as(LAPTOP);
    let res = app.login_with(&laptop, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let cookie = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("intake_browser="))
        .expect("the browser is given its secret");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    let secret = cookie.trim_start_matches("intake_browser=").split(';').next().unwrap().to_owned();
    let hashes: Vec<String> =
        sqlx::query_scalar("SELECT browser_hash FROM known_browsers").fetch_all(&app.db().await).await.unwrap();
    assert_eq!(hashes.len(), 1);
    assert!(!hashes[0].contains(&secret), "stored hashed");

    // The account's first browser, then the same browser again: nothing to announce.
    let res = app.login_with(&laptop, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(
        res.headers().get_all(header::SET_COOKIE).iter().all(|c| !c.to_str().unwrap().starts_with("intake_browser"))
    );
    // A browser it never used.
    signed_in_as(&app, PHONE, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let mails = smtp.wait_for(1).await;
    let text = body_text(&mails[0].data);
    assert!(mails[0].to.iter().any(|t| t.contains(ADMIN_EMAIL)));
    assert!(text.contains("New sign-in to your Intake account"), "{text}");
    assert!(text.contains("Safari on iPhone") && text.contains("127.0.0.1"), "{text}");
    // Wrong passwords from new browsers announce nothing.
    let stranger = browser_as(PHONE);
    let res = app.login_with(&stranger, ADMIN_EMAIL, "not the password").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(smtp.messages().len(), 1, "one email, for the one new browser");
}
