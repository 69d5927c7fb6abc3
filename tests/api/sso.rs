//! Single sign-on's edges that need no provider (a real one, oidc-provider,
//! drives the whole flow in `end2end/tests/sso.spec.ts`): a firm that signs
//! in only through its provider refuses passwords alike for known and
//! unknown addresses but its break-glass account's; a provider that cannot
//! be reached, and a callback this browser did not start, are refused.

use crate::helpers::*;
use reqwest::{StatusCode, header};

const KEY: &str = "6b0c3d1a9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b";

fn sso(opts: Options) -> Options {
    // Nothing listens on port 9 (discard): the provider is unreachable.
    opts.var("INTAKE_SECRET_KEY", KEY)
        .var("INTAKE_OIDC_ISSUER", "http://127.0.0.1:9")
        .var("INTAKE_OIDC_CLIENT_ID", "intake")
        .var("INTAKE_OIDC_CLIENT_SECRET", "a client secret for the tests")
        .var("INTAKE_OIDC_NAME", "Firm SSO")
}

#[tokio::test]
async fn sso_only_refuses_passwords_except_the_break_glass_account() {
    let app = TestApp::spawn(
        sso(Options::smtp(free_port().await))
            .var("INTAKE_OIDC_ONLY", "true")
            .var("INTAKE_OIDC_BREAK_GLASS", ADMIN_EMAIL),
    )
    .await;
    app.add_attorney("pat@firm.test", "Pat", "a long enough password").await;
    let mut pages = Vec::new();
    for (email, password) in [("pat@firm.test", "a long enough password"), ("nobody@firm.test", "whatever it is")] {
        let res = app.login_with(&app.browser(), email, password).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{email}");
        let page = res.text().await.unwrap();
        assert!(page.contains("Your firm signs in with Firm SSO"), "{page}");
        let alert = page.split("id=\"login-error\"").nth(1).and_then(|a| a.split("</div>").next()).unwrap().to_owned();
        pages.push(alert);
    }
    assert_eq!(pages[0], pages[1], "a known address and an unknown one get the same answer");
    let res = app.login_with(&app.browser(), ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "the break-glass account still signs in");
    let login = app.browser().get(app.url("/login")).send().await.unwrap().text().await.unwrap();
    assert!(login.contains("Sign in with Firm SSO") && login.contains("Emergency sign-in"), "{login}");
}

#[tokio::test]
async fn an_unreachable_provider_and_a_foreign_callback_are_refused() {
    let app = TestApp::spawn(sso(Options::smtp(free_port().await))).await;
    let browser = app.browser();
    let res = browser.get(app.url("/login/sso?next=%2Fadmin")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], "/login?sso=unavailable");
    let page = browser.get(app.url("/login?sso=unavailable")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Firm SSO cannot be reached right now"), "{page}");

    // A callback with a state this browser was never given, or none.
    for query in ["?code=abc&state=18c0000000.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "?code=abc", ""] {
        let res = browser.get(app.url(&format!("/login/sso/callback{query}"))).send().await.unwrap();
        assert_eq!(res.headers()[header::LOCATION], "/login?sso=state", "{query}");
    }
    // An unknown reason in the URL says nothing (only the fixed sentences are shown).
    let page = browser.get(app.url("/login?sso=%3Cscript%3E")).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("login-error") && !page.contains("script&gt;"), "no alert for an unknown reason");
}

#[tokio::test]
async fn without_a_provider_there_is_no_single_sign_on() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    let res = app.browser().get(app.url("/login/sso")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let login = app.browser().get(app.url("/login")).send().await.unwrap().text().await.unwrap();
    assert!(!login.contains("/login/sso"));
}
