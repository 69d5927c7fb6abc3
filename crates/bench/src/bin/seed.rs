//! Seeds a database with leads with real-looking names, fast, for the
//! benchmark's large-table figures (1,000,000 leads in about a minute). The
//! leads go straight into the tables (with their history; no emails), so
//! the app's migrations and triggers must already be there.
//!
//!   cargo run --release -p intake-bench --bin seed -- DATABASE_URL TOTAL
//!
//! Adds leads until the table holds TOTAL. They are stored as already
//! conflict-checked (no match), so the server does not check them all behind
//! the figures; `conflicts` benchmarks the check itself.

use intake_bench::names;
use sqlx::{Connection, Executor};
use uuid::Uuid;

const BATCH: u64 = 5_000;

/// Where the seeding starts: the table's fake leads are numbered from here
/// and timed from `base_ms`; `offset` keeps two runs' addresses apart.
struct Plan {
    url: String,
    count: u64,
    base_ms: i64,
    offset: u64,
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let url = args.first().expect("DATABASE_URL").clone();
    let count: u64 = args.get(1).and_then(|c| c.parse().ok()).expect("TOTAL");
    // Connecting through the app applies its migrations.
    intake_store::Db::connect(&url).await.expect("connect").close().await;
    let start = std::time::Instant::now();
    let offset: u64 = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let plan = Plan { url, count, base_ms: 1_600_000_000_000, offset };
    let added = if plan.url.starts_with("sqlite:") { seed_sqlite(&plan).await } else { seed_postgres(&plan).await };
    println!("seeded {added} leads in {:.1} s", start.elapsed().as_secs_f64());
}

/// One transaction per batch of statements; returns the leads added.
async fn seed_sqlite(p: &Plan) -> u64 {
    let Plan { url, count, base_ms, offset } = p;
    let (count, base_ms, offset) = (*count, *base_ms, *offset);
    let mut conn = sqlx::SqliteConnection::connect(url).await.expect("connect");
    let mut done =
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM leads").fetch_one(&mut conn).await.unwrap() as u64;
    let first = done;
    conn.execute("PRAGMA synchronous = OFF").await.unwrap();
    while done < count {
        let mut tx = conn.begin().await.unwrap();
        for n in done..(done + BATCH).min(count) {
            let (first, last, email) = names::person(n + offset * 10_000_000);
            let id = lead_id(base_ms, n);
            let at = base_ms + n as i64;
            sqlx::query(
                "INSERT INTO leads (id, first_name, last_name, email, email_normalized, state, created_at,
                     updated_at, resume_file_name, resume_content_type, resume_size, resume_sha256, resume_key,
                     conflict, conflict_checked_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'PENDING', ?6, ?6, 'cv.pdf', 'application/pdf', 51200, '00', ?7, 'clear', ?6)",
            )
            .bind(id.to_string())
            .bind(&first)
            .bind(&last)
            .bind(&email)
            .bind(email.to_lowercase())
            .bind(at)
            .bind(id.simple().to_string())
            .execute(&mut *tx)
            .await
            .unwrap();
            sqlx::query("INSERT INTO lead_events (lead_id, kind, state, at) VALUES (?1, 'CREATED', 'PENDING', ?2)")
                .bind(id.to_string())
                .bind(at)
                .execute(&mut *tx)
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        done = (done + BATCH).min(count);
    }
    count.saturating_sub(first)
}

/// One statement per batch (`unnest`); returns the leads added.
async fn seed_postgres(p: &Plan) -> u64 {
    let Plan { url, count, base_ms, offset } = p;
    let (count, base_ms, offset) = (*count, *base_ms, *offset);
    let mut conn = sqlx::PgConnection::connect(url).await.expect("connect");
    let mut done =
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM leads").fetch_one(&mut conn).await.unwrap() as u64;
    let first = done;
    conn.execute("SET synchronous_commit = off").await.unwrap();
    while done < count {
        let range: Vec<u64> = (done..(done + BATCH).min(count)).collect();
        let people: Vec<_> = range.iter().map(|n| names::person(n + offset * 10_000_000)).collect();
        let ids: Vec<Uuid> = range.iter().map(|n| lead_id(base_ms, *n)).collect();
        let ats: Vec<i64> = range.iter().map(|n| base_ms + *n as i64).collect();
        let mut tx = conn.begin().await.unwrap();
        sqlx::query(
            "INSERT INTO leads (id, first_name, last_name, email, email_normalized, state, created_at, updated_at,
                 resume_file_name, resume_content_type, resume_size, resume_sha256, resume_key,
                 conflict, conflict_checked_at)
             SELECT id, f, l, e, lower(e), 'PENDING', t, t, 'cv.pdf', 'application/pdf', 51200, '00',
                    replace(id::text, '-', ''), 'clear', t
             FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::bigint[]) AS u (id, f, l, e, t)",
        )
        .bind(&ids)
        .bind(people.iter().map(|p| p.0.clone()).collect::<Vec<_>>())
        .bind(people.iter().map(|p| p.1.clone()).collect::<Vec<_>>())
        .bind(people.iter().map(|p| p.2.clone()).collect::<Vec<_>>())
        .bind(&ats)
        .execute(&mut *tx)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO lead_events (lead_id, kind, state, at)
             SELECT id, 'CREATED', 'PENDING', t FROM unnest($1::uuid[], $2::bigint[]) AS u (id, t)",
        )
        .bind(&ids)
        .bind(&ats)
        .execute(&mut *tx)
        .await
        .unwrap();
        tx.commit().await.unwrap();
        done = range.last().map_or(count, |n| n + 1);
    }
    sqlx::query("VACUUM ANALYZE leads").execute(&mut conn).await.unwrap();
    count.saturating_sub(first)
}

/// A time-ordered id, older than any real lead (ids order the dashboard).
fn lead_id(base_ms: i64, n: u64) -> Uuid {
    let ms = (base_ms + n as i64) as u64;
    let rand = (n.wrapping_mul(0x9E37_79B9_7F4A_7C15) as u128) << 16 | (std::process::id() as u128 & 0xffff);
    Uuid::from_u128((u128::from(ms) << 80) | (0x7u128 << 76) | (rand & ((1u128 << 62) - 1)) | (0b10u128 << 62))
}
