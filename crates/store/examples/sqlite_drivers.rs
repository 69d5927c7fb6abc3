//! Why SQLite has two drivers: the same reads through sqlx's pool (each
//! statement handed to a connection's worker thread and back) and through a
//! rusqlite connection used in place on the calling thread (what the store's
//! readers do), on one database, with the same concurrency.
//!
//!   cargo run --release -p intake-store --example sqlite_drivers [LEADS] [SECONDS]
//!
//! Prints reads per second and the process's CPU time per read for a primary
//! key lookup and for a dashboard page (50 rows), each driver in turn.

use rusqlite::{Connection, OpenFlags};
use sqlx::{Row, SqlitePool, sqlite::SqlitePoolOptions};
use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

const TASKS: usize = 16;
const PAGE: &str = "SELECT l.id, l.first_name, l.last_name, l.email, l.state, l.created_at, l.resume_file_name
     FROM leads l LEFT JOIN attorneys a ON a.id = l.reached_out_by ORDER BY l.id DESC LIMIT 50";
const LOOKUP: &str =
    "SELECT id, first_name, last_name, email, state, created_at, resume_file_name FROM leads WHERE id = ?1";

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let leads: u64 = args.first().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let seconds: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(5);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("intake.db");
    let url = format!("sqlite://{}", path.display());
    // The app's own migrations and settings (WAL).
    intake_store::Db::connect(&url).await.expect("connect").close().await;
    let ids = seed(&url, leads).await;
    let ids = Arc::new(ids);
    let pool = SqlitePoolOptions::new().max_connections(8).connect(&url).await.expect("pool");
    let conns = Arc::new(Mutex::new(Vec::new()));
    println!("{leads} leads, {TASKS} concurrent readers, {seconds} s each");
    println!("| read | sqlx pool | rusqlite in place |");
    println!("| --- | --- | --- |");
    for (name, sql) in [("one lead by id", LOOKUP), ("dashboard page, 50 rows", PAGE)] {
        let a = measure(seconds, ids.clone(), {
            let pool = pool.clone();
            move |id| {
                let pool = pool.clone();
                async move { read_sqlx(&pool, sql, id).await }
            }
        })
        .await;
        let b = measure(seconds, ids.clone(), {
            let (conns, path) = (conns.clone(), path.clone());
            move |id| {
                let (conns, path) = (conns.clone(), path.clone());
                async move { read_in_place(&conns, &path, sql, id) }
            }
        })
        .await;
        println!("| {name} | {a} | {b} |");
    }
    pool.close().await;
}

/// Adds `n` leads in one transaction; returns their ids.
async fn seed(url: &str, n: u64) -> Vec<String> {
    let pool = SqlitePool::connect(url).await.expect("seed pool");
    let mut tx = pool.begin().await.unwrap();
    let mut ids = Vec::with_capacity(n as usize);
    for i in 0..n {
        let id = uuid::Uuid::now_v7().to_string();
        sqlx::query(
            "INSERT INTO leads (id, first_name, last_name, email, email_normalized, state, created_at, updated_at,
                 resume_file_name, resume_content_type, resume_size, resume_sha256, resume_key)
             VALUES (?1, 'Ada', ?2, ?3, ?3, 'PENDING', ?4, ?4, 'cv.pdf', 'application/pdf', 1, '00', ?1)",
        )
        .bind(&id)
        .bind(format!("Lovelace {i}"))
        .bind(format!("ada{i}@example.com"))
        .bind(i as i64)
        .execute(&mut *tx)
        .await
        .unwrap();
        ids.push(id);
    }
    tx.commit().await.unwrap();
    pool.close().await;
    ids
}

/// Rows read, every column copied out, through sqlx.
async fn read_sqlx(pool: &SqlitePool, sql: &str, id: String) -> usize {
    let rows = sqlx::query(sql).bind(id).fetch_all(pool).await.unwrap();
    rows.iter().map(|r| r.get::<String, _>(0).len() + r.get::<String, _>(1).len() + r.get::<String, _>(3).len()).sum()
}

/// The same through a read-only rusqlite connection taken from a small pool, on this thread.
fn read_in_place(conns: &Mutex<Vec<Connection>>, path: &std::path::Path, sql: &str, id: String) -> usize {
    let conn = conns.lock().unwrap().pop().unwrap_or_else(|| {
        let c = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .expect("reader");
        c.pragma_update(None, "mmap_size", 1i64 << 30).unwrap();
        c
    });
    let mut total = 0;
    {
        let mut stmt = conn.prepare_cached(sql).unwrap();
        let params: &[&dyn rusqlite::ToSql] = if sql.contains("?1") { &[&id] } else { &[] };
        let mut rows = stmt.query(params).unwrap();
        while let Some(r) = rows.next().unwrap() {
            total += r.get::<_, String>(0).unwrap().len()
                + r.get::<_, String>(1).unwrap().len()
                + r.get::<_, String>(3).unwrap().len();
        }
    }
    conns.lock().unwrap().push(conn);
    total
}

/// Runs `read` from [`TASKS`] tasks for `seconds`; "N/s, M µs CPU each".
async fn measure<F, Fut>(seconds: u64, ids: Arc<Vec<String>>, read: F) -> String
where
    F: Fn(String) -> Fut + Send + Sync + Clone + 'static,
    Fut: std::future::Future<Output = usize> + Send,
{
    let done = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let cpu_before = cpu_seconds();
    let started = Instant::now();
    let tasks: Vec<_> = (0..TASKS)
        .map(|t| {
            let (done, stop, ids, read) = (done.clone(), stop.clone(), ids.clone(), read.clone());
            tokio::spawn(async move {
                let mut n = t;
                while !stop.load(Ordering::Relaxed) {
                    std::hint::black_box(read(ids[n % ids.len()].clone()).await);
                    done.fetch_add(1, Ordering::Relaxed);
                    n += 7919;
                    // An in-place read never waits; let the timer and the other tasks run.
                    tokio::task::yield_now().await;
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.unwrap();
    }
    let (n, elapsed, cpu) = (done.load(Ordering::Relaxed), started.elapsed(), cpu_seconds() - cpu_before);
    format!("{:.0}/s, {:.0} µs CPU each", n as f64 / elapsed.as_secs_f64(), cpu * 1e6 / n.max(1) as f64)
}

/// This process's user + system CPU time so far.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or_default().split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}
