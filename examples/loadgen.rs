//! Load generator for a running Intake: drives it over HTTP like real clients.
//! See `scripts/bench.sh`, which starts the server(s) and runs every scenario.
//!
//!   loadgen submit --url U --concurrency N --seconds S [--server-pid P]...
//!   loadgen seed   --url U --count N --concurrency C
//!   loadgen list   --url U --concurrency N --seconds S --email E --password P [--search | --search-varied]
//!                  (--search: synthetic "benchN mark" names; --search-varied: real-looking names, see `seed`)
//!   loadgen live   --url U [--url U2] --dashboards N --submissions M --email E --password P
//!   loadgen logins --url U --concurrency N --count M --email E [--email E2]... --password P
//!   loadgen page   --url U --concurrency N --seconds S --email E --password P [--path /leads]

use futures::StreamExt;
use reqwest::multipart::{Form, Part};
use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

#[path = "common/names.rs"]
mod names;

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
/// Successful requests of the run, for CPU per request.
static OK: AtomicU64 = AtomicU64::new(0);

/// CPU seconds of every process with this name (e.g. all `postgres` backends).
fn cpu_of_named(name: &str) -> f64 {
    let Ok(dir) = std::fs::read_dir("/proc") else { return 0.0 };
    dir.flatten()
        .filter_map(|e| e.file_name().to_str().filter(|n| n.bytes().all(|b| b.is_ascii_digit())).map(str::to_owned))
        .filter(|pid| std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == name))
        .map(|pid| proc_usage(&pid).0)
        .sum()
}

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

/// CPU seconds (user+system) and peak RSS (KiB) of a process, from /proc.
fn proc_usage(pid: &str) -> (f64, u64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or_default();
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = f.get(11).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0)
        + f.get(12).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let hwm = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    (ticks / 100.0, hwm)
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

    fn report(&self, what: &str, elapsed: Duration, ok_status: &str) {
        let mut l = self.latencies.lock().unwrap().clone();
        l.sort();
        let pct =
            |p: f64| l.get(((l.len() as f64 * p) as usize).min(l.len().saturating_sub(1))).copied().unwrap_or_default();
        let statuses = self.statuses.lock().unwrap().clone();
        let ok = statuses.get(ok_status).copied().unwrap_or(0);
        OK.store(ok, Ordering::Relaxed);
        let errors: u64 = statuses.iter().filter(|(k, _)| k.as_str() != ok_status).map(|(_, v)| v).sum();
        println!(
            "{what}: {ok} ok in {:.1}s = {:.0}/s; p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; errors {errors} {:?}",
            elapsed.as_secs_f64(),
            ok as f64 / elapsed.as_secs_f64(),
            pct(0.50).as_secs_f64() * 1e3,
            pct(0.99).as_secs_f64() * 1e3,
            l.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
            statuses.iter().filter(|(k, _)| k.as_str() != ok_status).collect::<Vec<_>>()
        );
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
    let cookie = res.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    (c, cookie)
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
async fn submit(o: &Opts) {
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
    stats.report(&format!("{cmd} (concurrency {concurrency})"), elapsed, "201");
}

/// `list`: dashboard pages (`--search`, `--search-varied`: searches).
async fn list(o: &Opts) {
    let (args, url, email, password, concurrency, seconds) =
        (&o.args, &o.url, &o.email, o.password.clone(), o.concurrency, o.seconds);
    let (c, cookie) = login(url, email, &password).await;
    let search = args.iter().any(|a| a == "--search");
    let varied = args.iter().any(|a| a == "--search-varied");
    let stats = Stats::new();
    let s = stats.clone();
    let u = url.clone();
    let elapsed = run(concurrency, seconds, None, move |n| {
        let (c, s, cookie, u) = (c.clone(), s.clone(), cookie.clone(), u.clone());
        async move {
            let body = if search {
                format!("filter[q]=bench{}+mark", n % 1000)
            } else if varied {
                format!("filter[q]={}", encode(&names::query(n)))
            } else {
                "filter[q]=".to_string()
            };
            let t = Instant::now();
            let res = c
                .post(format!("{u}/api/internal/leads"))
                .header("cookie", cookie)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await;
            let status = read_status(res).await;
            s.record(status, t.elapsed());
        }
    })
    .await;
    stats.report(
        &format!(
            "{} (concurrency {concurrency})",
            if search {
                "search, synthetic names"
            } else if varied {
                "search, varied names"
            } else {
                "list"
            }
        ),
        elapsed,
        "200",
    );
}

/// `page`: a server-rendered page (`--path`, default `/leads`) as a signed-in attorney.
async fn page(o: &Opts) {
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
    stats.report(&format!("page {path} (concurrency {concurrency})"), elapsed, "200");
}

/// `logins`: password checks, spread over every `--email` given.
async fn logins(o: &Opts) {
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
    stats.report(&format!("logins (concurrency {concurrency})"), elapsed, "303");
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

/// `live`: submit-to-event delay seen by `--dashboards` open dashboards.
async fn live(o: &Opts) {
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
    let mut errors = 0;
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
    let _ = tokio::time::timeout(Duration::from_secs(10), futures::future::join_all(tasks)).await;
    let mut d = arrivals.delays.lock().unwrap().clone();
    d.sort();
    let pct =
        |p: f64| d.get(((d.len() as f64 * p) as usize).min(d.len().saturating_sub(1))).copied().unwrap_or_default();
    println!(
        "live: {dashboards} dashboards, {submissions} submissions at {rate}/s: {} deliveries (expected {}), submit-to-event p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; submit errors {errors}",
        d.len(),
        dashboards * submissions,
        pct(0.5).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        d.last().copied().unwrap_or_default().as_secs_f64() * 1e3
    );
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
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let urls = args_all(&args, "--url");
    let o = Opts {
        cmd: args.first().cloned().unwrap_or_default(),
        url: urls.first().cloned().unwrap_or_else(|| "http://127.0.0.1:3000".into()),
        urls,
        concurrency: num(&args, "--concurrency", 16),
        seconds: num(&args, "--seconds", 10),
        email: arg(&args, "--email").unwrap_or_default(),
        password: arg(&args, "--password").unwrap_or_default(),
        args,
    };
    let pids = args_all(&o.args, "--server-pid");
    let before: Vec<_> = pids.iter().map(|p| proc_usage(p)).collect();
    let me_before = proc_usage("self");
    let db_procs = arg(&o.args, "--db-procs");
    let db_before = db_procs.as_deref().map(cpu_of_named);
    match o.cmd.as_str() {
        "submit" | "seed" => submit(&o).await,
        "list" => list(&o).await,
        "page" => page(&o).await,
        "logins" => logins(&o).await,
        "live" => live(&o).await,
        _ => {
            eprintln!("usage: loadgen submit|seed|list|live|logins --url URL ... (see the file header)");
            std::process::exit(2);
        }
    }
    let me_after = proc_usage("self");
    println!("  loader CPU {:.1} s", me_after.0 - me_before.0);
    let ok = OK.load(Ordering::Relaxed).max(1) as f64;
    for (pid, b) in pids.iter().zip(before) {
        let a = proc_usage(pid);
        println!(
            "  server pid {pid}: CPU {:.1} s ({:.2} ms per request), peak RSS {:.1} MiB",
            a.0 - b.0,
            (a.0 - b.0) * 1e3 / ok,
            a.1 as f64 / 1024.0
        );
    }
    if let (Some(name), Some(b)) = (db_procs, db_before) {
        let used = cpu_of_named(&name) - b;
        println!("  database ({name} processes): CPU {used:.1} s ({:.2} ms per request)", used * 1e3 / ok);
    }
}
