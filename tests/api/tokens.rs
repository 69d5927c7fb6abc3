//! The integrator API (`/api/v1/`) and its tokens, made with the CLI.

use crate::helpers::*;
use reqwest::{StatusCode, header};
use serde_json::Value;

/// Creates a token with the CLI; returns its id and secret.
async fn create_token(app: &TestApp, name: &str, scope: &str, by: &str) -> (String, String) {
    let (code, out) = app.cli(&["token", "create", "--name", name, "--scope", scope, "--by", by], "").await;
    assert_eq!(code, 0, "{out}");
    let secret = out.lines().find(|l| l.starts_with("intake_")).expect("the secret is printed").to_owned();
    let id = out.split_whitespace().nth(2).unwrap().to_owned();
    (id, secret)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_lists_reads_downloads_and_marks_leads_and_history_names_it() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    let first = app.submit("first@example.com").await;
    let id = app.submit("second@example.com").await;
    let (_, secret) = create_token(&app, "zapier", "write", ADMIN_EMAIL).await;
    let api = reqwest::Client::new();
    let get = |path: String| api.get(app.url(&path)).bearer_auth(&secret).send();

    let res = get("/api/v1/leads".into()).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CACHE_CONTROL], "no-store", "personal data is never cached");
    let list: Value = res.json().await.unwrap();
    assert_eq!(list["total"], 2);
    assert_eq!(list["leads"][0]["id"], id.as_str(), "newest first");
    assert_eq!(list["leads"][1]["email"], "first@example.com");
    assert_eq!(list["next_after"], Value::Null);
    let searched: Value = get("/api/v1/leads?q=first&state=pending".into()).await.unwrap().json().await.unwrap();
    assert_eq!(searched["total"], 1);
    assert_eq!(searched["leads"][0]["id"], first.as_str());

    let checked = || async { get(format!("/api/v1/leads/{id}")).await.unwrap().json::<Value>().await.unwrap() };
    eventually("the conflict check", || async { checked().await["lead"]["conflict"] == "possible" }).await;
    let lead = checked().await;
    assert_eq!(lead["lead"]["state"], "PENDING");
    // Its creation, and the conflict check's note that it shares its name with the first lead.
    let history = lead["history"].as_array().unwrap();
    assert_eq!(history.len(), 2, "{lead}");
    assert_eq!((history[0]["created"].as_bool(), history[1]["conflict"].as_str()), (Some(true), Some("possible")));
    assert!(lead["emails"].as_array().unwrap().len() >= 2, "{lead}");
    let url = lead["resume"]["url"].as_str().unwrap().to_owned();
    let file = get(url).await.unwrap();
    assert_eq!(file.status(), StatusCode::OK);
    assert!(file.headers()[header::CONTENT_DISPOSITION].to_str().unwrap().starts_with("attachment"));
    assert_eq!(file.bytes().await.unwrap().as_ref(), PDF);

    // A write needs no CSRF header, even with an Origin from elsewhere: no cookie is involved.
    let mark = || {
        api.post(app.url(&format!("/api/v1/leads/{id}/reached-out")))
            .bearer_auth(&secret)
            .header(header::ORIGIN, "https://zapier.example")
            .send()
    };
    let res = mark().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let row: Value = res.json().await.unwrap();
    assert_eq!(row["state"], "REACHED_OUT");
    assert_eq!(row["reached_out_by"], "Administrator");
    let res = mark().await.unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT, "as in the dashboard");
    let err: Value = res.json().await.unwrap();
    assert!(err["message"].as_str().unwrap().starts_with("Already marked reached out by Administrator at "), "{err}");

    let lead: Value = get(format!("/api/v1/leads/{id}")).await.unwrap().json().await.unwrap();
    assert_eq!(lead["history"][2]["by"], "Administrator (API token zapier)", "the write is recorded as the token's");
    // The attorneys' lead page says it too.
    let attorney = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let html = attorney.get(app.url(&format!("/leads/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Marked reached out by Administrator (API token zapier)"), "{html}");

    let (code, out) = app.cli(&["token", "list"], "").await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("zapier\twrite\tadmin@firm.test"), "{out}");
    assert!(!out.contains(&secret), "secrets are never shown again");
    let db = app.db().await;
    let stored: Vec<String> = sqlx::query_scalar("SELECT secret_hash FROM api_tokens").fetch_all(&db).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].contains(&secret[7..]), "only a hash is stored");
    db.close().await;
}

#[tokio::test]
async fn tokens_are_required_scoped_revocable_and_die_with_their_account() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    let id = app.submit("scoped@example.com").await;
    app.add_attorney("rita@firm.test", "Rita Reed", "rita password 1").await;
    let (read_id, read) = create_token(&app, "sheet", "read", "rita@firm.test").await;
    let (_, write) = create_token(&app, "crm", "write", "rita@firm.test").await;
    let api = reqwest::Client::new();
    let list = |auth: Option<&str>| {
        let req = api.get(app.url("/api/v1/leads"));
        match auth {
            Some(a) => req.header(header::AUTHORIZATION, a),
            None => req,
        }
        .send()
    };

    // No token, a made-up one, a malformed header, a session cookie: all 401, with a clear body.
    for auth in [None, Some("Bearer intake_madeup"), Some("Basic YWRtaW46cGFzcw=="), Some("Bearer")] {
        let res = list(auth).await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{auth:?}");
        assert!(res.headers()[header::WWW_AUTHENTICATE].to_str().unwrap().starts_with("Bearer"));
        let body: Value = res.json().await.unwrap();
        assert!(body["message"].as_str().unwrap().contains("Authorization: Bearer"), "{body}");
    }
    let browser = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let res = browser.get(app.url("/api/v1/leads")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "cookies never authenticate the token API");

    // Bad parameters name themselves.
    let res = api.get(app.url("/api/v1/leads?state=done")).bearer_auth(&read).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("state must be"));
    for bad in ["after=yesterday", "after=", "state=", "state=pending&state=all"] {
        let res = api.get(app.url(&format!("/api/v1/leads?{bad}"))).bearer_auth(&read).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
    let res = api.get(app.url("/api/v1/leads/not-a-lead")).bearer_auth(&read).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // A read token reads but cannot write.
    assert_eq!(list(Some(&format!("Bearer {read}"))).await.unwrap().status(), StatusCode::OK);
    let mark = |secret: &str| api.post(app.url(&format!("/api/v1/leads/{id}/reached-out"))).bearer_auth(secret).send();
    let res = mark(&read).await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.unwrap().contains("write token"));
    assert_eq!(app.count("lead_events").await, 1, "nothing changed");

    // Revoked: refused at once.
    let (code, out) = app.cli(&["token", "revoke", "--id", &read_id], "").await;
    assert_eq!(code, 0, "{out}");
    assert_eq!(list(Some(&format!("Bearer {read}"))).await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let (code, out) = app.cli(&["token", "revoke", "--id", &read_id], "").await;
    assert_eq!(code, 1, "revoking twice is an error: {out}");
    assert!(app.cli(&["token", "list"], "").await.1.contains("sheet\tread\trita@firm.test"));

    // A token acts as its attorney: disabling the account stops it.
    assert_eq!(list(Some(&format!("Bearer {write}"))).await.unwrap().status(), StatusCode::OK);
    assert_eq!(app.cli(&["user", "disable", "--email", "rita@firm.test"], "").await.0, 0);
    eventually("the disabled attorney's token is refused", || async {
        list(Some(&format!("Bearer {write}"))).await.unwrap().status() == StatusCode::UNAUTHORIZED
    })
    .await;

    // The CLI refuses what makes no sense.
    let (code, out) = app.cli(&["token", "create", "--name", "x", "--scope", "admin", "--by", ADMIN_EMAIL], "").await;
    assert_eq!(code, 1);
    assert!(out.contains("--scope must be read or write"), "{out}");
    let (code, out) =
        app.cli(&["token", "create", "--name", "x", "--scope", "read", "--by", "nobody@firm.test"], "").await;
    assert_eq!(code, 1);
    assert!(out.contains("no account with email nobody@firm.test"), "{out}");
}

#[tokio::test]
async fn each_token_is_rate_limited_with_retry_after() {
    let app = TestApp::spawn(Options::smtp(free_port().await).var("INTAKE_API_RATE", "3/min")).await;
    let (_, a) = create_token(&app, "busy", "read", ADMIN_EMAIL).await;
    let (_, b) = create_token(&app, "quiet", "read", ADMIN_EMAIL).await;
    let api = reqwest::Client::new();
    let call = |secret: &str| api.get(app.url("/api/v1/leads")).bearer_auth(secret).send();
    for _ in 0..3 {
        assert_eq!(call(&a).await.unwrap().status(), StatusCode::OK);
    }
    let res = call(&a).await.unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = res.headers()[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((1..=20).contains(&wait), "{wait}");
    assert_eq!(call(&b).await.unwrap().status(), StatusCode::OK, "tokens are limited separately");
}

/// Every route is in the OpenAPI document or deliberately left out, and the
/// document lists nothing that is not served; the docs page is served from
/// the binary.
#[tokio::test]
async fn the_openapi_document_covers_every_route() {
    use intake::server::http::{Listing, route_listing};
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    let res = app.client.get(app.url("/api/openapi.json")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let doc: Value = res.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let documented: std::collections::BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, ops)| ops.as_object().unwrap().keys().map(move |m| (path.clone(), m.to_uppercase())))
        .collect();
    let served = route_listing();
    for (path, method, listing) in &served {
        let key = (path.to_string(), method.to_string());
        match listing {
            Listing::Documented => assert!(documented.contains(&key), "{method} {path} is not documented"),
            Listing::Internal(why) => {
                assert!(!why.is_empty());
                assert!(!documented.contains(&key), "{method} {path} is internal yet documented")
            }
        }
    }
    for (path, method) in &documented {
        assert!(
            served.iter().any(|(p, m, l)| p == path && m.as_str() == method && *l == Listing::Documented),
            "{method} {path} is documented but not served"
        );
    }
    // Server functions are the browser app's own calls, behind its session (or the form's).
    for (path, _) in intake::server::http::INTERNAL_ENDPOINTS {
        assert!(!documented.iter().any(|(p, _)| p == path));
    }
    assert!(doc["components"]["securitySchemes"]["token"]["scheme"] == "bearer", "{}", doc["components"]);
    let failure = &doc["paths"]["/api/leads"]["post"]["responses"];
    for status in ["201", "400", "413", "429", "500", "503"] {
        assert!(failure.get(status).is_some(), "POST /api/leads documents {status}");
    }
    // A known address is answered as a new one: there is no "duplicate" answer to document.
    assert!(failure.get("409").is_none(), "{failure}");

    let docs = app.client.get(app.url("/api/docs/")).send().await.unwrap();
    assert_eq!(docs.status(), StatusCode::OK);
    let csp = docs.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_owned();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-eval"), "{csp}");
    assert!(docs.text().await.unwrap().contains("swagger-ui-bundle.js"));
    let bundle = app.client.get(app.url("/api/docs/swagger-ui-bundle.js")).send().await.unwrap();
    assert_eq!(bundle.status(), StatusCode::OK, "no CDN: the UI's files come from the binary");
    let init = app.client.get(app.url("/api/docs/swagger-initializer.js")).send().await.unwrap().text().await.unwrap();
    assert!(init.contains("/api/openapi.json"), "{init}");
}
