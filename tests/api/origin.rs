//! Where leads come from: the referrer and `utm_*` tags of the form's page
//! are recorded with the lead, shown, filterable and exported.

use crate::helpers::*;
use reqwest::{StatusCode, header};
use serde_json::Value;

fn with_origin(email: &str, source: &str) -> reqwest::multipart::Form {
    lead_form(email)
        .text("referrer", "https://www.bing.com/search?q=employment+lawyer")
        .text("utm_source", source.to_owned())
        .text("utm_medium", "cpc")
        .text("utm_campaign", "spring\u{0}-2026")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_form_page_carries_the_arrival_into_hidden_fields() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    let res = app
        .client
        .get(app.url("/?utm_source=news%22letter&utm_medium=email&utm_campaign=spring&other=x"))
        .header(header::REFERER, "https://partner.example/blog?a=1&b=2")
        .send()
        .await
        .unwrap();
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"name="utm_source" value="news&quot;letter""#), "escaped: {html}");
    assert!(html.contains(r#"name="utm_medium" value="email""#));
    assert!(html.contains(r#"name="utm_campaign" value="spring""#));
    assert!(html.contains(r#"name="referrer" value="https://partner.example/blog?a=1&amp;b=2""#), "{html}");
    // The language switch reloads the page with them (its own Referer would be the form).
    let switch = &html[html.find("hreflang=\"es\"").map(|i| html[..i].rfind("<a").unwrap()).expect("the switch")..];
    let switch = &switch[..switch.find('>').unwrap()];
    assert!(
        switch.contains("referrer=https%3A%2F%2Fpartner.example%2Fblog%3Fa%3D1%26b%3D2&amp;utm_source=news%22letter"),
        "{switch}"
    );

    // Without JavaScript, a refused submission keeps them for the next try.
    let form = with_origin("not an email", "google");
    let res = app.client.post(app.url("/")).multipart(form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"name="utm_source" value="google""#), "{html}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn origins_are_stored_cleaned_filtered_and_exported() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    let google = app.post_form("/api/leads", with_origin("g@example.com", "google")).await;
    assert_eq!(google.status(), StatusCode::CREATED);
    let google: Value = google.json().await.unwrap();
    // A hostile or broken origin never costs the prospect their submission.
    let huge =
        lead_form("huge@example.com").text("utm_source", "z".repeat(10_000)).text("referrer", "javascript:alert(1)");
    assert_eq!(app.post_form("/api/leads", huge).await.status(), StatusCode::CREATED);
    app.submit("plain@example.com").await;

    let client = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let choices: Value =
        client.post(app.url("/api/internal/filter_choices")).send().await.unwrap().json().await.unwrap();
    assert_eq!(choices["sources"], serde_json::json!(["google", "z".repeat(100)]), "distinct, sorted, cut to 100");

    let list = |form: Vec<(&'static str, &'static str)>| {
        let (app, client) = (&app, &client);
        async move { app.leads_page(client, &form).await }
    };
    let page = list(vec![("filter[q]", ""), ("filter[source]", "google")]).await;
    assert_eq!(page["total"], 1, "{page}");
    let row = &page["rows"][0];
    assert_eq!(row["id"], google["id"]);
    assert_eq!(row["origin"]["utm_source"], "google");
    assert_eq!(row["origin"]["utm_medium"], "cpc");
    assert_eq!(row["origin"]["utm_campaign"], "spring-2026", "control characters dropped");
    assert_eq!(row["origin"]["referrer"], "https://www.bing.com/search?q=employment+lawyer");
    // With a state and a search too, on both the indexed and the short search.
    for q in ["g@e", "g@"] {
        let form = vec![("filter[q]", q), ("filter[source]", "google"), ("filter[state]", "PENDING")];
        assert_eq!(list(form).await["total"], 1, "{q}");
    }
    let none = list(vec![("filter[q]", "plain"), ("filter[source]", "google")]).await;
    assert_eq!(none["total"], 0);
    let all = list(vec![("filter[q]", "")]).await;
    assert_eq!(all["total"], 3);
    let huge = all["rows"].as_array().unwrap().iter().find(|r| r["email"] == "huge@example.com").unwrap();
    assert_eq!(huge["origin"]["referrer"], Value::Null, "only http(s) referrers");

    // The lead page says where the lead came from; the CSV has it.
    let id = google["id"].as_str().unwrap();
    let html = client.get(app.url(&format!("/leads/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("source: google, medium: cpc, campaign: spring-2026"), "{html}");
    let csv = client.get(app.url("/leads/export.csv?source=google")).send().await.unwrap().text().await.unwrap();
    let lines: Vec<&str> = csv.trim().split("\r\n").collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[0].ends_with(r#""Source","Medium","Campaign","Referrer""#));
    assert!(lines[1].ends_with(r#""google","cpc","spring-2026","https://www.bing.com/search?q=employment+lawyer""#));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_integrator_api_filters_by_source() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    app.post_form("/api/leads", with_origin("g@example.com", "google")).await;
    app.submit("plain@example.com").await;
    let (code, out) = app.cli(&["token", "create", "--name", "crm", "--scope", "read", "--by", ADMIN_EMAIL], "").await;
    assert_eq!(code, 0, "{out}");
    let token = out.lines().find(|l| l.starts_with("intake_")).unwrap().to_owned();
    let api = reqwest::Client::new();
    let get = |q: &str| api.get(app.url(&format!("/api/v1/leads{q}"))).bearer_auth(&token).send();
    let page: Value = get("?source=google").await.unwrap().json().await.unwrap();
    assert_eq!(page["total"], 1);
    assert_eq!(page["leads"][0]["origin"]["utm_source"], "google");
    assert_eq!(get("?source=").await.unwrap().status(), StatusCode::BAD_REQUEST);
}
