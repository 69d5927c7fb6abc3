//! Submissions through the JSON API, the server function and the no-JS form.

use crate::helpers::*;
use reqwest::{StatusCode, multipart::Form};
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::Row;

#[tokio::test]
async fn a_valid_submission_stores_the_lead_and_file_and_emails_both_parties() {
    let sink = SmtpSink::start().await;
    let app = TestApp::spawn(Options::smtp(sink.port)).await;

    let res = app.post_form("/api/leads", lead_form("Ada@Example.com")).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let body: Value = res.json().await.unwrap();
    let id = body["id"].as_str().unwrap().to_owned();
    assert_eq!(body["state"], "PENDING");
    assert_eq!(body["email"], "Ada@Example.com");

    let db = app.db().await;
    let row = sqlx::query(&format!(
        "SELECT first_name, last_name, email_normalized, state, resume_file_name, resume_content_type, resume_size,
                resume_sha256, resume_key FROM leads WHERE id = '{id}'"
    ))
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(row.get::<String, _>("first_name"), "Ada");
    assert_eq!(row.get::<String, _>("last_name"), "Lovelace");
    assert_eq!(row.get::<String, _>("email_normalized"), "ada@example.com");
    assert_eq!(row.get::<String, _>("state"), "PENDING");
    assert_eq!(row.get::<String, _>("resume_file_name"), "ada cv.pdf");
    assert_eq!(row.get::<String, _>("resume_content_type"), "application/pdf");
    assert_eq!(row.get::<i64, _>("resume_size"), PDF.len() as i64);
    assert_eq!(row.get::<String, _>("resume_sha256"), hex::encode(Sha256::digest(PDF)));
    let key: String = row.get("resume_key");
    // A random hex name: "ada" could appear in one by chance, so check the shape, not a substring.
    assert!(
        key.len() == 32 && key.bytes().all(|b| b.is_ascii_hexdigit()),
        "the client's file name is never used on disk: {key}"
    );
    let stored = std::fs::read(app.data_dir.join("resumes").join(&key)).unwrap();
    assert_eq!(stored, PDF);
    assert_eq!(app.resume_files().len(), 1, "no staged leftovers");

    let msgs = sink.wait_for(2).await;
    let prospect = msgs.iter().find(|m| m.to == ["Ada@Example.com"]).expect("confirmation to the prospect");
    let attorney = msgs.iter().find(|m| m.to == [ATTORNEY]).expect("notification to the attorney");
    assert_eq!(prospect.from, "<intake@firm.test>");
    let p = body_text(&prospect.data);
    assert!(p.contains("Dear Ada Lovelace"), "{p}");
    assert!(p.contains("ada cv.pdf"));
    assert!(p.contains("What happens next"));
    assert!(p.contains("Content-Type: text/html"), "has an HTML part");
    let a = body_text(&attorney.data);
    assert!(a.contains(&format!("http://intake.firm.test/leads/{id}")), "{a}");
    assert!(a.contains("Reply-To:"));

    let statuses: Vec<String> =
        sqlx::query_scalar(&format!("SELECT status FROM outbox WHERE lead_id = '{id}'")).fetch_all(&db).await.unwrap();
    assert_eq!(statuses.len(), 2);
    // Sent status is recorded just after the SMTP server accepts.
    eventually("both messages marked sent", || async {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE status = 'SENT' AND sent_at IS NOT NULL")
            .fetch_one(&db)
            .await
            .unwrap();
        n == 2
    })
    .await;
}

#[tokio::test]
async fn invalid_submissions_are_refused_field_by_field_and_store_nothing() {
    let sink = SmtpSink::start().await;
    let app = TestApp::spawn(Options::smtp(sink.port)).await;
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    let cases: Vec<(&str, Form, &str, &str)> = vec![
        (
            "missing first name",
            Form::new()
                .text("last_name", "L")
                .text("email", "a@example.com")
                .part("resume", file_part("cv.pdf", PDF.to_vec())),
            "first_name",
            "Enter your first name.",
        ),
        (
            "blank last name",
            Form::new()
                .text("first_name", "A")
                .text("last_name", "   ")
                .text("email", "a@example.com")
                .part("resume", file_part("cv.pdf", PDF.to_vec())),
            "last_name",
            "Enter your last name.",
        ),
        (
            "name too long",
            Form::new()
                .text("first_name", "x".repeat(101))
                .text("last_name", "L")
                .text("email", "a@example.com")
                .part("resume", file_part("cv.pdf", PDF.to_vec())),
            "first_name",
            "First name must be at most 100 characters.",
        ),
        (
            "control character",
            Form::new()
                .text("first_name", "A\u{7}")
                .text("last_name", "L")
                .text("email", "a@example.com")
                .part("resume", file_part("cv.pdf", PDF.to_vec())),
            "first_name",
            "First name contains characters that are not allowed.",
        ),
        (
            "bad email",
            Form::new()
                .text("first_name", "A")
                .text("last_name", "L")
                .text("email", "a@b")
                .part("resume", file_part("cv.pdf", PDF.to_vec())),
            "email",
            "Enter an email address like name@example.com.",
        ),
        (
            "missing resume",
            Form::new().text("first_name", "A").text("last_name", "L").text("email", "a@example.com"),
            "resume",
            "Choose your resume file to upload.",
        ),
        (
            "empty resume",
            Form::new()
                .text("first_name", "A")
                .text("last_name", "L")
                .text("email", "a@example.com")
                .part("resume", file_part("cv.pdf", vec![])),
            "resume",
            "The resume file is empty.",
        ),
        (
            "image named .pdf",
            Form::new()
                .text("first_name", "A")
                .text("last_name", "L")
                .text("email", "a@example.com")
                .part("resume", file_part("cv.pdf", png)),
            "resume",
            "This file's format is not accepted. Upload a PDF, Word (DOCX or DOC), OpenDocument (ODT), RTF or plain text file.",
        ),
    ];
    for (what, form, field, message) in cases {
        let res = app.post_form("/api/leads", form).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{what}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["kind"], "invalid", "{what}");
        assert_eq!(body["fields"][field], message, "{what}: {body}");
        app.assert_nothing_stored().await;
    }

    // The honeypot: a bot filled in the hidden field.
    let res = app.post_form("/api/leads", lead_form("bot@example.com").text("website", "http://spam.example")).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    // Not multipart at all.
    let res = app.client.post(app.url("/api/leads")).json(&serde_json::json!({"email": "x"})).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("multipart/form-data"), "{body}");
    app.assert_nothing_stored().await;
    assert!(sink.messages().is_empty());
}

#[tokio::test]
async fn an_oversized_resume_is_cut_off_with_413_naming_the_limit() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    let mut big = PDF.to_vec();
    big.resize(3 * 1024 * 1024, b'x');
    let form = Form::new()
        .text("first_name", "Big")
        .text("last_name", "File")
        .text("email", "big@example.com")
        .part("resume", file_part("big.pdf", big));
    let res = app.post_form("/api/leads", form).await;
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["kind"], "too_large");
    assert_eq!(body["message"], "The resume is too large: the limit is 1 MiB.");
    app.assert_nothing_stored().await;

    // A file of exactly the limit is fine.
    // (a PDF whose trailer is at its end, padded inside by a comment)
    let mut exact = b"%PDF-1.4\n%".to_vec();
    let trailer = b"\ntrailer<</Root 1 0 R>>\n%%EOF\n";
    exact.resize(1024 * 1024 - trailer.len(), b'x');
    exact.extend_from_slice(trailer);
    let form = Form::new()
        .text("first_name", "Ex")
        .text("last_name", "Act")
        .text("email", "exact@example.com")
        .part("resume", file_part("exact.pdf", exact));
    assert_eq!(app.post_form("/api/leads", form).await.status(), StatusCode::CREATED);
}

/// The keys of a JSON object, sorted: the shape of an answer.
fn shape(v: &Value) -> Vec<String> {
    let mut keys: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    keys
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_submission_with_a_known_email_is_answered_as_new_and_stores_no_lead() {
    let sink = SmtpSink::start().await;
    let app = TestApp::spawn(Options::smtp(sink.port)).await;
    let first = app.post_form("/api/leads", lead_form("jane.doe@example.com")).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    sink.wait_for(2).await;
    let again = app.post_form("/api/leads", lead_form("  JANE.Doe@EXAMPLE.com ")).await;
    let fresh = app.post_form("/api/leads", lead_form("someone.new@example.com")).await;
    // The public learns nothing: the same status and the same shape as a new lead's answer.
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(fresh.status(), StatusCode::CREATED);
    let (again, fresh): (Value, Value) = (again.json().await.unwrap(), fresh.json().await.unwrap());
    assert_eq!(shape(&again), shape(&fresh), "{again} vs {fresh}");
    assert_eq!(again["state"], "PENDING");
    assert_ne!(again["id"], first["id"], "no id that would confirm the earlier lead");
    assert_eq!(app.count("leads").await, 2, "no second lead for the known address");
    assert_eq!(app.count("leads WHERE email_normalized = 'jane.doe@example.com'").await, 1);
    // Only the address's owner is told, by email, that nothing more is needed.
    let mails = sink.wait_for(5).await;
    let told: Vec<_> = mails.iter().filter(|m| m.data.contains("Subject: We already have your details")).collect();
    assert_eq!(told.len(), 1, "{mails:?}");
    assert!(told[0].to.iter().any(|t| t.to_lowercase().contains("jane.doe@example.com")));
    assert!(body_text(&told[0].data).contains("nothing more is needed"));
    eventually("the repeat recorded", || async { app.count("lead_resubmissions").await == 1 }).await;
    assert_eq!(app.resume_files().len(), 2, "the repeated upload left no file");

    // The attorneys see the repeat on the existing lead, so nobody calls twice.
    let admin = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let id = first["id"].as_str().unwrap();
    let lead: Value =
        admin.post(app.url("/api/internal/lead")).form(&[("id", id)]).send().await.unwrap().json().await.unwrap();
    let history = lead["history"].as_array().unwrap();
    assert!(history.iter().any(|h| h["resubmitted"] == true), "{lead}");

    // A third try the same day is recorded too, without a second email to the owner.
    assert_eq!(app.post_form("/api/leads", lead_form("jane.doe@example.com")).await.status(), StatusCode::CREATED);
    eventually("the second repeat recorded", || async { app.count("lead_resubmissions").await == 2 }).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let told = sink.messages().iter().filter(|m| m.data.contains("Subject: We already have your details")).count();
    assert_eq!(told, 1, "at most one such email a day");
}

#[tokio::test]
async fn submissions_beyond_the_per_ip_rate_get_429() {
    let app = TestApp::spawn(Options::smtp(free_port().await).var("INTAKE_SUBMIT_RATE", "2/min")).await;
    for i in 0..2 {
        let res = app.post_form("/api/leads", lead_form(&format!("r{i}@example.com"))).await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    let res = app.post_form("/api/leads", lead_form("r3@example.com")).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    // At most the window (SQLite's token bucket frees a token sooner, every 30 s here).
    assert!((1..=60).contains(&retry), "{retry}");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["kind"], "rate_limited");
    assert!(body["message"].as_str().unwrap().contains("Too many submissions"));
    assert_eq!(app.count("leads").await, 2);
}

#[tokio::test]
async fn the_server_function_used_by_the_browser_app_accepts_and_refuses() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    let res = app.post_form("/api/submit_lead", lead_form("sf@example.com")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["email"], "sf@example.com");
    assert_eq!(body["first_name"], "Ada");

    let res = app.post_form("/api/submit_lead", lead_form("SF@example.com")).await;
    assert_eq!(res.status(), StatusCode::OK, "a known address is answered like a new one");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["email"], "SF@example.com");
    assert_eq!(app.count("leads").await, 1);

    let res = app.post_form("/api/submit_lead", lead_form("not-an-email")).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["kind"], "invalid");
}

#[tokio::test]
async fn the_form_works_without_javascript() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    let page = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    for needle in [
        r#"<form method="post" action="/" enctype="multipart/form-data""#,
        r#"<label for="first_name">First name"#,
        r#"<label for="resume">Resume"#,
        "Harper &amp; Lowe",
    ] {
        assert!(html.contains(needle), "{needle} missing from {html}");
    }

    // Errors: re-rendered with messages and the typed values.
    let form = Form::new().text("first_name", "<b>Linus</b>").text("last_name", "").text("email", "linus@");
    let res = app.post_form("/", form).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"role="alert""#));
    assert!(html.contains("Please correct the 3 highlighted fields."));
    assert!(html.contains(r#"id="email-error""#) && html.contains(r#"aria-describedby="email-error""#));
    assert!(html.contains(r#"value="&lt;b&gt;Linus&lt;/b&gt;""#), "typed value kept and escaped");
    assert!(!html.contains("<b>Linus</b>"));

    // Success: a confirmation naming the address.
    let res = app.post_form("/", lead_form("nojs@example.com")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"role="status""#));
    assert!(html.contains("nojs@example.com"));
    assert_eq!(app.count("leads").await, 1);
}

#[tokio::test]
async fn unknown_pages_are_404() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    let res = app.client.get(app.url("/no-such-page")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_submissions_with_one_email_store_exactly_one_lead() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let (client, url) = (app.client.clone(), app.url("/api/leads"));
            let email = if i % 2 == 0 { "race@example.com" } else { "RACE@example.com" };
            let others = format!("other{i}@example.com");
            tokio::spawn(async move {
                let one = client.post(&url).multipart(lead_form(email)).send();
                let two = client.post(&url).multipart(lead_form(&others)).send();
                let (a, b) = tokio::join!(one, two);
                (a.unwrap().status(), b.unwrap().status())
            })
        })
        .collect();
    let mut created = 0;
    for t in tasks {
        let (same, other) = t.await.unwrap();
        assert_eq!(other, StatusCode::CREATED, "an unrelated lead in the same group commit is unaffected");
        // Every one is answered as new: which one was stored is nobody's business.
        assert_eq!(same, StatusCode::CREATED);
        created += 1;
    }
    assert_eq!(created, 8);
    assert_eq!(app.count("leads").await, 9, "one lead for the shared address");
    eventually("the seven repeats recorded", || async { app.count("lead_resubmissions").await == 7 }).await;
    assert_eq!(app.count("outbox WHERE kind <> 'already_received'").await, 18);
    assert_eq!(app.count("outbox WHERE kind = 'already_received'").await, 1, "one email to the owner, not seven");
    assert_eq!(app.resume_files().len(), 9, "repeated uploads left no file");
}
