//! SQLite: conflict checks.

use super::{
    Candidate, Check, CheckOutcome, ConflictStore, IMPORT_CHUNK, LeadToCheck, Listed, MAX_CANDIDATES, MatchWith,
    PER_WORD, PartyImport, StoredParty, lookup_words, sql,
};
use crate::{Actor, DbError, row, row::Columns, row::SUMMARY_COLUMNS, sqlite::SqliteDb};
use async_trait::async_trait;
use intake_domain::conflict::{ConflictDecision, ConflictStatus, ConflictView, NewParty};
use intake_domain::live::{LiveEvent, LiveEventKind};
use sqlx::{Row, SqliteConnection};
use std::sync::LazyLock;
use uuid::Uuid;

static SUMMARY_SQL: LazyLock<String> = LazyLock::new(|| {
    format!("SELECT {SUMMARY_COLUMNS} FROM leads l LEFT JOIN attorneys a ON a.id = l.reached_out_by WHERE l.id = ?1")
});

/// The rows `cid name` of `table` (`party_words` or `lead_words`, whose id
/// column is `id`) for each of `words` words (`?3`…), one per line: each
/// word's `?2` newest ([`PER_WORD`]), for leads only those before `?1`. Read
/// from the table's primary key alone (`WITHOUT ROWID`: the rows are the
/// index), and sent as one text: a few thousand rows one by one cost the
/// driver more than the database.
fn sharing_sql(words: usize, table: &str, id: &str, earlier: bool) -> String {
    let before = if earlier { format!(" AND {id} < ?1") } else { String::new() };
    let per_word = (0..words)
        .map(|i| {
            format!(
                "SELECT * FROM (SELECT {id} AS cid, name FROM {table} WHERE word = ?{}{before} ORDER BY {id} DESC LIMIT ?2)",
                i + 3
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    format!("SELECT group_concat(cid || ' ' || coalesce(name, ''), char(10)) FROM ({per_word})")
}

/// Party word rows stored before a row carried its party's name (migration
/// 0029) get it: names are folded here, not in SQL. Runs at start-up, before
/// anything reads candidates; once done, a partial index says so at once.
pub(crate) async fn fill_party_names(pool: &sqlx::SqlitePool) -> Result<(), DbError> {
    loop {
        let rows: Vec<(String, String)> = sqlx::query_as(sql::UNNAMED).fetch_all(pool).await?;
        if rows.is_empty() {
            return Ok(());
        }
        let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
        for (id, name) in &rows {
            sqlx::query(sql::NAME_PARTY).bind(Candidate::words_of(name)).bind(id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
    }
}

/// A write transaction of an import.
enum Step<'a> {
    Add(&'a [Listed<'a>]),
    Remove(&'a [String]),
}

static IMPORTS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A chunk of parties (a JSON array of `[id, fingerprint, name, organisation,
/// email, role, matter]`); the ids of those not already listed.
const ADD_PARTIES: &str = "INSERT INTO parties (id, fingerprint, name, organisation, email, role, matter, created_at)
     SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, ?2 FROM json_each(?1)
     WHERE true ON CONFLICT (fingerprint) DO NOTHING RETURNING id";
/// `[word, party id, name]` triples.
const ADD_PARTY_WORDS: &str = "INSERT INTO party_words (word, party_id, name)
     SELECT value->>0, value->>1, value->>2 FROM json_each(?1) WHERE true ON CONFLICT DO NOTHING";
const REMOVE_PARTIES: &str = "DELETE FROM parties WHERE id IN (SELECT value FROM json_each(?1))";

/// Earlier leads never checked (so without words: `unchecked` is the status
/// until the first check), on the `leads_conflict` index: another instance may
/// check a later lead first, and the earlier one must still be found.
const UNWORDED: &str = "SELECT l.id, l.first_name, l.last_name FROM leads l
     WHERE l.conflict = 'unchecked' AND l.id < ?1 ORDER BY l.id DESC LIMIT ?2";

/// The event for `lead`, with its row, queued to webhooks; published by the caller after commit.
async fn event(
    tx: &mut SqliteConnection,
    event_id: i64,
    lead: &str,
    kind: LiveEventKind,
    by: Option<String>,
    now: i64,
) -> Result<LiveEvent, DbError> {
    let row = sqlx::query(&SUMMARY_SQL).bind(lead).fetch_one(&mut *tx).await?;
    let event = super::conflict_event(event_id, kind, row::summary(&row)?, by, now);
    crate::webhooks::deliveries::queue_sqlite(tx, &event).await?;
    Ok(event)
}

/// Keeps one check's result in `tx` (see [`ConflictStore::record_check`]);
/// its event is published by the caller after commit.
async fn record(tx: &mut SqliteConnection, check: &Check<'_>, now: i64) -> Result<Option<CheckOutcome>, DbError> {
    let Check { lead, words, found } = *check;
    let id = lead.hyphenated().to_string();
    let Some(before) = sqlx::query_scalar::<_, String>(sql::BEFORE).bind(&id).fetch_optional(&mut *tx).await? else {
        return Ok(None);
    };
    let before = ConflictStatus::parse(&before).ok_or_else(|| DbError::corrupt("conflict", &before))?;
    let mut had = Vec::new();
    for r in sqlx::query(sql::HAD).bind(&id).fetch_all(&mut *tx).await? {
        had.push(super::match_with(&r)?);
    }
    let status = super::status_after(before, &had, found);
    sqlx::query(sql::CLEAR_MATCHES).bind(&id).execute(&mut *tx).await?;
    for m in found {
        let (party, other) = match m.with {
            MatchWith::Party(p) => (Some(p.hyphenated().to_string()), None),
            MatchWith::Lead(l) => (None, Some(l.hyphenated().to_string())),
        };
        sqlx::query(sql::ADD_MATCH)
            .bind(&id)
            .bind(party)
            .bind(other)
            .bind(m.same_email)
            .bind(m.score)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query(sql::CLEAR_WORDS).bind(&id).execute(&mut *tx).await?;
    let name = words.join(" ");
    for w in words {
        sqlx::query(sql::ADD_WORD).bind(w).bind(&id).bind(&name).execute(&mut *tx).await?;
    }
    sqlx::query(sql::SET_STATUS).bind(status.as_str()).bind(now).bind(&id).execute(&mut *tx).await?;
    let event = if super::announced(before, status) {
        let event_id: i64 = sqlx::query_scalar(sql::CHECKED_EVENT)
            .bind(&id)
            .bind(now)
            .bind(status.as_str())
            .fetch_one(&mut *tx)
            .await?;
        Some(event(tx, event_id, &id, LiveEventKind::ConflictChecked, None, now).await?)
    } else {
        None
    };
    Ok(Some(CheckOutcome { status, event }))
}

#[async_trait]
impl ConflictStore for SqliteDb {
    async fn import_parties(&self, parties: &[NewParty], replace: bool, now: i64) -> Result<PartyImport, DbError> {
        // One import at a time (a replacing import removes what another adds);
        // SQLite is one process, so a lock in memory is enough.
        let _one_import = IMPORTS.lock().await;
        let (listed, fingerprints) = Listed::all(parties);
        let mut gone = Vec::new();
        if replace {
            let all: Vec<(String, String)> =
                sqlx::query_as("SELECT id, fingerprint FROM parties").fetch_all(&self.pool).await?;
            gone = all.into_iter().filter(|(_, f)| !fingerprints.contains(f)).map(|(id, _)| id).collect();
        }
        // Short transactions, the first marking the import unfinished, the
        // last queueing the rechecks and marking it finished: an import cut
        // short adds the rest when uploaded again, and any later import
        // queues the rechecks it owed.
        let steps: Vec<_> =
            (listed.chunks(IMPORT_CHUNK).map(Step::Add)).chain(gone.chunks(IMPORT_CHUNK).map(Step::Remove)).collect();
        let mut done = PartyImport::default();
        for (i, step) in steps.iter().enumerate() {
            let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
            if i == 0 {
                sqlx::query("INSERT INTO party_imports (started_at) VALUES (?1)").bind(now).execute(&mut *tx).await?;
            }
            match step {
                Step::Add(chunk) => {
                    let rows: Vec<_> = chunk
                        .iter()
                        .map(|l| {
                            let p = l.party;
                            let id = Uuid::now_v7().hyphenated().to_string();
                            serde_json::json!([
                                id,
                                l.fingerprint,
                                p.name,
                                p.organisation,
                                p.email,
                                p.role.as_str(),
                                p.matter
                            ])
                        })
                        .collect();
                    let added: std::collections::HashSet<String> = sqlx::query_scalar(ADD_PARTIES)
                        .bind(serde_json::to_string(&rows).map_err(|e| DbError::corrupt("parties", e))?)
                        .bind(now)
                        .fetch_all(&mut *tx)
                        .await?
                        .into_iter()
                        .collect();
                    let words: Vec<_> = chunk
                        .iter()
                        .zip(&rows)
                        .filter_map(|(l, row)| row[0].as_str().filter(|id| added.contains(*id)).map(|id| (l, id)))
                        .flat_map(|(l, id)| l.words.iter().map(move |w| serde_json::json!([w, id, l.name])))
                        .collect();
                    sqlx::query(ADD_PARTY_WORDS)
                        .bind(serde_json::to_string(&words).map_err(|e| DbError::corrupt("party words", e))?)
                        .execute(&mut *tx)
                        .await?;
                    done.added += added.len() as u64;
                    done.kept += (chunk.len() - added.len()) as u64;
                }
                Step::Remove(ids) => {
                    let ids = serde_json::to_string(ids).map_err(|e| DbError::corrupt("party ids", e))?;
                    done.removed += sqlx::query(REMOVE_PARTIES).bind(ids).execute(&mut *tx).await?.rows_affected();
                }
            }
            if i + 1 == steps.len() {
                // Unfinished imports besides this one were cut short, maybe after changing the list.
                let unfinished: i64 =
                    sqlx::query_scalar("SELECT COUNT(*) FROM party_imports WHERE finished_at IS NULL")
                        .fetch_one(&mut *tx)
                        .await?;
                if done.added + done.removed > 0 || unfinished > 1 {
                    done.rechecks = sqlx::query(sql::RECHECK).execute(&mut *tx).await?.rows_affected();
                }
                sqlx::query("UPDATE party_imports SET finished_at = ?1 WHERE finished_at IS NULL")
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            // A breath between writes: a submission waiting on the lock gets it.
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        Ok(done)
    }

    async fn parties(&self, limit: i64) -> Result<(i64, Vec<StoredParty>), DbError> {
        let count: i64 = sqlx::query_scalar(sql::PARTY_COUNT).fetch_one(&self.pool).await?;
        let rows = sqlx::query(sql::PARTIES).bind(limit).fetch_all(&self.pool).await?;
        Ok((count, rows.iter().map(super::party_row).collect::<Result<_, _>>()?))
    }

    async fn unchecked(&self, limit: i64) -> Result<Vec<LeadToCheck>, DbError> {
        let rows = sqlx::query(sql::UNCHECKED).bind(limit).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(LeadToCheck {
                    id: r.uuid("id")?,
                    first_name: r.text("first_name")?,
                    last_name: r.text("last_name")?,
                    email_normalized: r.text("email_normalized")?,
                })
            })
            .collect()
    }

    async fn unchecked_count(&self) -> Result<i64, DbError> {
        Ok(sqlx::query_scalar(sql::UNCHECKED_COUNT).fetch_one(&self.pool).await?)
    }

    async fn candidates(&self, lead: Uuid, words: &[String], email: &str) -> Result<Vec<Candidate>, DbError> {
        let words = lookup_words(words);
        let mut out = Vec::new();
        let mut conn = self.pool.acquire().await?;
        if !email.is_empty() {
            for r in sqlx::query(sql::PARTIES_BY_EMAIL).bind(email).fetch_all(&mut *conn).await? {
                let words = Candidate::words_of(&r.text("name")?);
                out.push(Candidate::Party { id: r.uuid("id")?, words, email: r.opt_text("email")? });
            }
        }
        let lead = lead.hyphenated().to_string();
        if !words.is_empty() {
            for (table, id) in [("party_words", "party_id"), ("lead_words", "lead_id")] {
                let sql = sharing_sql(words.len(), table, id, table == "lead_words");
                let mut query = sqlx::query_scalar::<_, Option<String>>(&sql).bind(&lead).bind(PER_WORD);
                for w in &words {
                    query = query.bind(w);
                }
                let lines = query.fetch_one(&mut *conn).await?.unwrap_or_default();
                let rows = lines.lines().map(|l| l.split_once(' ').map_or((l, None), |(id, w)| (id, Some(w))));
                for (cid, words) in super::most_shared(rows) {
                    let id = Uuid::parse_str(cid).map_err(|e| DbError::corrupt(table, e))?;
                    out.push(match table {
                        "party_words" => Candidate::Party { id, words, email: None },
                        _ => Candidate::Lead { id, words },
                    });
                }
            }
        }
        for r in sqlx::query(UNWORDED).bind(&lead).bind(MAX_CANDIDATES as i64).fetch_all(&mut *conn).await? {
            let words = Candidate::words_of(&format!("{} {}", r.text("first_name")?, r.text("last_name")?));
            out.push(Candidate::Lead { id: r.uuid("id")?, words });
        }
        Ok(out)
    }

    async fn record_checks(&self, checks: &[Check<'_>], now: i64) -> Result<Vec<Option<CheckOutcome>>, DbError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let mut done = Vec::with_capacity(checks.len());
        for check in checks {
            done.push(record(&mut tx, check, now).await?);
        }
        let _in_order = self.events.order.lock().await;
        tx.commit().await?;
        for e in done.iter().flatten().filter_map(|o| o.event.as_ref()) {
            self.events.publish_lead(e);
        }
        Ok(done)
    }

    async fn decide(
        &self,
        lead: Uuid,
        decision: ConflictDecision,
        note: &str,
        by: Actor<'_>,
        now: i64,
    ) -> Result<Option<LiveEvent>, DbError> {
        let id = lead.hyphenated().to_string();
        let status = decision.status().as_str();
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        if sqlx::query(sql::DECIDE).bind(status).bind(now).bind(&id).execute(&mut *tx).await?.rows_affected() == 0 {
            return Ok(None);
        }
        let event_id: i64 = sqlx::query_scalar(sql::DECIDED_EVENT)
            .bind(&id)
            .bind(by.attorney.id.hyphenated().to_string())
            .bind(by.token.map(|t| t.id.hyphenated().to_string()))
            .bind(now)
            .bind(status)
            .bind((!note.is_empty()).then_some(note))
            .fetch_one(&mut *tx)
            .await?;
        let event = event(&mut tx, event_id, &id, LiveEventKind::ConflictDecided, Some(by.display()), now).await?;
        let _in_order = self.events.order.lock().await;
        tx.commit().await?;
        self.events.publish_lead(&event);
        Ok(Some(event))
    }

    async fn conflicts(&self, lead: Uuid) -> Result<ConflictView, DbError> {
        let id = lead.hyphenated().to_string();
        let mut conn = self.pool.acquire().await?;
        let Some(status) = sqlx::query_scalar::<_, String>(sql::STATUS).bind(&id).fetch_optional(&mut *conn).await?
        else {
            return Ok(ConflictView::default());
        };
        let mut view = ConflictView {
            status: ConflictStatus::parse(&status).ok_or_else(|| DbError::corrupt("conflict", &status))?,
            matches: Vec::new(),
        };
        for r in sqlx::query(sql::MATCHES).bind(&id).fetch_all(&mut *conn).await? {
            view.matches.push(super::match_row(&r, r.try_get("score")?)?);
        }
        Ok(view)
    }
}
