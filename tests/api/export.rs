//! CSV export of the dashboard's view: every page, the filter and search
//! applied, values that cannot run as spreadsheet formulas.

use crate::helpers::*;
use reqwest::{StatusCode, header};

/// Stores `n` leads named "Bulk<i> Row" straight in the database (faster
/// than the form for a thousand), time-ordered ids like the app's.
pub(crate) async fn bulk_leads(app: &TestApp, n: usize) {
    let db = app.db().await;
    let mut values = Vec::with_capacity(n);
    for i in 0..n {
        let id = uuid::Uuid::now_v7();
        values.push(format!(
            "('{id}', 'Bulk{i}', 'Row', 'bulk{i}@example.com', 'bulk{i}@example.com', 'PENDING', {t}, {t},
              'cv.pdf', 'application/pdf', 10, '00', 'bulk-{id}')",
            t = 1_700_000_000_000i64 + i as i64
        ));
    }
    sqlx::query(&format!(
        "INSERT INTO leads (id, first_name, last_name, email, email_normalized, state, created_at, updated_at,
             resume_file_name, resume_content_type, resume_size, resume_sha256, resume_key) VALUES {}",
        values.join(",")
    ))
    .execute(&db)
    .await
    .unwrap();
    db.close().await;
}

/// The CSV's records (a naive split: the test data has no commas or newlines in cells).
fn records(csv: &str) -> Vec<Vec<String>> {
    csv.trim_start_matches('\u{feff}')
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(|l| l.split("\",\"").map(|c| c.trim_matches('"').replace("\"\"", "\"")).collect())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_export_is_every_page_of_the_current_view() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    bulk_leads(&app, 1_234).await;
    let special = app.submit("odd@example.com").await;
    let client = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    client.post(app.url("/api/internal/mark_reached_out")).form(&[("id", special.as_str())]).send().await.unwrap();

    let res = client.get(app.url("/leads/export.csv")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    assert!(res.headers()[header::CONTENT_DISPOSITION].to_str().unwrap().starts_with("attachment; filename=\"leads-"));
    assert_eq!(res.headers()[header::CACHE_CONTROL], "no-store");
    let body = res.text().await.unwrap();
    assert!(body.starts_with('\u{feff}'), "a byte-order mark, so spreadsheets read UTF-8");
    let rows = records(&body);
    assert_eq!(rows[0][0], "Lead ID");
    assert_eq!(rows.len(), 1 + 1_235, "the header and every lead, past the first batch");
    assert_eq!(rows[1][0], special, "newest first");
    assert_eq!(rows[1][4], "REACHED_OUT");
    assert_eq!(rows[1][7], "Administrator");
    let mut ids: Vec<&String> = rows[1..].iter().map(|r| &r[0]).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 1_235, "no lead twice across batches");

    // The view's filter and search, not its page.
    let pending =
        records(&client.get(app.url("/leads/export.csv?state=pending")).send().await.unwrap().text().await.unwrap());
    assert_eq!(pending.len(), 1 + 1_234);
    assert!(pending[1..].iter().all(|r| r[4] == "PENDING"));
    let searched = client.get(app.url("/leads/export.csv?q=bulk12&after=00000000-0000-7000-8000-000000000000"));
    let searched = records(&searched.send().await.unwrap().text().await.unwrap());
    // bulk12, bulk120–bulk129, bulk1200–bulk1233: 1 + 10 + 34.
    assert_eq!(searched.len(), 1 + 45, "{searched:?}");
    assert!(searched[1..].iter().all(|r| r[3].starts_with("bulk12")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exported_cells_never_start_a_formula() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    // A resume name is the prospect's text, kept as sent (less path and control characters).
    let form = reqwest::multipart::Form::new()
        .text("first_name", "Ada")
        .text("last_name", "Lovelace")
        .text("email", "formula@example.com")
        .part("resume", file_part("=SUM(1+1)*\"cmd\" cv.pdf", PDF.to_vec()));
    let res = app.post_form("/api/leads", form).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let client = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let body = client.get(app.url("/leads/export.csv")).send().await.unwrap().text().await.unwrap();
    assert!(body.contains(",\"'=SUM(1+1)*\"\"cmd\"\" cv.pdf\","), "{body}");
}

#[tokio::test]
async fn the_export_needs_a_session() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    app.submit("secret@example.com").await;
    let res = app.client.get(app.url("/leads/export.csv")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "a download answers 401 as the README says, not a redirect");
    assert!(!res.text().await.unwrap().contains("secret@example.com"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_with_more_matches_than_counted_pages_through_every_one_newest_first() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    bulk_leads(&app, 1_234).await;
    let client = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let page = |form: Vec<(&'static str, String)>| {
        let (app, client) = (&app, &client);
        async move {
            let v = app.leads_page(client, &form).await;
            let names: Vec<String> =
                v["rows"].as_array().unwrap().iter().map(|r| r["first_name"].as_str().unwrap().to_owned()).collect();
            (names, v["total"].as_i64().unwrap(), v["older"].as_str().map(str::to_owned))
        }
    };
    let q = || ("filter[q]", "bulk".to_owned());
    let (first, total, mut older) = page(vec![q()]).await;
    assert_eq!(total, 1_001, "counted up to the cap (shown as 1000+)");
    assert_eq!(first.len(), 50);
    assert_eq!(first[0], "Bulk1233", "newest first");
    let mut seen = first;
    while let Some(cursor) = older.take() {
        let (rows, total, next) = page(vec![q(), ("filter[after]", cursor)]).await;
        assert_eq!(total, 1_001);
        seen.extend(rows);
        older = next;
    }
    let expected: Vec<String> = (0..1_234).rev().map(|i| format!("Bulk{i}")).collect();
    assert_eq!(seen, expected, "every match once, in order, across 25 pages");

    // With another filter each match is checked, and the count still stops at the cap.
    let (pending, total, _) = page(vec![q(), ("filter[state]", "PENDING".into())]).await;
    assert_eq!((pending.len(), total), (50, 1_001));
    assert_eq!(pending[0], "Bulk1233");
    let (none, total, _) = page(vec![q(), ("filter[state]", "REACHED_OUT".into())]).await;
    assert_eq!((none.len(), total), (0, 0));
}
