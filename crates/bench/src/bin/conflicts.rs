//! The conflict check's cost with a large firm's data: PARTIES parties and
//! the leads already in the database (seed them with `seed` first), then
//! CHECKS of the newest leads checked again, one at a time, as the server's
//! background checker does. Prints p50/p99/max per check and the matches found.
//!
//!   cargo run --release -p intake-bench --bin conflicts -- DATABASE_URL PARTIES CHECKS

use intake_bench::names;
use intake_domain::conflict::{NewParty, PartyRole, name_words};
use std::time::Instant;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let url = args.first().expect("DATABASE_URL").clone();
    let parties: u64 = args.get(1).and_then(|c| c.parse().ok()).expect("PARTIES");
    let checks: i64 = args.get(2).and_then(|c| c.parse().ok()).expect("CHECKS");
    let db = intake_store::Db::connect(&url).await.expect("connect");
    // Parties with the same real-looking names as the leads (another numbering): common names collide, as in a real firm.
    let roles = PartyRole::ALL;
    let list: Vec<NewParty> = (0..parties)
        .map(|n| {
            let (first, last, email) = names::person(n + 7_000_000_000);
            let role = roles[n as usize % roles.len()];
            let matter = format!("20{:02}-{}", n % 25, n % 997);
            NewParty::parse(&format!("{first} {last}"), "", &email, role.as_str(), &matter).expect("a valid party")
        })
        .collect();
    // One upload, as an administrator sends it, while another connection
    // writes every 20 ms, as submissions would: how long does a write wait?
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let writer = tokio::spawn(writes_meanwhile(url.clone(), stopped));
    let started = Instant::now();
    db.conflicts().import_parties(&list, false, 1).await.expect("import");
    println!("imported {parties} parties in {:.1} s", started.elapsed().as_secs_f64());
    stop.send(true).unwrap();
    let mut waits = writer.await.unwrap();
    waits.sort_by(f64::total_cmp);
    if !waits.is_empty() {
        let q = |q: f64| waits[((waits.len() as f64 * q) as usize).min(waits.len() - 1)];
        println!(
            "{} writes during the import: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            waits.len(),
            q(0.5),
            q(0.99),
            waits.last().unwrap()
        );
    }
    // Every seeded lead's words, as the checker leaves them, in one pass;
    // then the newest leads are to be checked again against everything older.
    let started = Instant::now();
    let seeded = if url.starts_with("postgres") {
        let pool = sqlx::PgPool::connect(&url).await.expect("connect");
        let rows: Vec<(uuid::Uuid, String, String)> =
            sqlx::query_as("SELECT id, first_name, last_name FROM leads").fetch_all(&pool).await.unwrap();
        let mut tx = pool.begin().await.unwrap();
        for (id, first, last) in &rows {
            let words = name_words(&format!("{first} {last}"));
            for w in &words {
                sqlx::query("INSERT INTO lead_words (word, lead_id, name) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                    .bind(w)
                    .bind(id)
                    .bind(words.join(" "))
                    .execute(&mut *tx)
                    .await
                    .unwrap();
            }
        }
        // The import queued every pending lead; only the newest are to be checked (against all older ones).
        sqlx::query("UPDATE leads SET conflict_checked_at = 1").execute(&mut *tx).await.unwrap();
        sqlx::query(&RECHECK.replace('?', "$")).bind(checks).execute(&mut *tx).await.unwrap();
        tx.commit().await.unwrap();
        // As autovacuum does after such a load (PostgreSQL 13+ vacuums after
        // inserts too): planned on fresh statistics, and the visibility map
        // set, so the word index is read without visiting the table.
        sqlx::query("VACUUM ANALYZE").execute(&pool).await.unwrap();
        rows.len()
    } else {
        let pool = sqlx::SqlitePool::connect(&url).await.expect("connect");
        let rows: Vec<(String, String, String)> =
            sqlx::query_as("SELECT id, first_name, last_name FROM leads").fetch_all(&pool).await.unwrap();
        let mut tx = pool.begin().await.unwrap();
        for (id, first, last) in &rows {
            let words = name_words(&format!("{first} {last}"));
            for w in &words {
                sqlx::query("INSERT INTO lead_words (word, lead_id, name) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING")
                    .bind(w)
                    .bind(id)
                    .bind(words.join(" "))
                    .execute(&mut *tx)
                    .await
                    .unwrap();
            }
        }
        sqlx::query("UPDATE leads SET conflict_checked_at = 1").execute(&mut *tx).await.unwrap();
        sqlx::query(RECHECK).bind(checks).execute(&mut *tx).await.unwrap();
        tx.commit().await.unwrap();
        rows.len()
    };
    println!("indexed {seeded} leads' names in {:.1} s", started.elapsed().as_secs_f64());

    let waiting = db.conflicts().unchecked(checks).await.unwrap();
    // The check in its two parts: finding the matches (reads), and keeping them (one write transaction).
    let (mut finding, mut times) = (Vec::with_capacity(waiting.len()), Vec::with_capacity(waiting.len()));
    let (mut reading, mut read) = (Vec::with_capacity(waiting.len()), 0);
    let started = Instant::now();
    let mut found = 0;
    for lead in &waiting {
        let t = Instant::now();
        let words = name_words(&format!("{} {}", lead.first_name, lead.last_name));
        let candidates = db.conflicts().candidates(lead.id, &words, &lead.email_normalized).await.unwrap();
        reading.push(t.elapsed().as_secs_f64() * 1000.0);
        read += candidates.len();
        let matches = intake_core::conflict::find_matches(&words, &lead.email_normalized, &candidates);
        finding.push(t.elapsed().as_secs_f64() * 1000.0);
        db.conflicts().record_check(lead.id, &words, &matches, 2).await.unwrap().expect("recorded");
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        found += matches.len();
    }
    let total = started.elapsed().as_secs_f64();
    finding.sort_by(f64::total_cmp);
    reading.sort_by(f64::total_cmp);
    let q = |v: &[f64], q: f64| v[((v.len() as f64 * q) as usize).min(v.len() - 1)];
    println!(
        "of which reading the candidates: p50 {:.2} ms, p99 {:.2} ms; {:.0} candidates per lead",
        q(&reading, 0.5),
        q(&reading, 0.99),
        read as f64 / reading.len() as f64
    );
    println!(
        "finding the matches: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        q(&finding, 0.5),
        q(&finding, 0.99),
        finding.last().unwrap()
    );
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    println!(
        "{} checks against {parties} parties and {} leads: {:.0}/s, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; {:.1} matches per lead",
        times.len(),
        seeded,
        times.len() as f64 / total,
        at(0.5),
        at(0.99),
        times.last().unwrap(),
        found as f64 / times.len() as f64
    );
    db.close().await;
}

/// The newest `?1` leads, to be checked again.
const RECHECK: &str = "UPDATE leads SET conflict_checked_at = NULL
     WHERE id IN (SELECT id FROM leads ORDER BY id DESC LIMIT ?1)";

/// Writes (a lead's `updated_at` set to itself, a transaction of its own)
/// every 20 ms until told to stop; the time each took (a refused write, as
/// SQLite refuses one after its busy timeout, counts as infinite).
async fn writes_meanwhile(url: String, mut stop: tokio::sync::watch::Receiver<bool>) -> Vec<f64> {
    const PROBE: &str =
        "UPDATE leads SET updated_at = updated_at WHERE id = (SELECT id FROM leads ORDER BY id LIMIT 1)";
    let pg = if url.starts_with("postgres") { Some(sqlx::PgPool::connect(&url).await.expect("connect")) } else { None };
    let lite = match &pg {
        // The server's busy timeout.
        None => Some(
            sqlx::SqlitePool::connect_with(
                url.parse::<sqlx::sqlite::SqliteConnectOptions>()
                    .expect("a SQLite URL")
                    .busy_timeout(std::time::Duration::from_secs(10)),
            )
            .await
            .expect("connect"),
        ),
        Some(_) => None,
    };
    let mut times = Vec::new();
    while !*stop.borrow() {
        let t = Instant::now();
        let done = match (&pg, &lite) {
            (Some(pool), _) => sqlx::query(PROBE).execute(pool).await.map(drop),
            (_, Some(pool)) => sqlx::query(PROBE).execute(pool).await.map(drop),
            _ => unreachable!(),
        };
        times.push(if done.is_ok() { t.elapsed().as_secs_f64() * 1000.0 } else { f64::INFINITY });
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_millis(20)) => {}
            _ = stop.changed() => {}
        }
    }
    times
}
