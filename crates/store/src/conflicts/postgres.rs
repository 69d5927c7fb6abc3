//! PostgreSQL: conflict checks.

use super::{
    Candidate, Check, CheckOutcome, ConflictStore, IMPORT_CHUNK, LeadToCheck, Listed, MAX_CANDIDATES, MatchWith,
    PER_WORD, PartyImport, StoredParty, lookup_words, sql,
};
use crate::{
    Actor, DbError, dollars, postgres::PgDb, postgres::events::notify_all, postgres::events::order_events, row,
    row::Columns, row::SUMMARY_COLUMNS,
};
use async_trait::async_trait;
use intake_domain::conflict::{ConflictDecision, ConflictStatus, ConflictView, NewParty};
use intake_domain::live::{LiveEvent, LiveEventKind};
use sqlx::{PgConnection, Row};
use std::sync::LazyLock;
use uuid::Uuid;

static SUMMARY_SQL: LazyLock<String> = LazyLock::new(|| {
    format!("SELECT {SUMMARY_COLUMNS} FROM leads l LEFT JOIN attorneys a ON a.id = l.reached_out_by WHERE l.id = $1")
});

/// A chunk of parties, column by column; the ids of those not already listed.
const ADD_PARTIES: &str = "INSERT INTO parties (id, fingerprint, name, organisation, email, role, matter, created_at)
     SELECT u.*, $8 FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS u
     ON CONFLICT (fingerprint) DO NOTHING RETURNING id";
const ADD_PARTY_WORDS: &str = "INSERT INTO party_words (word, party_id, name)
     SELECT * FROM UNNEST($1::text[], $2::uuid[], $3::text[]) ON CONFLICT DO NOTHING";
const REMOVE_PARTIES: &str = "DELETE FROM parties WHERE id = ANY($1)";

/// A check's matches, column by column.
const ADD_MATCHES: &str = "INSERT INTO conflict_matches (lead_id, party_id, other_lead, same_email, score)
     SELECT $1, u.* FROM UNNEST($2::uuid[], $3::uuid[], $4::bool[], $5::float8[]) AS u";
const ADD_WORDS: &str = "INSERT INTO lead_words (word, lead_id, name)
     SELECT w, $2, $3 FROM UNNEST($1::text[]) AS w ON CONFLICT DO NOTHING";

macro_rules! pg {
    ($($name:ident),*) => { $( static $name: LazyLock<String> = LazyLock::new(|| dollars(sql::$name)); )* };
}
pg!(
    RECHECK,
    PARTY_COUNT,
    PARTIES,
    UNCHECKED,
    UNCHECKED_COUNT,
    HAD,
    CLEAR_MATCHES,
    CLEAR_WORDS,
    SET_STATUS,
    CHECKED_EVENT,
    DECIDE,
    DECIDED_EVENT,
    STATUS,
    MATCHES,
    UNNAMED,
    NAME_PARTY,
    PARTIES_BY_EMAIL
);

/// Taken first: two checks of one lead (two instances) run one after the other.
static BEFORE: LazyLock<String> = LazyLock::new(|| format!("{} FOR UPDATE", dollars(sql::BEFORE)));

/// Rows `(cid, name)` of the parties sharing one of the words `$1`, each
/// word's `$2` newest ([`PER_WORD`]), from the primary key alone (it
/// includes `name`: an index-only scan, no lookup per candidate).
const PARTY_WORD_ROWS: &str = "SELECT s.party_id, s.name FROM unnest($1::text[]) AS w (word)
     CROSS JOIN LATERAL (SELECT x.party_id, x.name FROM party_words x WHERE x.word = w.word
                         ORDER BY x.party_id DESC LIMIT $2) s";

/// As [`PARTY_WORD_ROWS`], for leads before `$3`.
const LEAD_WORD_ROWS: &str = "SELECT s.lead_id, s.name FROM unnest($1::text[]) AS w (word)
     CROSS JOIN LATERAL (SELECT x.lead_id, x.name FROM lead_words x WHERE x.word = w.word AND x.lead_id < $3
                         ORDER BY x.lead_id DESC LIMIT $2) s";

/// Earlier leads never checked (so without words: `unchecked` is the status
/// until the first check), on the `leads_conflict` index: another instance may
/// check a later lead first, and the earlier one must still be found.
const UNWORDED: &str = "SELECT l.id, l.first_name, l.last_name FROM leads l
     WHERE l.conflict = 'unchecked' AND l.id < $1 ORDER BY l.id DESC LIMIT $2";

/// Party word rows stored before a row carried its party's name (migration
/// 0027) get it: names are folded here, not in SQL. Runs at start-up, before
/// anything reads candidates; once done, a partial index says so at once.
pub(crate) async fn fill_party_names(pool: &sqlx::PgPool) -> Result<(), DbError> {
    loop {
        let rows: Vec<(Uuid, String)> = sqlx::query_as(&UNNAMED).fetch_all(pool).await?;
        if rows.is_empty() {
            return Ok(());
        }
        let mut tx = pool.begin().await?;
        for (id, name) in &rows {
            sqlx::query(&NAME_PARTY).bind(Candidate::words_of(name)).bind(id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
    }
}

/// The event for `lead`, with its row, queued to webhooks and notified at commit.
async fn event(
    tx: &mut PgConnection,
    event_id: i64,
    lead: Uuid,
    kind: LiveEventKind,
    by: Option<String>,
    now: i64,
) -> Result<LiveEvent, DbError> {
    let row = sqlx::query(&SUMMARY_SQL).bind(lead).fetch_one(&mut *tx).await?;
    let event = super::conflict_event(event_id, kind, row::summary(&row)?, by, now);
    crate::webhooks::deliveries::queue_postgres(tx, std::slice::from_ref(&event)).await?;
    notify_all(tx, std::slice::from_ref(&event)).await?;
    Ok(event)
}

impl PgDb {
    /// Keeps one check's result (see [`ConflictStore::record_check`]).
    async fn record_one(&self, check: &Check<'_>, now: i64) -> Result<Option<CheckOutcome>, DbError> {
        let Check { lead, words, found } = *check;
        let mut tx = self.pool.begin().await?;
        let Some(before) = sqlx::query_scalar::<_, String>(&BEFORE).bind(lead).fetch_optional(&mut *tx).await? else {
            return Ok(None);
        };
        let before = ConflictStatus::parse(&before).ok_or_else(|| DbError::corrupt("conflict", &before))?;
        let mut had = Vec::new();
        for r in sqlx::query(&HAD).bind(lead).fetch_all(&mut *tx).await? {
            had.push(super::match_with(&r)?);
        }
        let status = super::status_after(before, &had, found);
        sqlx::query(&CLEAR_MATCHES).bind(lead).execute(&mut *tx).await?;
        if !found.is_empty() {
            let side = |party: bool| -> Vec<Option<Uuid>> {
                found
                    .iter()
                    .map(|m| match m.with {
                        MatchWith::Party(p) => party.then_some(p),
                        MatchWith::Lead(l) => (!party).then_some(l),
                    })
                    .collect()
            };
            sqlx::query(ADD_MATCHES)
                .bind(lead)
                .bind(side(true))
                .bind(side(false))
                .bind(found.iter().map(|m| m.same_email).collect::<Vec<_>>())
                .bind(found.iter().map(|m| m.score).collect::<Vec<_>>())
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(&CLEAR_WORDS).bind(lead).execute(&mut *tx).await?;
        sqlx::query(ADD_WORDS).bind(words).bind(lead).bind(words.join(" ")).execute(&mut *tx).await?;
        sqlx::query(&SET_STATUS).bind(status.as_str()).bind(now).bind(lead).execute(&mut *tx).await?;
        let event = if super::announced(before, status) {
            order_events(&mut tx).await?;
            let event_id: i64 = sqlx::query_scalar(&CHECKED_EVENT)
                .bind(lead)
                .bind(now)
                .bind(status.as_str())
                .fetch_one(&mut *tx)
                .await?;
            Some(event(&mut tx, event_id, lead, LiveEventKind::ConflictChecked, None, now).await?)
        } else {
            None
        };
        tx.commit().await?;
        Ok(Some(CheckOutcome { status, event }))
    }
}

#[async_trait]
impl ConflictStore for PgDb {
    async fn import_parties(&self, parties: &[NewParty], replace: bool, now: i64) -> Result<PartyImport, DbError> {
        let (listed, fingerprints) = Listed::all(parties);
        // One transaction: PostgreSQL's row locks let submissions and checks go on meanwhile.
        let mut tx = self.pool.begin().await?;
        // One import at a time: two replacing imports would each remove the other's parties.
        sqlx::query("LOCK TABLE parties IN SHARE ROW EXCLUSIVE MODE").execute(&mut *tx).await?;
        let mut done = PartyImport::default();
        for chunk in listed.chunks(IMPORT_CHUNK) {
            let ids: Vec<Uuid> = chunk.iter().map(|_| Uuid::now_v7()).collect();
            let field = |f: fn(&NewParty) -> Option<String>| chunk.iter().map(|l| f(l.party)).collect::<Vec<_>>();
            let added: std::collections::HashSet<Uuid> = sqlx::query_scalar(ADD_PARTIES)
                .bind(&ids)
                .bind(chunk.iter().map(|l| l.fingerprint.as_str()).collect::<Vec<_>>())
                .bind(field(|p| Some(p.name.clone())))
                .bind(field(|p| p.organisation.clone()))
                .bind(field(|p| p.email.clone()))
                .bind(chunk.iter().map(|l| l.party.role.as_str()).collect::<Vec<_>>())
                .bind(field(|p| p.matter.clone()))
                .bind(now)
                .fetch_all(&mut *tx)
                .await?
                .into_iter()
                .collect();
            let rows: Vec<(&str, Uuid, &str)> = chunk
                .iter()
                .zip(&ids)
                .filter(|(_, id)| added.contains(id))
                .flat_map(|(l, id)| l.words.iter().map(move |w| (w.as_str(), *id, l.name.as_str())))
                .collect();
            let words: Vec<&str> = rows.iter().map(|r| r.0).collect();
            let owners: Vec<Uuid> = rows.iter().map(|r| r.1).collect();
            let names: Vec<&str> = rows.iter().map(|r| r.2).collect();
            sqlx::query(ADD_PARTY_WORDS).bind(words).bind(owners).bind(names).execute(&mut *tx).await?;
            done.added += added.len() as u64;
            done.kept += (chunk.len() - added.len()) as u64;
        }
        if replace {
            let all: Vec<(Uuid, String)> =
                sqlx::query_as("SELECT id, fingerprint FROM parties").fetch_all(&mut *tx).await?;
            let gone: Vec<Uuid> =
                all.into_iter().filter(|(_, f)| !fingerprints.contains(f)).map(|(id, _)| id).collect();
            for ids in gone.chunks(IMPORT_CHUNK) {
                done.removed += sqlx::query(REMOVE_PARTIES).bind(ids).execute(&mut *tx).await?.rows_affected();
            }
        }
        if done.added + done.removed > 0 {
            done.rechecks = sqlx::query(&RECHECK).execute(&mut *tx).await?.rows_affected();
        }
        tx.commit().await?;
        Ok(done)
    }

    async fn parties(&self, limit: i64) -> Result<(i64, Vec<StoredParty>), DbError> {
        let count: i64 = sqlx::query_scalar(&PARTY_COUNT).fetch_one(&self.pool).await?;
        let rows = sqlx::query(&PARTIES).bind(limit).fetch_all(&self.pool).await?;
        Ok((count, rows.iter().map(super::party_row).collect::<Result<_, _>>()?))
    }

    async fn unchecked(&self, limit: i64) -> Result<Vec<LeadToCheck>, DbError> {
        let rows = sqlx::query(&UNCHECKED).bind(limit).fetch_all(&self.pool).await?;
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
        Ok(sqlx::query_scalar(&UNCHECKED_COUNT).fetch_one(&self.pool).await?)
    }

    async fn candidates(&self, lead: Uuid, words: &[String], email: &str) -> Result<Vec<Candidate>, DbError> {
        let words = lookup_words(words);
        let mut out = Vec::new();
        let mut conn = self.pool.acquire().await?;
        if !email.is_empty() {
            for r in sqlx::query(&PARTIES_BY_EMAIL).bind(email).fetch_all(&mut *conn).await? {
                let words = Candidate::words_of(&r.text("name")?);
                out.push(Candidate::Party { id: r.uuid("id")?, words, email: r.opt_text("email")? });
            }
        }
        if !words.is_empty() {
            let parties: Vec<(Uuid, Option<String>)> =
                sqlx::query_as(PARTY_WORD_ROWS).bind(&words).bind(PER_WORD).fetch_all(&mut *conn).await?;
            for (id, words) in super::most_shared(parties) {
                out.push(Candidate::Party { id, words, email: None });
            }
            let leads: Vec<(Uuid, Option<String>)> =
                sqlx::query_as(LEAD_WORD_ROWS).bind(&words).bind(PER_WORD).bind(lead).fetch_all(&mut *conn).await?;
            for (id, words) in super::most_shared(leads) {
                out.push(Candidate::Lead { id, words });
            }
        }
        for r in sqlx::query(UNWORDED).bind(lead).bind(MAX_CANDIDATES as i64).fetch_all(&mut *conn).await? {
            let words = Candidate::words_of(&format!("{} {}", r.text("first_name")?, r.text("last_name")?));
            out.push(Candidate::Lead { id: r.uuid("id")?, words });
        }
        Ok(out)
    }

    async fn record_checks(&self, checks: &[Check<'_>], now: i64) -> Result<Vec<Option<CheckOutcome>>, DbError> {
        // One transaction each: a check holds the events' order lock (as
        // submissions do) from its event to its commit, so a batch's would
        // make submissions wait; PostgreSQL's commits need no batching.
        let mut done = Vec::with_capacity(checks.len());
        for check in checks {
            done.push(self.record_one(check, now).await?);
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
        let status = decision.status().as_str();
        let mut tx = self.pool.begin().await?;
        if sqlx::query(&DECIDE).bind(status).bind(now).bind(lead).execute(&mut *tx).await?.rows_affected() == 0 {
            return Ok(None);
        }
        order_events(&mut tx).await?;
        let event_id: i64 = sqlx::query_scalar(&DECIDED_EVENT)
            .bind(lead)
            .bind(by.attorney.id)
            .bind(by.token.map(|t| t.id))
            .bind(now)
            .bind(status)
            .bind((!note.is_empty()).then_some(note))
            .fetch_one(&mut *tx)
            .await?;
        let event = event(&mut tx, event_id, lead, LiveEventKind::ConflictDecided, Some(by.display()), now).await?;
        tx.commit().await?;
        Ok(Some(event))
    }

    async fn conflicts(&self, lead: Uuid) -> Result<ConflictView, DbError> {
        let mut conn = self.pool.acquire().await?;
        let Some(status) = sqlx::query_scalar::<_, String>(&STATUS).bind(lead).fetch_optional(&mut *conn).await? else {
            return Ok(ConflictView::default());
        };
        let mut view = ConflictView {
            status: ConflictStatus::parse(&status).ok_or_else(|| DbError::corrupt("conflict", &status))?,
            matches: Vec::new(),
        };
        for r in sqlx::query(&MATCHES).bind(lead).fetch_all(&mut *conn).await? {
            view.matches.push(super::match_row(&r, r.try_get("score")?)?);
        }
        Ok(view)
    }
}
