//! Load generator for a running Intake: drives it over HTTP like real clients.
//! See `scripts/bench.sh`, which starts the server(s) and runs every scenario.
//!
//!   cargo build --release -p intake-bench   (then target/release/loadgen)
//!
//!   loadgen submit --url U --concurrency N --seconds S [--server-pid P]...
//!   loadgen seed   --url U --count N --concurrency C
//!   loadgen list   --url U --concurrency N --seconds S --email E --password P
//!                  [--search | --search-varied | --search-surname]
//!                  (--search: synthetic "benchN mark" names; --search-varied: real-looking names, see `seed`;
//!                  --search-surname: a real-looking surname alone)
//!   loadgen live   --url U [--url U2] --dashboards N --submissions M --email E --password P
//!   loadgen logins --url U --concurrency N --count M --email E [--email E2]... --password P
//!   loadgen logins-2fa --url U --concurrency N --email E [--email E2]... --password P
//!                  (each account gets an authenticator app through `/account` first, then signs in once
//!                  with its password and a code: a code works once, so one login per account)
//!   loadgen page   --url U --concurrency N --seconds S --email E --password P [--path /leads]
//!   loadgen wrk    --url U --concurrency N --seconds S --script LUA --pdf PATH [--scenario submit|submit-fresh|submit-answers|limit-durable]
//!                  (wrk with the script, `PDF=PATH` in its environment)
//!   loadgen pdf    PATH   (writes the 50 KB PDF every submission sends, for wrk's script)
//!   loadgen report --record FILE --readme README.md --commit SHA --date YYYY-MM-DD [--command "..."]
//!                  (the README's figures, between its bench:begin and bench:end markers)
//!
//! Every scenario also takes `--server-pid P` (repeatable: CPU per request and memory),
//! `--db-procs NAME` (the database processes' CPU) and, to append its figures to FILE as
//! one JSON line for `report`, `--record FILE` (or BENCH_RECORD), `--backend NAME`, `--size LEADS`.

use futures::StreamExt;
use intake_bench::{
    Record, Rss, RssWatch, children_cpu_seconds, cpu_of_named, cpu_seconds, mib, names, report, round, wrk::WrkRun,
};
use reqwest::multipart::{Form, Part};
use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

/// Percent-encodes a form value.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.windows(2).find(|w| w[0] == name).map(|w| w[1].clone())
}

fn args_all(args: &[String], name: &str) -> Vec<String> {
    args.windows(2).filter(|w| w[0] == name).map(|w| w[1].clone()).collect()
}

fn num(args: &[String], name: &str, default: u64) -> u64 {
    arg(args, name).and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A 50 KB PDF-looking file (valid header, padded).
fn resume() -> Vec<u8> {
    let mut v = b"%PDF-1.4\n%bench\n".to_vec();
    v.resize(50 * 1024, b' ');
    v.extend_from_slice(b"\n%%EOF\n");
    v
}

static SEQ: AtomicU64 = AtomicU64::new(0);

fn unique_email(tag: &str) -> String {
    let t = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos();
    format!("{tag}{t}.{}@bench.example", SEQ.fetch_add(1, Ordering::Relaxed))
}

fn form(email: &str, pdf: &[u8]) -> Form {
    // A thousand distinct first names, so searches match ~0.1–1% of leads.
    let first = format!("Bench{}", SEQ.load(Ordering::Relaxed) % 1000);
    Form::new()
        .text("first_name", first)
        .text("last_name", "Mark")
        .text("email", email.to_owned())
        .part("resume", Part::bytes(pdf.to_vec()).file_name("cv.pdf").mime_str("application/pdf").unwrap())
}

struct Stats {
    latencies: Mutex<Vec<Duration>>,
    statuses: Mutex<HashMap<String, u64>>,
}

impl Stats {
    fn new() -> Arc<Self> {
        Arc::new(Self { latencies: Mutex::new(Vec::new()), statuses: Mutex::new(HashMap::new()) })
    }

    fn record(&self, status: String, took: Duration) {
        self.latencies.lock().unwrap().push(took);
        *self.statuses.lock().unwrap().entry(status).or_default() += 1;
    }

    /// Prints the run's line; returns its figures.
    fn report(&self, what: &str, elapsed: Duration, ok_status: &str) -> Summary {
        let mut l = self.latencies.lock().unwrap().clone();
        l.sort();
        let statuses = self.statuses.lock().unwrap().clone();
        let ok = statuses.get(ok_status).copied().unwrap_or(0);
        let failed: Vec<_> = statuses.iter().filter(|(k, _)| k.as_str() != ok_status).collect();
        let errors: u64 = failed.iter().map(|(_, v)| **v).sum();
        let s = Summary::of(ok, errors, elapsed, &l);
        println!(
            "{what}: {ok} ok in {:.1}s = {:.0}/s; p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; errors {errors} {failed:?}",
            elapsed.as_secs_f64(),
            s.rate,
            s.p50_ms,
            s.p99_ms,
            millis(l.last().copied().unwrap_or_default()),
        );
        s
    }
}

/// The `p` quantile of sorted durations.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 * p) as usize).min(sorted.len().saturating_sub(1));
    sorted.get(i).copied().unwrap_or_default()
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// One run's figures; `ok` and `rate` count successful requests only.
#[derive(Clone, Copy)]
struct Summary {
    ok: u64,
    errors: u64,
    rate: f64,
    p50_ms: f64,
    p99_ms: f64,
}

impl Summary {
    /// A run's figures from its counts and its sorted latencies.
    fn of(ok: u64, errors: u64, elapsed: Duration, sorted: &[Duration]) -> Self {
        Self {
            ok,
            errors,
            rate: ok as f64 / elapsed.as_secs_f64(),
            p50_ms: millis(percentile(sorted, 0.50)),
            p99_ms: millis(percentile(sorted, 0.99)),
        }
    }
}

/// What a scenario measured, for the CPU per request and the record.
struct Outcome {
    /// The record's scenario; `None`: not recorded (seeding).
    scenario: Option<&'static str>,
    /// Clients at once (`live`: open dashboards).
    concurrency: u64,
    loader: &'static str,
    summary: Summary,
}

impl Outcome {
    fn loadgen(scenario: &'static str, concurrency: u64, summary: Summary) -> Self {
        Self { scenario: Some(scenario), concurrency, loader: "loadgen", summary }
    }
}

/// A response's status, after reading its body (so timings include it).
async fn read_status(res: reqwest::Result<reqwest::Response>) -> String {
    match res {
        Ok(r) => {
            let st = r.status().as_u16().to_string();
            let _ = r.bytes().await;
            st
        }
        Err(_) => "error".into(),
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(2048)
        .timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn login(url: &str, email: &str, password: &str) -> (reqwest::Client, String) {
    let c = client();
    let res = c
        .post(format!("{url}/login"))
        .form(&[("email", email), ("password", password), ("next", "/leads")])
        .send()
        .await
        .expect("login request");
    assert_eq!(res.status().as_u16(), 303, "login failed");
    (c, session_cookie(&res))
}

/// The session's `name=value` among a response's cookies (the browser's own may come too).
fn session_cookie(res: &reqwest::Response) -> String {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_owned))
        .find(|c| c.starts_with("intake_session="))
        .expect("a session cookie")
}

/// Runs `job` from `concurrency` tasks for `seconds` (or until `count` jobs ran).
async fn run<F, Fut>(concurrency: u64, seconds: u64, count: Option<u64>, job: F) -> Duration
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send,
{
    let job = Arc::new(job);
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let issued = Arc::new(AtomicU64::new(0));
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let (job, issued) = (job.clone(), issued.clone());
            tokio::spawn(async move {
                loop {
                    let n = issued.fetch_add(1, Ordering::Relaxed);
                    if count.is_some_and(|c| n >= c) || (count.is_none() && Instant::now() >= deadline) {
                        return;
                    }
                    job(n).await;
                }
            })
        })
        .collect();
    for t in tasks {
        let _ = t.await;
    }
    started.elapsed()
}

/// `submit` / `seed`: new leads as fast as the server takes them (seed: `--count` of them).
async fn submit(o: &Opts) -> Outcome {
    let (args, urls, concurrency, seconds, cmd) = (&o.args, &o.urls, o.concurrency, o.seconds, o.cmd.as_str());
    let pdf = Arc::new(resume());
    let stats = Stats::new();
    let c = client();
    let (s, u) = (stats.clone(), urls.clone());
    let count = (cmd == "seed").then(|| num(args, "--count", 1000));
    let elapsed = run(concurrency, seconds, count, move |n| {
        let (c, s, pdf) = (c.clone(), s.clone(), pdf.clone());
        let target = u[(n as usize) % u.len()].clone();
        async move {
            let t = Instant::now();
            let status =
                match c.post(format!("{target}/api/leads")).multipart(form(&unique_email("s"), &pdf)).send().await {
                    Ok(r) => r.status().as_u16().to_string(),
                    Err(e) if e.is_timeout() => "timeout".into(),
                    Err(_) => "connection error".into(),
                };
            s.record(status, t.elapsed());
        }
    })
    .await;
    let summary = stats.report(&format!("{cmd} (concurrency {concurrency})"), elapsed, "201");
    let scenario = (cmd == "submit").then_some("submit");
    Outcome { scenario, concurrency, loader: "loadgen", summary }
}

/// What `list` asks for.
#[derive(Clone, Copy)]
enum Query {
    /// The first page, unfiltered.
    All,
    /// `--search`: the synthetic names of submitted leads ("benchN mark").
    Synthetic,
    /// `--search-varied`: real-looking names, as `seed` writes them.
    Varied,
    /// `--search-surname`: a real-looking surname alone.
    Surname,
}

impl Query {
    fn from_args(args: &[String]) -> Self {
        let has = |flag: &str| args.iter().any(|a| a == flag);
        if has("--search") {
            Self::Synthetic
        } else if has("--search-varied") {
            Self::Varied
        } else if has("--search-surname") {
            Self::Surname
        } else {
            Self::All
        }
    }

    /// The form body of the `n`th request.
    fn body(self, n: u64) -> String {
        match self {
            Self::All => "filter[q]=".to_owned(),
            Self::Synthetic => format!("filter[q]=bench{}+mark", n % 1000),
            Self::Varied => format!("filter[q]={}", encode(&names::query(n))),
            Self::Surname => format!("filter[q]={}", encode(&names::person(n.wrapping_mul(2_654_435_761)).1)),
        }
    }

    fn scenario(self) -> &'static str {
        match self {
            Self::All => "list",
            Self::Synthetic => "search-synthetic",
            Self::Varied => "search-varied",
            Self::Surname => "search-surname",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::All => "list",
            Self::Synthetic => "search, synthetic names",
            Self::Varied => "search, varied names",
            Self::Surname => "search, a surname",
        }
    }
}

/// `list`: dashboard pages (`--search`, `--search-varied`, `--search-surname`: searches).
async fn list(o: &Opts) -> Outcome {
    let (url, email, password, concurrency, seconds) = (&o.url, &o.email, o.password.clone(), o.concurrency, o.seconds);
    let (c, cookie) = login(url, email, &password).await;
    let query = Query::from_args(&o.args);
    let stats = Stats::new();
    let s = stats.clone();
    let u = url.clone();
    let elapsed = run(concurrency, seconds, None, move |n| {
        let (c, s, cookie, u) = (c.clone(), s.clone(), cookie.clone(), u.clone());
        async move {
            let t = Instant::now();
            let res = c
                .post(format!("{u}/api/internal/leads"))
                .header("cookie", cookie)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(query.body(n))
                .send()
                .await;
            let status = read_status(res).await;
            s.record(status, t.elapsed());
        }
    })
    .await;
    let summary = stats.report(&format!("{} (concurrency {concurrency})", query.label()), elapsed, "200");
    Outcome::loadgen(query.scenario(), concurrency, summary)
}

/// `page`: a server-rendered page (`--path`, default `/leads`) as a signed-in attorney.
async fn page(o: &Opts) -> Outcome {
    let (args, url, email, password, concurrency, seconds) =
        (&o.args, &o.url, &o.email, o.password.clone(), o.concurrency, o.seconds);
    // A server-rendered page as a signed-in attorney sees it (GET, SSR).
    let (c, cookie) = login(url, email, &password).await;
    let path = arg(args, "--path").unwrap_or_else(|| "/leads".into());
    let stats = Stats::new();
    let s = stats.clone();
    let target = format!("{url}{path}");
    let elapsed = run(concurrency, seconds, None, move |_| {
        let (c, s, cookie, target) = (c.clone(), s.clone(), cookie.clone(), target.clone());
        async move {
            let t = Instant::now();
            let status = read_status(c.get(&target).header("cookie", cookie).send().await).await;
            s.record(status, t.elapsed());
        }
    })
    .await;
    let summary = stats.report(&format!("page {path} (concurrency {concurrency})"), elapsed, "200");
    Outcome::loadgen("page", concurrency, summary)
}

/// `logins`: password checks, spread over every `--email` given.
async fn logins(o: &Opts) -> Outcome {
    let (args, url, password, concurrency, seconds) = (&o.args, &o.url, o.password.clone(), o.concurrency, o.seconds);
    let stats = Stats::new();
    let s = stats.clone();
    let u = url.clone();
    let count = num(args, "--count", 256);
    // Several `--email`s spread the logins over accounts (one account
    // allows only five attempts in flight at once, by design).
    let emails = Arc::new(args_all(args, "--email"));
    let elapsed = run(concurrency, seconds, Some(count), move |n| {
        let e = emails[(n as usize) % emails.len().max(1)].clone();
        let (s, u, p) = (s.clone(), u.clone(), password.clone());
        async move {
            let t = Instant::now();
            let r = client()
                .post(format!("{u}/login"))
                .form(&[("email", e.as_str()), ("password", p.as_str())])
                .send()
                .await;
            s.record(r.map(|r| r.status().as_u16().to_string()).unwrap_or_else(|_| "error".into()), t.elapsed());
        }
    })
    .await;
    let summary = stats.report(&format!("logins (concurrency {concurrency})"), elapsed, "303");
    Outcome::loadgen("logins", concurrency, summary)
}

/// RFC 6238's code (SHA-1, 6 digits) for 30-second `step`.
fn totp(secret: &[u8], step: i64) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret);
    let mac = ring::hmac::sign(&key, &step.to_be_bytes());
    let h = mac.as_ref();
    let at = usize::from(h[19] & 0x0f);
    let n = u32::from_be_bytes([h[at] & 0x7f, h[at + 1], h[at + 2], h[at + 3]]) % 1_000_000;
    format!("{n:06}")
}

fn step_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64 / 30
}

fn base32_decode(s: &str) -> Vec<u8> {
    const B32: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut out, mut buffer, mut bits) = (Vec::new(), 0u32, 0u32);
    for c in s.chars() {
        buffer = (buffer << 5) | B32.find(c).unwrap_or_else(|| fail("the key on /account is not base32")) as u32;
        bits += 5;
        if bits >= 8 {
            out.push((buffer >> (bits - 8)) as u8);
            bits -= 8;
        }
    }
    out
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// Adds an authenticator app to `email`'s account through `/account`: its
/// secret, and the step its first code used (a later login needs a newer one).
async fn add_app(url: &str, email: &str, password: &str) -> (Vec<u8>, i64) {
    let c = browser();
    let res = c.post(format!("{url}/login")).form(&[("email", email), ("password", password)]).send().await.unwrap();
    if res.headers().get("location").and_then(|l| l.to_str().ok()) != Some("/leads") {
        fail(&format!("{email}: a password-only account is needed (does it already have an app?)"));
    }
    let page = c.post(format!("{url}/account")).form(&[("step", "start")]).send().await.unwrap();
    let page = page.text().await.unwrap();
    let Some(at) = page.find("data-totp-secret=\"") else {
        fail("no key on /account: does the server have INTAKE_SECRET_KEY?")
    };
    let rest = &page[at + "data-totp-secret=\"".len()..];
    let secret = base32_decode(&rest[..rest.find('"').unwrap()]);
    let step = step_now();
    let res =
        c.post(format!("{url}/account")).form(&[("step", "confirm"), ("code", &totp(&secret, step))]).send().await;
    if !res.unwrap().text().await.unwrap().contains("data-recovery-codes") {
        fail(&format!("{email}: the app's first code was refused"));
    }
    (secret, step)
}

/// Each `--email`'s account with an app added: email, secret, the step its first code used.
type TwoStepAccounts = Arc<Vec<(String, Vec<u8>, i64)>>;

/// `logins-2fa`'s setup, before anything is measured: an app for each account.
async fn two_step_accounts(o: &Opts) -> TwoStepAccounts {
    let emails = args_all(&o.args, "--email");
    eprintln!("adding an authenticator app to {} accounts", emails.len());
    let mut accounts = vec![];
    for e in &emails {
        let (secret, step) = add_app(&o.url, e, &o.password).await;
        accounts.push((e.clone(), secret, step));
    }
    Arc::new(accounts)
}

/// `logins-2fa`: the password, then the app's code, each account once.
async fn logins_two_step(o: &Opts, accounts: TwoStepAccounts) -> Outcome {
    let (url, password, concurrency) = (o.url.clone(), o.password.clone(), o.concurrency);
    let stats = Stats::new();
    let s = stats.clone();
    let count = accounts.len() as u64;
    let elapsed = run(concurrency, 3_600, Some(count), move |n| {
        let (s, u, p, accounts) = (s.clone(), url.clone(), password.clone(), accounts.clone());
        async move {
            let (email, secret, enrolled) = &accounts[n as usize];
            let c = browser();
            let t = Instant::now();
            let first =
                c.post(format!("{u}/login")).form(&[("email", email.as_str()), ("password", p.as_str())]).send();
            let to_code = first.await.ok().filter(|r| {
                r.headers().get("location").and_then(|l| l.to_str().ok()).is_some_and(|l| l.starts_with("/login/code"))
            });
            let status = match to_code {
                None => "no second step".to_owned(),
                Some(_) => {
                    // The enrolment's step is spent: the next one is accepted a step early.
                    let code = totp(secret, step_now().max(enrolled + 1));
                    let r = c.post(format!("{u}/login/code")).form(&[("code", code.as_str()), ("next", "/leads")]);
                    r.send().await.map(|r| r.status().as_u16().to_string()).unwrap_or_else(|_| "error".into())
                }
            };
            s.record(status, t.elapsed());
        }
    })
    .await;
    let summary = stats.report(&format!("logins with a code (concurrency {concurrency})"), elapsed, "303");
    Outcome::loadgen("logins-2fa", concurrency, summary)
}

/// Submit-to-event delays, shared by the dashboards and the submitter. An
/// event may arrive before the submission's response: arrivals of unknown
/// ids wait in `early` until the response names the lead.
#[derive(Clone, Default)]
struct Arrivals {
    sent_at: Arc<Mutex<HashMap<String, Instant>>>,
    early: Arc<Mutex<HashMap<String, Vec<Instant>>>>,
    delays: Arc<Mutex<Vec<Duration>>>,
    connected: Arc<AtomicU64>,
}

impl Arrivals {
    /// A dashboard saw lead `id`.
    fn seen(&self, id: &str) {
        // Hold `sent_at` while filing an early arrival, so the submitter
        // (which takes the same lock first) cannot miss it.
        let sent = self.sent_at.lock().unwrap();
        match sent.get(id).copied() {
            Some(t) => self.delays.lock().unwrap().push(t.elapsed()),
            None => self.early.lock().unwrap().entry(id.to_owned()).or_default().push(Instant::now()),
        }
    }

    /// Lead `id`, submitted at `t`, was acknowledged.
    fn sent(&self, id: String, t: Instant) {
        let mut sent = self.sent_at.lock().unwrap();
        let arrivals = self.early.lock().unwrap().remove(&id);
        sent.insert(id, t);
        drop(sent);
        if let Some(arrivals) = arrivals {
            self.delays.lock().unwrap().extend(arrivals.into_iter().map(|a| a - t));
        }
    }
}

/// One open dashboard: reads its event stream until it has seen `submissions` leads.
async fn watch_dashboard(c: reqwest::Client, cookie: String, target: String, submissions: u64, arrivals: Arrivals) {
    let res = c.get(format!("{target}/api/internal/events")).header("cookie", cookie).send().await.unwrap();
    let mut stream = res.bytes_stream();
    let mut buf = String::new();
    let mut seen = 0;
    while let Some(Ok(chunk)) = stream.next().await {
        buf.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buf.find("\n\n") {
            let ev: String = buf.drain(..end + 2).collect();
            if ev.contains("event: hello") {
                arrivals.connected.fetch_add(1, Ordering::Relaxed);
            }
            if let Some(i) = ev.find("\"lead_id\":\"") {
                arrivals.seen(&ev[i + 11..i + 47]);
                seen += 1;
                if seen >= submissions {
                    return;
                }
            }
        }
    }
}

/// `live`: submit-to-event delay seen by `--dashboards` open dashboards. Its
/// record counts acknowledged submissions, and its latencies are that delay.
async fn live(o: &Opts) -> Outcome {
    let dashboards = num(&o.args, "--dashboards", 100);
    let submissions = num(&o.args, "--submissions", 500);
    let rate = num(&o.args, "--rate", 100);
    let arrivals = Arrivals::default();
    let mut tasks = vec![];
    for d in 0..dashboards {
        let target = o.urls[(d as usize) % o.urls.len()].clone();
        let (c, cookie) = login(&target, &o.email, &o.password).await;
        tasks.push(tokio::spawn(watch_dashboard(c, cookie, target, submissions, arrivals.clone())));
    }
    while arrivals.connected.load(Ordering::Relaxed) < dashboards {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (pdf, c) = (resume(), client());
    let started = Instant::now();
    let mut errors = 0u64;
    for n in 0..submissions {
        let target = &o.urls[(n as usize) % o.urls.len()];
        let t = Instant::now();
        match c.post(format!("{target}/api/leads")).multipart(form(&unique_email("l"), &pdf)).send().await {
            Ok(r) if r.status().as_u16() == 201 => {
                let v: serde_json::Value = r.json().await.unwrap();
                arrivals.sent(v["id"].as_str().unwrap().to_owned(), t);
            }
            _ => errors += 1,
        }
        let next = started + Duration::from_secs_f64((n + 1) as f64 / rate as f64);
        tokio::time::sleep_until(next.into()).await;
    }
    let elapsed = started.elapsed();
    let _ = tokio::time::timeout(Duration::from_secs(10), futures::future::join_all(tasks)).await;
    let mut d = arrivals.delays.lock().unwrap().clone();
    d.sort();
    let ok = submissions - errors;
    let summary = Summary::of(ok, errors, elapsed, &d);
    println!(
        "live: {dashboards} dashboards, {submissions} submissions at {rate}/s: {} deliveries (expected {}), submit-to-event p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; submit errors {errors}",
        d.len(),
        dashboards * submissions,
        summary.p50_ms,
        summary.p99_ms,
        millis(d.last().copied().unwrap_or_default())
    );
    Outcome::loadgen("live", dashboards, summary)
}

/// `wrk`: submissions driven by wrk and its Lua script, which sends the file
/// named by `PDF` (see `pdf`) and prints its own percentiles and error count.
async fn wrk(o: &Opts) -> Outcome {
    let need = |name: &str| arg(&o.args, name).unwrap_or_else(|| fail(&format!("wrk: {name} is required")));
    let (script, pdf) = (need("--script"), need("--pdf"));
    let scenario = match arg(&o.args, "--scenario").as_deref() {
        None | Some("submit") => "submit",
        Some("limit-durable") => "limit-durable",
        // Submissions answering the eight questions of scripts/bench/form8.json.
        Some("submit-answers") => "submit-answers",
        // Four fields on a fresh server: what eight answers are compared with.
        Some("submit-fresh") => "submit-fresh",
        Some(other) => fail(&format!("wrk: --scenario {other}: submit, submit-fresh, submit-answers or limit-durable")),
    };
    let (connections, duration) = (format!("-c{}", o.concurrency), format!("-d{}s", o.seconds));
    let out = tokio::process::Command::new("wrk")
        .args(["-t2", connections.as_str(), duration.as_str(), "--latency", "-s", script.as_str(), o.url.as_str()])
        .env("PDF", pdf)
        .output()
        .await
        .unwrap_or_else(|e| fail(&format!("running wrk: {e}")));
    let stdout = String::from_utf8_lossy(&out.stdout);
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    if !out.status.success() {
        fail(&format!("wrk failed ({}):\n{stdout}", out.status));
    }
    let run = WrkRun::parse(&stdout).unwrap_or_else(|e| fail(&format!("reading wrk's output: {e}\n{stdout}")));
    let summary =
        Summary { ok: run.ok(), errors: run.errors(), rate: run.rate(), p50_ms: run.p50_ms, p99_ms: run.p99_ms };
    println!(
        "wrk {scenario} (concurrency {}): {} ok = {:.0}/s; p50 {:.1} ms, p99 {:.1} ms; errors {} (non-2xx {}, socket {})",
        o.concurrency,
        summary.ok,
        summary.rate,
        summary.p50_ms,
        summary.p99_ms,
        summary.errors,
        run.status_errors,
        run.socket_errors
    );
    Outcome { scenario: Some(scenario), concurrency: o.concurrency, loader: "wrk", summary }
}

/// What every scenario reads from the command line.
struct Opts {
    cmd: String,
    args: Vec<String>,
    urls: Vec<String>,
    url: String,
    concurrency: u64,
    seconds: u64,
    email: String,
    password: String,
    /// Where to append the run's record, and what it says of the setup.
    record: Option<String>,
    backend: Option<String>,
    size: Option<u64>,
}

impl Opts {
    fn from_args(args: Vec<String>) -> Self {
        let urls = args_all(&args, "--url");
        let size = arg(&args, "--size")
            .map(|s| s.parse::<u64>().unwrap_or_else(|_| fail(&format!("--size {s}: not a number"))));
        Self {
            cmd: args.first().cloned().unwrap_or_default(),
            url: urls.first().cloned().unwrap_or_else(|| "http://127.0.0.1:3000".into()),
            urls,
            concurrency: num(&args, "--concurrency", 16),
            seconds: num(&args, "--seconds", 10),
            email: arg(&args, "--email").unwrap_or_default(),
            password: arg(&args, "--password").unwrap_or_default(),
            record: arg(&args, "--record").or_else(|| std::env::var("BENCH_RECORD").ok()).filter(|f| !f.is_empty()),
            backend: arg(&args, "--backend"),
            size,
            args,
        }
    }
}

/// The servers' and the database's CPU and memory over one scenario.
struct Probe {
    pids: Vec<String>,
    cpu: Vec<f64>,
    loader_cpu: (f64, f64),
    db: Option<(String, f64)>,
    rss: RssWatch,
}

/// What the probe measured: CPU per successful request, the largest server's memory.
struct Usage {
    cpu_ms: Option<f64>,
    db_cpu_ms: Option<f64>,
    rss: Option<Rss>,
}

impl Probe {
    fn start(args: &[String]) -> Self {
        let pids = args_all(args, "--server-pid");
        let db = arg(args, "--db-procs").map(|name| {
            let cpu = cpu_of_named(&name);
            (name, cpu)
        });
        Self {
            cpu: pids.iter().map(|p| cpu_seconds(p)).collect(),
            loader_cpu: (cpu_seconds("self"), children_cpu_seconds("self")),
            db,
            rss: RssWatch::start(pids.clone()),
            pids,
        }
    }

    /// Prints what the loader, servers and database used for `ok` successful requests.
    async fn finish(self, ok: u64) -> Usage {
        let rss = self.rss.finish().await;
        let (me, children) =
            (cpu_seconds("self") - self.loader_cpu.0, children_cpu_seconds("self") - self.loader_cpu.1);
        let children = if children > 0.0 { format!(", wrk {children:.1} s") } else { String::new() };
        println!("  loader CPU {me:.1} s{children}");
        let per_request = |cpu: f64| cpu * 1e3 / ok.max(1) as f64;
        let mut total = 0.0;
        for ((pid, before), m) in self.pids.iter().zip(&self.cpu).zip(&rss) {
            let used = cpu_seconds(pid) - before;
            total += used;
            println!(
                "  server pid {pid}: CPU {used:.1} s ({:.2} ms per request), RSS peak {:.1} MiB: anon {:.1}, file {:.1}",
                per_request(used),
                mib(m.peak_kib),
                mib(m.anon_kib),
                mib(m.file_kib)
            );
        }
        // Summed over the processes alive at each end: a backend that exited
        // during the run (a pool closing its connections) takes its CPU with it.
        let db_cpu_ms = self.db.and_then(|(name, before)| {
            let used = cpu_of_named(&name) - before;
            if used < 0.0 {
                println!("  database ({name} processes): unknown (a process exited during the run)");
                return None;
            }
            println!("  database ({name} processes): CPU {used:.1} s ({:.2} ms per request)", per_request(used));
            Some(per_request(used))
        });
        let cpu_ms = (!self.pids.is_empty()).then(|| per_request(total));
        Usage { cpu_ms, db_cpu_ms, rss: rss.into_iter().reduce(Rss::max_of) }
    }
}

/// Appends the run's record to `--record`'s file (or BENCH_RECORD's), if given.
fn record(o: &Opts, out: &Outcome, usage: &Usage) {
    let (Some(path), Some(scenario)) = (&o.record, out.scenario) else { return };
    let (s, rss) = (&out.summary, usage.rss);
    let r = Record {
        backend: o.backend.clone(),
        scenario: scenario.to_owned(),
        size: o.size,
        concurrency: out.concurrency,
        rate: round(s.rate, 1),
        ok: s.ok,
        p50_ms: round(s.p50_ms, 3),
        p99_ms: round(s.p99_ms, 3),
        errors: s.errors,
        cpu_ms: usage.cpu_ms.map(|v| round(v, 3)),
        db_cpu_ms: usage.db_cpu_ms.map(|v| round(v, 3)),
        rss_peak_mib: rss.map(|m| round(mib(m.peak_kib), 1)),
        rss_anon_mib: rss.map(|m| round(mib(m.anon_kib), 1)),
        rss_file_mib: rss.map(|m| round(mib(m.file_kib), 1)),
        loader: out.loader.to_owned(),
        runs: 1,
    };
    r.append(path).unwrap_or_else(|e| fail(&format!("--record {path}: {e}")));
}

/// `pdf PATH`: the file every submission sends, for wrk's script.
fn write_pdf(args: &[String]) {
    let path = args.get(1).unwrap_or_else(|| fail("usage: loadgen pdf PATH"));
    std::fs::write(path, resume()).unwrap_or_else(|e| fail(&format!("{path}: {e}")));
}

/// `report`: the README's figures from a records file.
fn write_report(args: &[String]) {
    let need = |name: &str| arg(args, name).unwrap_or_else(|| fail(&format!("report: {name} is required")));
    let command = arg(args, "--command").unwrap_or_else(|| "scripts/bench.sh quick".to_owned());
    let (date, commit) = (need("--date"), need("--commit"));
    let source = report::Source { command: &command, date: &date, commit: &commit };
    match report::update(&need("--record"), &need("--readme"), &source) {
        Ok(block) => print!("{block}"),
        Err(e) => fail(&e),
    }
}

/// Stops the program with a message: a bench run cannot go on without it.
fn fail(message: &str) -> ! {
    eprintln!("loadgen: {message}");
    std::process::exit(1)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cmd = args.first().cloned().unwrap_or_default();
    match cmd.as_str() {
        "pdf" => write_pdf(&args),
        "report" => write_report(&args),
        _ => measure(Opts::from_args(args)).await,
    }
}

/// Runs one scenario while measuring the servers; records it if asked.
async fn measure(o: Opts) {
    // Set-up is not measured.
    let two_step = if o.cmd == "logins-2fa" { Some(two_step_accounts(&o).await) } else { None };
    let probe = Probe::start(&o.args);
    let outcome = match o.cmd.as_str() {
        "submit" | "seed" => submit(&o).await,
        "list" => list(&o).await,
        "page" => page(&o).await,
        "logins" => logins(&o).await,
        "logins-2fa" => logins_two_step(&o, two_step.clone().unwrap_or_default()).await,
        "live" => live(&o).await,
        "wrk" => wrk(&o).await,
        _ => {
            eprintln!(
                "usage: loadgen submit|seed|list|page|logins|logins-2fa|live|wrk|pdf|report --url URL ... (see the file header)"
            );
            std::process::exit(2);
        }
    };
    let usage = probe.finish(outcome.summary.ok).await;
    record(&o, &outcome, &usage);
}
