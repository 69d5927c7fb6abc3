//! Accounts, sessions and the guard in front of internal routes.

use crate::helpers::*;
use intake::server::http::INTERNAL_ENDPOINTS;
use reqwest::{StatusCode, header};

fn session_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("intake_session="))
        .map(str::to_owned)
}

fn cookie_value(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_owned()
}

#[tokio::test]
async fn login_sets_a_safe_session_cookie_and_opens_the_dashboard() {
    let app = TestApp::spawn(Options::smtp(free_port().await).var("INTAKE_PUBLIC_URL", "http://127.0.0.1")).await;
    let client = app.browser();
    let res = app.login_with(&client, "ADMIN@firm.test", ADMIN_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], "/leads");
    let cookie = session_cookie(&res).expect("session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http: {cookie}");

    let page = client.get(app.url("/leads")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()[header::CACHE_CONTROL], "no-store");
    let html = page.text().await.unwrap();
    assert!(html.contains("<table class=\"leads stack\">") && html.contains("<tbody>"));
    assert!(html.contains("Administrator"));
}

#[tokio::test]
async fn the_cookie_is_secure_when_the_public_url_is_https() {
    let app =
        TestApp::spawn(Options::smtp(free_port().await).var("INTAKE_PUBLIC_URL", "https://intake.firm.test")).await;
    let res = app.login_with(&app.browser(), ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert!(session_cookie(&res).unwrap().contains("; Secure"));
}

#[tokio::test]
async fn wrong_email_and_wrong_password_get_the_same_answer() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    let client = app.browser();
    let a = app.login_with(&client, ADMIN_EMAIL, "wrong password!").await;
    let b = app.login_with(&client, "nobody@firm.test", ADMIN_PASSWORD).await;
    assert_eq!(a.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(b.status(), StatusCode::UNAUTHORIZED);
    assert!(session_cookie(&a).is_none() && session_cookie(&b).is_none());
    let (a, b) = (a.text().await.unwrap(), b.text().await.unwrap());
    assert!(a.contains("Incorrect email or password.") && b.contains("Incorrect email or password."));
    assert!(a.contains(r#"role="alert""#));
    assert!(b.contains(r#"value="nobody@firm.test""#), "the email is kept");
    assert_eq!(client.get(app.url("/leads")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn repeated_failures_lock_the_account_for_a_while() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    let client = app.browser();
    for _ in 0..5 {
        assert_eq!(app.login_with(&client, ADMIN_EMAIL, "guess guess guess").await.status(), StatusCode::UNAUTHORIZED);
    }
    // Even the right password is refused while locked.
    let res = app.login_with(&client, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.text().await.unwrap().contains("Too many failed attempts. Try again in 15 minutes."));
}

#[tokio::test]
async fn login_rotates_the_session_id_and_logout_ends_the_session() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    let client = app.browser();
    let first = cookie_value(&session_cookie(&app.login_with(&client, ADMIN_EMAIL, ADMIN_PASSWORD).await).unwrap());
    let second = cookie_value(&session_cookie(&app.login_with(&client, ADMIN_EMAIL, ADMIN_PASSWORD).await).unwrap());
    assert_ne!(first, second, "a new id at each login");
    let with =
        |cookie: &str| app.client.post(app.url("/api/internal/me")).header(header::COOKIE, cookie.to_owned()).send();
    assert_eq!(with(&first).await.unwrap().status(), StatusCode::UNAUTHORIZED, "the old id is dead");
    assert_eq!(with(&second).await.unwrap().status(), StatusCode::OK);

    let res = client.post(app.url("/logout")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], "/login");
    assert_eq!(with(&second).await.unwrap().status(), StatusCode::UNAUTHORIZED, "deleted on the server");
    let page = app.client.get(app.url("/leads")).header(header::COOKIE, second.clone()).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn every_internal_endpoint_refuses_anonymous_callers() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    let id = app.submit("anon@example.com").await;
    for (method, path) in INTERNAL_ENDPOINTS {
        let path = path.replace("00000000-0000-7000-8000-000000000000", &id);
        let req = match *method {
            "GET" => app.client.get(app.url(&path)),
            _ => app.client.post(app.url(&path)).form(&[("id", id.as_str())]),
        };
        let res = req.send().await.unwrap();
        let status = res.status();
        // Downloads (a resume, the CSV) answer 401 like the API; pages redirect to the login.
        let download = path.ends_with("/resume") || path.ends_with(".csv");
        let json = intake::server::http::guard::PASSKEY_JSON.contains(&path.as_str());
        if (path.starts_with("/leads") && !download)
            || path.starts_with("/admin")
            || (path.starts_with("/account") && !json)
        {
            assert_eq!(status, StatusCode::SEE_OTHER, "{method} {path}");
            let to = res.headers()[header::LOCATION].to_str().unwrap();
            assert_eq!(to, format!("/login?next={}", path.replace('/', "%2F")), "{method} {path}");
        } else {
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}");
            let body = res.text().await.unwrap();
            assert!(!body.contains("anon@example.com"), "{path} leaked data");
        }
    }
    // No server function can be added outside the guarded prefix by mistake.
    let public = [
        "/api/submit_lead",
        "/api/account/link",
        "/api/account/enrolment",
        "/api/account/second_step",
        "/api/account/ways_in",
    ];
    for (path, _method) in server_fn::axum::server_fn_paths() {
        assert!(path.starts_with("/api/internal/") || public.contains(&path), "unguarded server function {path}");
        if path.starts_with("/api/internal/") {
            assert!(INTERNAL_ENDPOINTS.iter().any(|(_, p)| p == &path), "{path} missing from INTERNAL_ENDPOINTS");
        }
    }
}

#[tokio::test]
async fn cross_site_state_changes_are_refused() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    let id = app.submit("csrf@example.com").await;
    let client = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    for (name, value) in [("origin", "https://evil.example"), ("sec-fetch-site", "cross-site")] {
        let res = client
            .post(app.url("/api/internal/mark_reached_out"))
            .header(name, value)
            .form(&[("id", id.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{name}");
    }
    let res = client.post(app.url("/logout")).header("origin", "https://evil.example").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "no forced logout either");
    let db = app.db().await;
    let state: String = sqlx::query_scalar("SELECT state FROM leads").fetch_one(&db).await.unwrap();
    assert_eq!(state, "PENDING");
    // The same request from our own origin goes through.
    let res = client
        .post(app.url("/api/internal/mark_reached_out"))
        .header("origin", app.base.clone())
        .form(&[("id", id.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_cli_adds_resets_and_disables_accounts_with_passwords_from_stdin() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    let cli = |args: &[&str], stdin: &str| app.cli(args, stdin);
    let (code, out) =
        cli(&["user", "add", "--email", "bea@firm.test", "--name", "Bea Arthur"], "first password 1\n").await;
    assert_eq!(code, 0, "{out}");
    app.logged_in("bea@firm.test", "first password 1").await;
    let (code, out) = cli(&["user", "add", "--email", "cy@firm.test", "--name", "Cy"], "short\n").await;
    assert_eq!(code, 1);
    assert!(out.contains("at least 12 characters"), "{out}");

    let (code, _) = cli(&["user", "reset-password", "--email", "bea@firm.test"], "second password 2\n").await;
    assert_eq!(code, 0);
    let client = app.browser();
    assert_eq!(app.login_with(&client, "bea@firm.test", "first password 1").await.status(), StatusCode::UNAUTHORIZED);
    let bea = app.logged_in("bea@firm.test", "second password 2").await;

    let (code, _) = cli(&["user", "disable", "--email", "bea@firm.test"], "").await;
    assert_eq!(code, 0);
    assert_eq!(app.login_with(&client, "bea@firm.test", "second password 2").await.status(), StatusCode::UNAUTHORIZED);
    // On PostgreSQL the CLI's change reaches the server's account cache by NOTIFY, a moment later.
    let mut status = StatusCode::OK;
    for _ in 0..50 {
        status = bea.post(app.url("/api/internal/me")).send().await.unwrap().status();
        if status == StatusCode::UNAUTHORIZED {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a disabled account's open session ends too, within a second");
    let (code, out) = cli(&["user", "list"], "").await;
    assert_eq!(code, 0);
    assert!(out.contains("bea@firm.test\tBea Arthur\tattorney\tdisabled"), "{out}");
}
