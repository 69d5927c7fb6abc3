//! Test harness: spawn the app, talk to it, look inside its data directory.

use intake::server::{config::Config, startup::Application};
use reqwest::multipart::{Form, Part};
use sqlx::AnyPool;
use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::TcpListener,
    sync::{Notify, oneshot},
    task::JoinHandle,
};

pub const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";
pub const ATTORNEY: &str = "attorney@firm.test";
pub const ADMIN_EMAIL: &str = "admin@firm.test";
pub const ADMIN_PASSWORD: &str = "correct horse battery staple";

/// A running Intake.
pub struct TestApp {
    pub base: String,
    /// The admin listener (`INTAKE_ADMIN_ADDR`), when configured.
    pub admin: Option<String>,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub client: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<()>>,
    runtime: Option<tokio::runtime::Runtime>,
}

/// Settings a test may change; everything else is the test default.
#[derive(Clone)]
pub struct Options {
    pub smtp_port: Option<u16>,
    pub vars: Vec<(&'static str, String)>,
    pub lease: Option<Duration>,
}

impl Options {
    pub fn smtp(port: u16) -> Self {
        Self { smtp_port: Some(port), vars: vec![], lease: None }
    }

    pub fn var(mut self, k: &'static str, v: impl Into<String>) -> Self {
        self.vars.push((k, v.into()));
        self
    }
}

impl TestApp {
    /// Starts the app in a fresh temporary data directory, and on PostgreSQL
    /// (when `INTAKE_TEST_POSTGRES_URL` is set) in a fresh database.
    pub async fn spawn(opts: Options) -> Self {
        Self::spawn_in(&fresh_data_dir().await, opts).await
    }

    /// Starts the app on an existing data directory (a restart).
    pub async fn spawn_in(data_dir: &Path, opts: Options) -> Self {
        let config = Self::config(data_dir, opts);
        let database_url = config.database_url.clone();
        let app = Application::build(config, "target/site").await.expect("app starts");
        Self::serve(app, data_dir, database_url, &tokio::runtime::Handle::current(), None)
    }

    /// A second instance on the same database as `self` (its own data directory),
    /// in its own runtime so that [`TestApp::crash`] can kill it mid-work.
    pub async fn another_instance(&self, opts: Options) -> Self {
        let dir = tempfile::Builder::new().prefix("intake-test-").tempdir().unwrap().keep();
        std::fs::write(dir.join(".database_url"), &self.database_url).unwrap();
        Self::spawn_isolated(&dir, opts).await
    }

    /// Like [`TestApp::spawn_in`], in a runtime of its own.
    pub async fn spawn_isolated(data_dir: &Path, opts: Options) -> Self {
        let config = Self::config(data_dir, opts);
        let database_url = config.database_url.clone();
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let app = runtime.spawn(async move { Application::build(config, "target/site").await.expect("app starts") });
        let app = app.await.unwrap();
        let handle = runtime.handle().clone();
        Self::serve(app, data_dir, database_url, &handle, Some(runtime))
    }

    /// Runs a built app on `rt` until [`TestApp::stop`] (or drop).
    fn serve(
        app: Application,
        data_dir: &Path,
        database_url: String,
        rt: &tokio::runtime::Handle,
        runtime: Option<tokio::runtime::Runtime>,
    ) -> Self {
        let base = format!("http://127.0.0.1:{}", app.port());
        let admin = app.admin_port().map(|p| format!("http://127.0.0.1:{p}"));
        let (stop, stopped) = oneshot::channel::<()>();
        let handle = rt.spawn(async move {
            app.run_until(async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
        });
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Self {
            base,
            admin,
            data_dir: data_dir.to_owned(),
            database_url,
            client,
            stop: Some(stop),
            handle: Some(handle),
            runtime,
        }
    }

    /// Kills an isolated instance at once: no graceful shutdown, work in flight is lost.
    pub fn crash(mut self) {
        self.stop.take();
        self.handle.take();
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }

    fn config(data_dir: &Path, opts: Options) -> Config {
        let database_url = std::fs::read_to_string(data_dir.join(".database_url")).unwrap();
        let mut vars: HashMap<String, String> = [
            ("INTAKE_DATA_DIR", data_dir.display().to_string()),
            ("LEPTOS_SITE_ADDR", "127.0.0.1:0".into()),
            ("INTAKE_NOTIFY_EMAIL", ATTORNEY.into()),
            ("INTAKE_MAIL_FROM", "Intake <intake@firm.test>".into()),
            ("INTAKE_PUBLIC_URL", "http://intake.firm.test".into()),
            ("INTAKE_FIRM_NAME", "Harper & Lowe".into()),
            ("INTAKE_SUBMIT_RATE", "0".into()),
            ("INTAKE_MAX_RESUME_BYTES", "1M".into()),
            ("INTAKE_ADMIN_EMAIL", ADMIN_EMAIL.into()),
            ("INTAKE_ADMIN_PASSWORD", ADMIN_PASSWORD.into()),
            // The tests' webhook receivers listen on loopback; `webhooks::` turns it off to test the refusal.
            ("INTAKE_WEBHOOK_ALLOW_PRIVATE", "true".into()),
            ("DATABASE_URL", database_url.clone()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        if let Some(port) = opts.smtp_port {
            vars.insert("SMTP_URL".into(), format!("smtp://127.0.0.1:{port}"));
        }
        for (k, v) in opts.vars {
            vars.insert(k.into(), v);
        }
        let mut config = Config::from_vars(&vars).expect("test config");
        config.mail_retry_base = Duration::from_millis(100);
        config.mail_retry_max = Duration::from_millis(400);
        if let Some(lease) = opts.lease {
            config.mail_lease = lease;
        }
        config
    }

    /// Stops the server gracefully and waits until it has closed the database.
    pub async fn stop(mut self) -> PathBuf {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(h) = self.handle.take() {
            h.await.unwrap();
        }
        self.data_dir.clone()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// POSTs a multipart form to `path`.
    pub async fn post_form(&self, path: &str, form: Form) -> reqwest::Response {
        self.client.post(self.url(path)).multipart(form).send().await.unwrap()
    }

    /// A connection pool on the app's database (either backend; select no UUID columns).
    pub async fn db(&self) -> AnyPool {
        sqlx::any::install_default_drivers();
        AnyPool::connect(&self.database_url).await.unwrap()
    }

    pub async fn count(&self, table: &str) -> i64 {
        let pool = self.db().await;
        let n = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(&pool).await.unwrap();
        pool.close().await;
        n
    }

    /// Makes a lead look `ms` older (its deadline nearer), straight in the database.
    pub async fn backdate_lead(&self, id: &str, ms: i64) {
        let pool = self.db().await;
        sqlx::query(&format!("UPDATE leads SET created_at = created_at - {ms} WHERE id = '{id}'"))
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    }

    /// Every file under `resumes/`, staging included.
    pub fn resume_files(&self) -> Vec<PathBuf> {
        fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
            for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                if e.path().is_dir() { walk(&e.path(), out) } else { out.push(e.path()) }
            }
        }
        let mut out = vec![];
        walk(&self.data_dir.join("resumes"), &mut out);
        out
    }

    /// Asserts that nothing at all was stored.
    pub async fn assert_nothing_stored(&self) {
        assert_eq!(self.count("leads").await, 0, "no lead row");
        assert_eq!(self.count("outbox").await, 0, "no email queued");
        assert_eq!(self.resume_files(), Vec::<PathBuf>::new(), "no file left on disk");
    }
}

impl TestApp {
    /// A fresh cookie-keeping client, not logged in.
    pub fn browser(&self) -> reqwest::Client {
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
    }

    /// POSTs the login form; returns the response (303 on success).
    pub async fn login_with(&self, client: &reqwest::Client, email: &str, password: &str) -> reqwest::Response {
        client
            .post(self.url("/login"))
            .form(&[("email", email), ("password", password), ("next", "/leads")])
            .send()
            .await
            .unwrap()
    }

    /// `n` wrong passwords for the admin sent at the same moment, spread
    /// over `apps` in turn; their statuses.
    pub async fn wrong_passwords_at_once(apps: &[&TestApp], n: usize) -> Vec<reqwest::StatusCode> {
        let tries = (0..n).map(|i| {
            let app = apps[i % apps.len()];
            let (c, url) = (app.browser(), app.url("/login"));
            async move {
                let form = [("email", ADMIN_EMAIL), ("password", "not the password"), ("next", "/leads")];
                c.post(url).form(&form).send().await.unwrap().status()
            }
        });
        futures::future::join_all(tries).await
    }

    /// A client logged in as `email`.
    pub async fn logged_in(&self, email: &str, password: &str) -> reqwest::Client {
        let client = self.browser();
        let res = self.login_with(&client, email, password).await;
        assert_eq!(res.status(), reqwest::StatusCode::SEE_OTHER, "login as {email}");
        client
    }

    /// The dashboard's page for `form` (`filter[…]` fields) as `client` sees it,
    /// from the server function the dashboard calls; it must answer 200.
    pub async fn leads_page(
        &self,
        client: &reqwest::Client,
        form: &(impl serde::Serialize + ?Sized),
    ) -> serde_json::Value {
        let res = client.post(self.url("/api/internal/leads")).form(form).send().await.unwrap();
        let status = res.status();
        let page: serde_json::Value = res.json().await.unwrap();
        assert_eq!(status, reqwest::StatusCode::OK, "{page}");
        page
    }

    /// Adds an attorney directly in the database.
    pub async fn add_attorney(&self, email: &str, name: &str, password: &str) {
        use intake::server::{
            auth::password::Hasher,
            db::{Attorney, Db, Role, now_ms},
        };
        let db = Db::connect(&self.database_url).await.unwrap();
        let a = Attorney {
            id: uuid::Uuid::now_v7(),
            email: email.into(),
            display_name: name.into(),
            password_hash: Hasher::new(1).hash(password.into()).await.unwrap(),
            created_at: now_ms(),
            disabled: false,
            role: Role::Attorney,
            sessions_valid_after: 0,
        };
        db.accounts().create(&a).await.unwrap();
        db.close().await;
    }

    /// Runs `intake <args>` on this app's data, with `stdin`; its exit code and output.
    /// On a blocking thread, so the server keeps running meanwhile. Webhook
    /// endpoints on loopback are allowed, as the tests' receivers are there.
    pub fn cli(&self, args: &[&str], stdin: &str) -> impl Future<Output = (i32, String)> + use<> {
        self.cli_with(args, stdin, &[("INTAKE_WEBHOOK_ALLOW_PRIVATE", "true")])
    }

    /// [`TestApp::cli`] with these variables set instead.
    pub fn cli_with(
        &self,
        args: &[&str],
        stdin: &str,
        vars: &[(&str, &str)],
    ) -> impl Future<Output = (i32, String)> + use<> {
        use std::{
            io::Write,
            process::{Command, Stdio},
        };
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_intake"));
        cmd.args(args)
            .env("INTAKE_DATA_DIR", &self.data_dir)
            .env("DATABASE_URL", &self.database_url)
            .env("RUST_LOG", "error")
            .envs(vars.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let stdin = stdin.to_owned();
        let run = tokio::task::spawn_blocking(move || {
            let mut child = cmd.spawn().unwrap();
            child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
            let out = child.wait_with_output().unwrap();
            (
                out.status.code().unwrap(),
                String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr),
            )
        });
        async move { run.await.unwrap() }
    }

    /// Submits a lead through the API and returns its id.
    pub async fn submit(&self, email: &str) -> String {
        let res = self.post_form("/api/leads", lead_form(email)).await;
        assert_eq!(res.status(), reqwest::StatusCode::CREATED);
        let v: serde_json::Value = res.json().await.unwrap();
        v["id"].as_str().unwrap().to_owned()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// The real `intake` binary on a fresh data directory, started as an operator
/// runs it (signals, stdout); killed when dropped if it is still running.
pub struct ServerProcess {
    child: Option<std::process::Child>,
    pub addr: String,
    pub data_dir: PathBuf,
}

impl ServerProcess {
    /// Starts it with these extra variables and waits until it answers.
    pub async fn start(vars: &[(&str, &str)], stdout: std::process::Stdio) -> Self {
        let data_dir = fresh_data_dir().await;
        let url = std::fs::read_to_string(data_dir.join(".database_url")).unwrap();
        let addr = format!("127.0.0.1:{}", free_port().await);
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_intake"))
            .env("DATABASE_URL", &url)
            .env("INTAKE_DATA_DIR", &data_dir)
            .env("LEPTOS_SITE_ADDR", &addr)
            .envs(vars.iter().copied())
            .stdout(stdout)
            .spawn()
            .unwrap();
        let this = Self { child: Some(child), addr, data_dir };
        eventually("the server answers", || async {
            reqwest::get(this.url("/healthz")).await.is_ok_and(|r| r.status() == reqwest::StatusCode::OK)
        })
        .await;
        this
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Sends SIGTERM, as an orchestrator stopping it does.
    pub fn terminate(&self) {
        let pid = self.child.as_ref().unwrap().id().to_string();
        assert!(std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    }

    /// Its exit status, if it has exited.
    pub fn try_wait(&mut self) -> Option<std::process::ExitStatus> {
        self.child.as_mut().unwrap().try_wait().unwrap()
    }

    /// Waits for it to exit; what it wrote to a piped stdout.
    pub fn wait_with_output(mut self) -> std::process::Output {
        self.child.take().unwrap().wait_with_output().unwrap()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A new temporary data directory naming a fresh database: SQLite inside it,
/// or a new PostgreSQL database when `INTAKE_TEST_POSTGRES_URL` is set.
pub async fn fresh_data_dir() -> PathBuf {
    let dir = tempfile::Builder::new().prefix("intake-test-").tempdir().unwrap().keep();
    let url = match std::env::var("INTAKE_TEST_POSTGRES_URL") {
        Ok(admin_url) if !admin_url.is_empty() => fresh_postgres_database(&admin_url).await,
        _ => format!("sqlite://{}", dir.join("intake.db").display()),
    };
    std::fs::write(dir.join(".database_url"), &url).unwrap();
    dir
}

pub fn on_postgres() -> bool {
    std::env::var("INTAKE_TEST_POSTGRES_URL").is_ok_and(|v| !v.is_empty())
}

/// An SMTP server that accepts connections and never answers: a sender
/// using it hangs mid-send. Returns its port.
pub async fn stalled_smtp() -> u16 {
    let stalled = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = stalled.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut open = vec![];
        while let Ok((s, _)) = stalled.accept().await {
            open.push(s);
        }
    });
    port
}

/// Creates an empty database on the PostgreSQL server and returns its URL.
pub async fn fresh_postgres_database(admin_url: &str) -> String {
    use sqlx::Connection;
    let name = format!("intake_test_{}", uuid::Uuid::now_v7().simple());
    let mut conn = sqlx::PgConnection::connect(admin_url).await.expect("INTAKE_TEST_POSTGRES_URL reachable");
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();
    let (base, _) = admin_url.rsplit_once('/').expect("a URL ending in /database");
    format!("{base}/{name}")
}

/// The standard valid form, with `email`.
pub fn lead_form(email: &str) -> Form {
    Form::new()
        .text("first_name", "Ada")
        .text("last_name", "Lovelace")
        .text("email", email.to_owned())
        .part("resume", file_part("ada cv.pdf", PDF.to_vec()))
}

pub fn file_part(name: &str, bytes: Vec<u8>) -> Part {
    Part::bytes(bytes).file_name(name.to_owned()).mime_str("application/pdf").unwrap()
}

/// A free loopback port (bound, then released).
pub async fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap().port()
}

/// One message as the SMTP sink received it.
#[derive(Clone, Debug)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

/// A minimal SMTP server that accepts everything and records it.
pub struct SmtpSink {
    pub port: u16,
    messages: Arc<Mutex<Vec<Received>>>,
    arrived: Arc<Notify>,
    task: JoinHandle<()>,
}

impl SmtpSink {
    pub async fn start() -> Self {
        Self::start_on(0).await
    }

    pub async fn start_on(port: u16) -> Self {
        let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let messages = Arc::new(Mutex::new(Vec::new()));
        let arrived = Arc::new(Notify::new());
        let (m, a) = (messages.clone(), arrived.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { return };
                let (m, a) = (m.clone(), a.clone());
                tokio::spawn(async move {
                    let _ = serve_smtp(stream, m, a).await;
                });
            }
        });
        Self { port, messages, arrived, task }
    }

    pub fn messages(&self) -> Vec<Received> {
        self.messages.lock().unwrap().clone()
    }

    /// Waits until at least `n` messages arrived (or panics after 10 s).
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let notified = self.arrived.notified();
            let msgs = self.messages();
            if msgs.len() >= n {
                return msgs;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!("expected {n} messages, got {}: {:?}", msgs.len(), msgs);
            }
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve_smtp(
    stream: tokio::net::TcpStream,
    messages: Arc<Mutex<Vec<Received>>>,
    arrived: Arc<Notify>,
) -> std::io::Result<()> {
    let (r, mut w) = stream.into_split();
    let mut r = BufReader::new(r);
    w.write_all(b"220 sink.test ESMTP\r\n").await?;
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if r.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let cmd = line.trim_end().to_string();
        let upper = cmd.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") {
            b"250-sink.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"
        } else if upper.starts_with("HELO") || upper.starts_with("NOOP") {
            b"250 OK\r\n"
        } else if upper.starts_with("MAIL FROM:") {
            from = cmd[10..].trim().to_string();
            to.clear();
            b"250 OK\r\n"
        } else if upper.starts_with("RCPT TO:") {
            to.push(cmd[8..].trim().trim_matches(['<', '>']).to_string());
            b"250 OK\r\n"
        } else if upper == "DATA" {
            w.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n").await?;
            let mut data = String::new();
            loop {
                line.clear();
                if r.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" {
                    break;
                }
                data.push_str(line.strip_prefix('.').filter(|_| line.starts_with("..")).unwrap_or(&line));
            }
            messages.lock().unwrap().push(Received { from: from.clone(), to: to.clone(), data });
            arrived.notify_waiters();
            b"250 OK queued\r\n"
        } else if upper.starts_with("RSET") {
            b"250 OK\r\n"
        } else if upper.starts_with("QUIT") {
            w.write_all(b"221 Bye\r\n").await?;
            return Ok(());
        } else {
            b"502 Command not implemented\r\n"
        };
        w.write_all(reply).await?;
    }
}

/// Decodes a quoted-printable or base64 body enough to search it for text.
pub fn body_text(raw: &str) -> String {
    let unfolded = raw.replace("=\r\n", "");
    let mut out = String::with_capacity(unfolded.len());
    let bytes = unfolded.as_bytes();
    let mut i = 0;
    let mut buf = Vec::new();
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && bytes[i + 1].is_ascii_hexdigit()
            && bytes[i + 2].is_ascii_hexdigit()
        {
            buf.push(u8::from_str_radix(&unfolded[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            buf.push(bytes[i]);
            i += 1;
        }
    }
    out.push_str(&String::from_utf8_lossy(&buf));
    out
}

/// Polls `f` until it returns true (or panics after 10 s).
pub async fn eventually<F, Fut>(what: &str, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !f().await {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Reads server-sent events until one satisfies `pred`.
pub async fn next_event(
    stream: &mut (impl futures::Stream<Item = reqwest::Result<bytes::Bytes>> + Unpin),
    buf: &mut String,
    pred: impl Fn(&str) -> bool,
) -> String {
    tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            while let Some(end) = buf.find("\n\n") {
                let ev: String = buf.drain(..end + 2).collect();
                if pred(&ev) {
                    return ev;
                }
            }
            let chunk = futures::StreamExt::next(stream).await.expect("stream open").unwrap();
            buf.push_str(&String::from_utf8_lossy(&chunk));
        }
    })
    .await
    .expect("event within 5 s")
}
