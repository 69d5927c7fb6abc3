//! Test harness: spawn the app, talk to it, look inside its data directory.

pub mod authenticator;
mod data_dir;
#[path = "../../../crates/store/tests/support/pg_database.rs"]
mod pg_database;
mod process;
mod smtp;

pub use data_dir::{DataDir, fresh_data_dir, on_postgres};
use pg_database::PgDatabase;
pub use process::ServerProcess;
pub use smtp::{Received, SmtpSink, body_text, stalled_smtp};

use intake::server::startup::Application;
use intake_core::config::Config;
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
    /// Holds `data_dir` (and the database) while this instance may use it.
    dir: Arc<DataDir>,
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
    pub async fn spawn_in(data_dir: &Arc<DataDir>, opts: Options) -> Self {
        let config = Self::config(data_dir, opts);
        let database_url = config.data.database_url.clone();
        let app = Application::build(config, "target/site").await.expect("app starts");
        Self::serve(app, data_dir, database_url, &tokio::runtime::Handle::current(), None)
    }

    /// A second instance on the same database as `self` (its own data directory),
    /// in its own runtime so that [`TestApp::crash`] can kill it mid-work.
    pub async fn another_instance(&self, opts: Options) -> Self {
        Self::spawn_isolated(&self.another_data_dir(), opts).await
    }

    /// A new data directory naming this app's database, for another instance.
    /// It keeps this app's directory (and so the database) until it goes too.
    pub fn another_data_dir(&self) -> Arc<DataDir> {
        let dir = Arc::new(DataDir::empty(Some(self.dir.clone())));
        std::fs::write(dir.join(".database_url"), &self.database_url).unwrap();
        dir
    }

    /// Like [`TestApp::spawn_in`], in a runtime of its own.
    pub async fn spawn_isolated(data_dir: &Arc<DataDir>, opts: Options) -> Self {
        let config = Self::config(data_dir, opts);
        let database_url = config.data.database_url.clone();
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let app = runtime.spawn(async move { Application::build(config, "target/site").await.expect("app starts") });
        let app = app.await.unwrap();
        let handle = runtime.handle().clone();
        Self::serve(app, data_dir, database_url, &handle, Some(runtime))
    }

    /// Runs a built app on `rt` until [`TestApp::stop`] (or drop).
    fn serve(
        app: Application,
        data_dir: &Arc<DataDir>,
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
            data_dir: data_dir.path().to_path_buf(),
            database_url,
            client,
            stop: Some(stop),
            handle: Some(handle),
            runtime,
            dir: data_dir.clone(),
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
        config.mail.retry_base = Duration::from_millis(100);
        config.mail.retry_max = Duration::from_millis(400);
        if let Some(lease) = opts.lease {
            config.mail.lease = lease;
        }
        config
    }

    /// Stops the server gracefully and waits until it has closed the database.
    /// The data directory, to start again on: it is removed once nothing holds it.
    pub async fn stop(mut self) -> Arc<DataDir> {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(h) = self.handle.take() {
            h.await.unwrap();
        }
        self.dir.clone()
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
        use intake_core::auth::password::Hasher;
        use intake_store::{Attorney, Db, Role, now_ms};
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
    /// Stops the server before its data directory goes (the directory is a
    /// field, dropped after this): on a multi-threaded runtime the server's
    /// tasks would otherwise go on writing into it, recreating files after
    /// it was removed. (A current-thread runtime runs no task once the test ends.)
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        } else if let Some(h) = self.handle.take()
            && let Ok(rt) = tokio::runtime::Handle::try_current()
            && rt.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread
        {
            let _ = tokio::task::block_in_place(|| rt.block_on(tokio::time::timeout(Duration::from_secs(20), h)));
        }
    }
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
