//! What an anonymous or careless client on the open internet may send, and
//! what it must not achieve: each test here reproduces an attack that once worked.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::Value;

#[tokio::test]
async fn odd_searches_never_fail_and_are_capped_on_the_server_too() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    app.submit("needle@example.com").await;
    let c = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let long = format!("needle{}", "x".repeat(5000));
    for q in ["nee\u{0}dle", "\u{0}", long.as_str(), "needle\u{202e}", "'; DROP TABLE leads; --", "%_\\", "\u{1b}[2J"] {
        let res = c.post(app.url("/api/internal/leads")).form(&[("filter[q]", q)]).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "search {q:?}");
    }
    let page = app.leads_page(&c, &[("filter[q]", "nee\u{0}dle")]).await;
    assert_eq!(page["total"], 1, "a NUL is dropped, not an error: {page}");
    let res = c.get(app.url("/leads?q=nee%00dle")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("needle@example.com"));
}

#[tokio::test]
async fn login_never_redirects_off_the_site_and_never_fails_on_an_odd_next() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    for (next, expected) in [
        ("/\t/evil.example", "/leads"),
        ("/\\evil.example", "/leads"),
        ("//evil.example", "/leads"),
        ("https://evil.example/leads", "/leads"),
        ("/leads\r\nSet-Cookie: owned=1", "/leads"),
        ("/leads?q=Zoë", "/leads?q=Zo%C3%AB"),
        ("/leads?state=pending", "/leads?state=pending"),
    ] {
        let res = app
            .browser()
            .post(app.url("/login"))
            .form(&[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD), ("next", next)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "next {next:?}");
        assert_eq!(res.headers()[reqwest::header::LOCATION], expected, "next {next:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forty_simultaneous_wrong_passwords_get_five_checks_then_the_account_is_locked() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    let statuses = TestApp::wrong_passwords_at_once(&[&app], 40).await;
    let evaluated = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    assert_eq!(evaluated, 5, "only the lockout budget is evaluated: {statuses:?}");
    assert!(statuses.iter().all(|s| *s == StatusCode::UNAUTHORIZED || *s == StatusCode::TOO_MANY_REQUESTS));
    let res = app.login_with(&app.browser(), ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "locked, even for the right password");
    assert!(res.headers().contains_key(reqwest::header::RETRY_AFTER));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ending_a_session_ends_the_account_everywhere_and_closes_its_streams() {
    use futures::StreamExt;
    use intake_store::Db;
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    let (eve, pw) = ("eve@firm.test", "eve password 123");
    app.add_attorney(eve, "Eve Ng", pw).await;
    let me = |c: &reqwest::Client| c.post(app.url("/api/internal/me")).send();

    // Logging out on the phone ends the laptop's session and its open stream.
    let phone = app.logged_in(eve, pw).await;
    let laptop = app.logged_in(eve, pw).await;
    let res = laptop.get(app.url("/api/internal/events")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let mut stream = res.bytes_stream();
    assert!(stream.next().await.is_some(), "the stream opens");
    assert_eq!(phone.post(app.url("/logout")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    let ended = tokio::time::timeout(std::time::Duration::from_secs(3), async {
        while let Some(Ok(_)) = stream.next().await {}
    })
    .await;
    assert!(ended.is_ok(), "the laptop's event stream closes within a second or two");
    assert_eq!(me(&laptop).await.unwrap().status(), StatusCode::UNAUTHORIZED);

    // A password reset (as the CLI does it) and disabling the account end sessions too.
    let db = Db::connect(&app.database_url).await.unwrap();
    let before_reset = app.logged_in(eve, pw).await;
    assert_eq!(me(&before_reset).await.unwrap().status(), StatusCode::OK);
    // Another process's change reaches the server's account cache (PostgreSQL) by NOTIFY, a moment later.
    let ended_within_a_second = |c: reqwest::Client| async move {
        for _ in 0..50 {
            if me(&c).await.unwrap().status() == StatusCode::UNAUTHORIZED {
                return true;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        false
    };
    db.accounts().set_password_hash(eve, "$argon2id$unused").await.unwrap();
    assert!(ended_within_a_second(before_reset).await, "reset ends it");
    let admin = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    db.accounts().set_disabled(ADMIN_EMAIL, true).await.unwrap();
    assert!(ended_within_a_second(admin).await, "disabling ends it");
    db.close().await;
}

#[tokio::test]
async fn open_event_streams_are_capped_per_session() {
    let app = TestApp::spawn(Options::smtp(free_port().await).var("INTAKE_MAX_STREAMS_PER_SESSION", "2")).await;
    let c = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let open = || c.get(app.url("/api/internal/events")).send();
    let (a, b) = (open().await.unwrap(), open().await.unwrap());
    assert_eq!((a.status(), b.status()), (StatusCode::OK, StatusCode::OK));
    let third = open().await.unwrap();
    assert_eq!(third.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(third.headers().contains_key(reqwest::header::RETRY_AFTER));
    drop(a);
    eventually("a closed stream frees its slot", || async { open().await.unwrap().status() == StatusCode::OK }).await;
}

/// Resident memory of this process (the server runs in it), in MiB.
fn rss_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kb: u64 =
        status.lines().find(|l| l.starts_with("VmRSS:")).unwrap().split_whitespace().nth(1).unwrap().parse().unwrap();
    kb / 1024
}

/// Sends `prefix` then up to `mib` MiB of `fill` as one multipart body;
/// returns the status (if the server answered) and how many bytes it took.
async fn stream_body(
    app: &TestApp,
    path: &str,
    prefix: &'static [u8],
    fill: u8,
    mib: u64,
) -> (Option<StatusCode>, u64) {
    use std::sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    };
    let sent = Arc::new(AtomicU64::new(0));
    let chunk = bytes::Bytes::from(vec![fill; 1 << 20]);
    let counter = sent.clone();
    let body = futures::stream::iter(
        std::iter::once(bytes::Bytes::from_static(prefix)).chain((0..mib).map(move |_| chunk.clone())),
    )
    .map(move |b| {
        counter.fetch_add(b.len() as u64, Ordering::Relaxed);
        Ok::<_, std::io::Error>(b)
    });
    use futures::StreamExt as _;
    let res = app
        .client
        .post(app.url(path))
        .header("content-type", "multipart/form-data; boundary=XYZ")
        .body(reqwest::Body::wrap_stream(body))
        .send()
        .await;
    (res.ok().map(|r| r.status()), sent.load(Ordering::Relaxed))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endless_or_malformed_bodies_are_cut_off_without_filling_memory() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    let before = rss_mib();
    let cases: [(&str, &'static [u8], u8); 4] = [
        // No boundary ever: once buffered whole.
        ("no boundary", b"", 0),
        // A part whose headers never end.
        ("endless part headers", b"--XYZ\r\nContent-Disposition: form-data; name=\"first_name\"\r\nX-Pad: ", b'a'),
        // A text field read for as long as the client sends.
        ("endless text field", b"--XYZ\r\nContent-Disposition: form-data; name=\"first_name\"\r\n\r\n", b'a'),
        // A resume far past the limit (1 MiB here).
        (
            "endless resume",
            b"--XYZ\r\nContent-Disposition: form-data; name=\"resume\"; filename=\"cv.pdf\"\r\n\r\n%PDF-1.4\n",
            b'a',
        ),
    ];
    for path in ["/api/leads", "/api/submit_lead", "/"] {
        for (what, prefix, fill) in cases {
            let (status, sent) = stream_body(&app, path, prefix, fill, 400).await;
            assert!(sent < 64 << 20, "{path}, {what}: the server stopped reading after {} MiB", sent >> 20);
            if let Some(s) = status {
                assert!(s.is_client_error(), "{path}, {what}: {s}");
            }
        }
    }
    let grown = rss_mib().saturating_sub(before);
    assert!(grown < 150, "the server grew by {grown} MiB");
    app.assert_nothing_stored().await;
}

#[tokio::test]
async fn half_sent_requests_are_dropped_after_the_timeouts() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let opts =
        Options::smtp(free_port().await).var("INTAKE_HEADER_TIMEOUT", "1s").var("INTAKE_BODY_IDLE_TIMEOUT", "1s");
    let app = TestApp::spawn(opts).await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    let closes_within = |mut s: tokio::net::TcpStream| async move {
        let mut buf = vec![0u8; 4096];
        tokio::time::timeout(std::time::Duration::from_secs(5), async move {
            loop {
                match s.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
            }
        })
        .await
        .is_ok()
    };
    // Half a request line, then silence.
    let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
    s.write_all(b"GET /healthz HT").await.unwrap();
    assert!(closes_within(s).await, "a connection without complete headers is closed");
    // Headers, then a body that stops half way.
    let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /api/leads HTTP/1.1\r\nHost: {addr}\r\nContent-Type: multipart/form-data; boundary=XYZ\r\nContent-Length: 100000\r\n\r\n--XYZ\r\n"
    );
    s.write_all(head.as_bytes()).await.unwrap();
    assert!(closes_within(s).await, "a stalled upload is answered and closed");
    app.assert_nothing_stored().await;
}

#[tokio::test]
async fn oversized_headers_are_refused_before_they_are_buffered() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    // 100 KiB of cookie: past the 64 KiB read buffer (hyper's default would take 400 KiB).
    let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nCookie: a={}\r\n\r\n", "x".repeat(100 * 1024));
    let _ = s.write_all(head.as_bytes()).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), s.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 431"), "got {:?}", answer.lines().next());
    // A request of ordinary size is still served.
    let ok = app.client.get(format!("{}/healthz", app.base)).header("cookie", "a=b").send().await.unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_past_the_cap_are_shed_with_retry_after() {
    use tokio::io::AsyncWriteExt;
    let opts = Options::smtp(free_port().await).var("INTAKE_MAX_UPLOADS", "1").var("INTAKE_UPLOAD_WAIT", "200ms");
    let app = TestApp::spawn(opts).await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    // One upload in progress, holding the only slot.
    let mut slow = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /api/leads HTTP/1.1\r\nHost: {addr}\r\nContent-Type: multipart/form-data; boundary=XYZ\r\nContent-Length: 100000\r\n\r\n--XYZ\r\n"
    );
    slow.write_all(head.as_bytes()).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let res = app.post_form("/api/leads", lead_form("shed@example.com")).await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(res.headers().contains_key(reqwest::header::RETRY_AFTER));
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["kind"], "unavailable");
    drop(slow);
    eventually("the slot is free again", || async {
        app.post_form("/api/leads", lead_form("after@example.com")).await.status() == StatusCode::CREATED
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_past_the_cap_waits_for_a_slot_instead_of_failing() {
    let opts = Options::smtp(free_port().await).var("INTAKE_MAX_UPLOADS", "2").var("INTAKE_UPLOAD_WAIT", "10s");
    let app = TestApp::spawn(opts).await;
    let burst = (0..12).map(|i| app.post_form("/api/leads", lead_form(&format!("burst{i}@example.com"))));
    let statuses: Vec<StatusCode> = futures::future::join_all(burst).await.iter().map(|r| r.status()).collect();
    assert!(statuses.iter().all(|s| *s == StatusCode::CREATED), "{statuses:?}");
}

#[tokio::test]
async fn pages_carry_a_nonce_policy_and_everything_else_a_locked_one() {
    use reqwest::header::{CONTENT_SECURITY_POLICY, STRICT_TRANSPORT_SECURITY, X_FRAME_OPTIONS};
    let opts = Options::smtp(free_port().await).var("INTAKE_FRAME_ANCESTORS", "https://www.firm.example");
    let app = TestApp::spawn(opts).await;
    let res = app.client.get(app.url("/")).send().await.unwrap();
    let csp = res.headers()[CONTENT_SECURITY_POLICY].to_str().unwrap().to_owned();
    assert!(!res.headers().contains_key(X_FRAME_OPTIONS), "the form may be embedded where configured");
    assert!(res.headers().contains_key("permissions-policy") && res.headers().contains_key("referrer-policy"));
    assert!(!res.headers().contains_key(STRICT_TRANSPORT_SECURITY), "no HSTS over http");
    let html = res.text().await.unwrap();
    let nonce = csp.split("'nonce-").nth(1).and_then(|r| r.split('\'').next()).expect("a nonce");
    assert!(html.contains(&format!("nonce=\"{nonce}\"")), "Leptos's scripts carry the header's nonce");
    assert!(csp.contains("frame-ancestors https://www.firm.example"), "{csp}");
    assert!(!csp.contains("unsafe-inline"));

    let client = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let res = client.get(app.url("/leads")).send().await.unwrap();
    assert!(res.headers()[CONTENT_SECURITY_POLICY].to_str().unwrap().ends_with("frame-ancestors 'none'"));
    assert_eq!(res.headers()[X_FRAME_OPTIONS], "DENY");
    let id = app.submit("csp@example.com").await;
    let res = client.get(app.url(&format!("/leads/{id}/resume?inline=1"))).send().await.unwrap();
    assert!(
        res.headers()[CONTENT_SECURITY_POLICY].to_str().unwrap().starts_with("sandbox"),
        "inline PDFs are sandboxed"
    );
    let res = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert!(res.headers()[CONTENT_SECURITY_POLICY].to_str().unwrap().starts_with("default-src 'none'"));
}

#[tokio::test]
async fn files_are_what_they_claim_and_their_names_are_cleaned() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    let upload = |email: &str, name: &str, bytes: Vec<u8>| {
        reqwest::multipart::Form::new()
            .text("first_name", "Ada")
            .text("last_name", "Lovelace")
            .text("email", email.to_owned())
            .part("resume", reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()))
    };
    let mut text_then_exe = "a".repeat(64 * 1024).into_bytes();
    text_then_exe.extend_from_slice(b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0");
    let ole_installer = [&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1][..], &[0u8; 1024]].concat();
    let zip_mentioning_word = b"PK\x03\x04\x14\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x0a\0\0\0word/x.exe".to_vec();
    for (i, (name, bytes)) in [
        ("cv.txt", text_then_exe),
        ("cv.pdf", b"junk before %PDF-1.4 and no trailer".to_vec().into_iter().chain(vec![0u8; 3]).collect()),
        ("cv.doc", ole_installer),
        ("cv.docx", zip_mentioning_word),
        ("cv.pdf", b"<!DOCTYPE html><script>alert(document.cookie)</script>".to_vec()),
    ]
    .into_iter()
    .enumerate()
    {
        let res = app.post_form("/api/leads", upload(&format!("f{i}@example.com"), name, bytes)).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{name} #{i}");
        let body: Value = res.json().await.unwrap();
        assert!(body["fields"]["resume"].as_str().unwrap().contains("format is not accepted"), "{body}");
    }
    app.assert_nothing_stored().await;

    // A real PDF under a right-to-left-override name keeps a clean name with its true extension.
    let res = app.post_form("/api/leads", upload("rtl@example.com", "cv\u{202e}fdp.exe", PDF.to_vec())).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let db = app.db().await;
    let name: String = sqlx::query_scalar("SELECT resume_file_name FROM leads").fetch_one(&db).await.unwrap();
    assert_eq!(name, "cvfdp.pdf");
}
