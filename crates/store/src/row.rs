//! Row mapping, written once for every driver. Each driver's row type says
//! how it reads a column ([`Columns`]); the mappers below name the columns.
//! SQLite stores UUIDs as text, PostgreSQL natively: that is the difference.

use super::{
    ApiToken, Attorney, DbError, Lead, MessageStatus, OutboxMessage, ResumeMeta, Role, TokenScope, WebhookEndpoint,
    outbox::Channel,
};
use intake_domain::{
    LeadState, conflict::ConflictStatus, listing::HistoryEntry, listing::LeadSummary, live::LiveEvent,
    live::LiveEventKind,
};
use sqlx::Row as _;
use uuid::Uuid;

pub(crate) trait Columns {
    fn text(&self, col: &'static str) -> Result<String, DbError>;
    fn opt_text(&self, col: &'static str) -> Result<Option<String>, DbError>;
    fn int(&self, col: &'static str) -> Result<i64, DbError>;
    fn opt_int(&self, col: &'static str) -> Result<Option<i64>, DbError>;
    fn flag(&self, col: &'static str) -> Result<bool, DbError>;
    fn uuid(&self, col: &'static str) -> Result<Uuid, DbError>;
    fn opt_uuid(&self, col: &'static str) -> Result<Option<Uuid>, DbError>;

    fn state(&self, col: &'static str) -> Result<LeadState, DbError> {
        self.text(col)?.parse().map_err(|e: String| DbError::corrupt(col, e))
    }
}

fn parse_uuid(col: &'static str, s: &str) -> Result<Uuid, DbError> {
    Uuid::parse_str(s).map_err(|e| DbError::corrupt(col, e))
}

/// The readers sqlx rows share; each driver adds how it reads a UUID.
macro_rules! sqlx_columns {
    ($row:ty, { $($uuid_fns:tt)* }) => {
        impl Columns for $row {
            fn text(&self, col: &'static str) -> Result<String, DbError> {
                Ok(self.try_get(col)?)
            }
            fn opt_text(&self, col: &'static str) -> Result<Option<String>, DbError> {
                Ok(self.try_get(col)?)
            }
            fn int(&self, col: &'static str) -> Result<i64, DbError> {
                Ok(self.try_get(col)?)
            }
            fn opt_int(&self, col: &'static str) -> Result<Option<i64>, DbError> {
                Ok(self.try_get(col)?)
            }
            fn flag(&self, col: &'static str) -> Result<bool, DbError> {
                Ok(self.try_get(col)?)
            }
            $($uuid_fns)*
        }
    };
}

// SQLite stores UUIDs as text.
sqlx_columns!(sqlx::sqlite::SqliteRow, {
    fn uuid(&self, col: &'static str) -> Result<Uuid, DbError> {
        parse_uuid(col, self.try_get_unchecked::<&str, _>(col)?)
    }
    fn opt_uuid(&self, col: &'static str) -> Result<Option<Uuid>, DbError> {
        self.try_get_unchecked::<Option<&str>, _>(col)?.map(|s| parse_uuid(col, s)).transpose()
    }
});

sqlx_columns!(sqlx::postgres::PgRow, {
    fn uuid(&self, col: &'static str) -> Result<Uuid, DbError> {
        Ok(self.try_get(col)?)
    }
    fn opt_uuid(&self, col: &'static str) -> Result<Option<Uuid>, DbError> {
        Ok(self.try_get(col)?)
    }
});

/// The readers rusqlite rows share: `$row` is the row and `$at` finds a
/// column (`col`) in it, by name or by position.
macro_rules! rusqlite_columns {
    ($ty:ty, |$this:ident, $col:ident| ($row:expr, $at:expr)) => {
        impl Columns for $ty {
            fn text(&self, col: &'static str) -> Result<String, DbError> {
                let ($this, $col) = (self, col);
                Ok($row.get($at)?)
            }
            fn opt_text(&self, col: &'static str) -> Result<Option<String>, DbError> {
                let ($this, $col) = (self, col);
                Ok($row.get($at)?)
            }
            fn int(&self, col: &'static str) -> Result<i64, DbError> {
                let ($this, $col) = (self, col);
                Ok($row.get($at)?)
            }
            fn opt_int(&self, col: &'static str) -> Result<Option<i64>, DbError> {
                let ($this, $col) = (self, col);
                Ok($row.get($at)?)
            }
            fn flag(&self, col: &'static str) -> Result<bool, DbError> {
                let ($this, $col) = (self, col);
                Ok($row.get($at)?)
            }
            fn uuid(&self, col: &'static str) -> Result<Uuid, DbError> {
                let ($this, $col) = (self, col);
                // Borrowed, not copied: this runs for every listed row.
                let v = $row.get_ref($at)?;
                parse_uuid(col, v.as_str().map_err(|e| DbError::corrupt(col, e))?)
            }
            fn opt_uuid(&self, col: &'static str) -> Result<Option<Uuid>, DbError> {
                let ($this, $col) = (self, col);
                let v = $row.get_ref($at)?;
                v.as_str_or_null().map_err(|e| DbError::corrupt(col, e))?.map(|s| parse_uuid(col, s)).transpose()
            }
        }
    };
}

rusqlite_columns!(rusqlite::Row<'_>, |row, col| (row, col));

/// `SELECT *` from `leads`.
pub(crate) fn lead(r: &impl Columns) -> Result<Lead, DbError> {
    Ok(Lead {
        id: r.uuid("id")?,
        first_name: r.text("first_name")?,
        last_name: r.text("last_name")?,
        email: r.text("email")?,
        state: r.state("state")?,
        created_at: r.int("created_at")?,
        updated_at: r.int("updated_at")?,
        // All five or none (a trigger on SQLite, a CHECK on PostgreSQL).
        resume: match r.opt_text("resume_key")? {
            None => None,
            Some(key) => Some(ResumeMeta {
                file_name: r.text("resume_file_name")?,
                content_type: r.text("resume_content_type")?,
                size: r.int("resume_size")?,
                sha256: r.text("resume_sha256")?,
                key,
            }),
        },
    })
}

/// The columns of a listed lead, for `leads l LEFT JOIN attorneys a ON a.id = l.reached_out_by`.
pub(crate) const SUMMARY_COLUMNS: &str = "l.id, l.first_name, l.last_name, l.email, l.state, l.created_at,
     l.resume_file_name, l.resume_content_type, l.reached_out_at, a.display_name AS reached_out_by_name,
     l.referrer, l.utm_source, l.utm_medium, l.utm_campaign,
     l.assigned_to,
     CASE WHEN l.assigned_to IS NULL THEN NULL
          ELSE (SELECT x.display_name FROM attorneys x WHERE x.id = l.assigned_to) END AS assignee_name,
     l.conflict, l.matter_type, l.answers_text";

/// [`SUMMARY_COLUMNS`]' names, in their order.
const SUMMARY_NAMES: [&str; 19] = [
    "id",
    "first_name",
    "last_name",
    "email",
    "state",
    "created_at",
    "resume_file_name",
    "resume_content_type",
    "reached_out_at",
    "reached_out_by_name",
    "referrer",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "assigned_to",
    "assignee_name",
    "conflict",
    "matter_type",
    "answers_text",
];

/// A rusqlite row that starts with [`SUMMARY_COLUMNS`], read by position.
/// rusqlite finds a column by name with a C call and a case-insensitive
/// compare per column: for 16 columns of 50 listed rows that was 4% of the
/// dashboard page's CPU (issue 22 profile).
pub(crate) struct Leading<'a, 'r>(pub(crate) &'a rusqlite::Row<'r>);

impl Leading<'_, '_> {
    /// A name outside the summary's columns is a programming error, reported
    /// as a corrupt column rather than a panic on the request path.
    fn at(col: &'static str) -> Result<usize, DbError> {
        SUMMARY_NAMES.iter().position(|n| *n == col).ok_or_else(|| DbError::corrupt(col, "not a summary column"))
    }
}

rusqlite_columns!(Leading<'_, '_>, |this, col| (this.0, Leading::at(col)?));

/// A rusqlite row of a `SELECT {SUMMARY_COLUMNS} …`.
pub(crate) fn summary_sqlite(r: &rusqlite::Row<'_>) -> Result<LeadSummary, DbError> {
    summary(&Leading(r))
}

/// A row of [`SUMMARY_COLUMNS`].
pub(crate) fn summary(r: &impl Columns) -> Result<LeadSummary, DbError> {
    Ok(LeadSummary {
        id: r.uuid("id")?,
        first_name: r.text("first_name")?,
        last_name: r.text("last_name")?,
        email: r.text("email")?,
        state: r.state("state")?,
        created_at: r.int("created_at")?,
        resume_file_name: r.opt_text("resume_file_name")?,
        resume_content_type: r.opt_text("resume_content_type")?,
        reached_out_at: r.opt_int("reached_out_at")?,
        reached_out_by: r.opt_text("reached_out_by_name")?,
        origin: intake_domain::LeadOrigin {
            referrer: r.opt_text("referrer")?,
            utm_source: r.opt_text("utm_source")?,
            utm_medium: r.opt_text("utm_medium")?,
            utm_campaign: r.opt_text("utm_campaign")?,
        },
        assignee: match (r.opt_uuid("assigned_to")?, r.opt_text("assignee_name")?) {
            (Some(id), Some(name)) => Some(intake_domain::listing::Assignee { id, name }),
            _ => None,
        },
        conflict: ConflictStatus::parse(&r.text("conflict")?).ok_or_else(|| DbError::corrupt("conflict", "unknown"))?,
        matter_type: r.opt_text("matter_type")?,
        answers_text: r.text("answers_text")?,
    })
}

/// `SELECT *` from `attorneys`.
pub(crate) fn attorney(r: &impl Columns) -> Result<Attorney, DbError> {
    Ok(Attorney {
        id: r.uuid("id")?,
        email: r.text("email")?,
        display_name: r.text("display_name")?,
        password_hash: r.text("password_hash")?,
        created_at: r.int("created_at")?,
        disabled: r.flag("disabled")?,
        role: {
            let s = r.text("role")?;
            Role::parse(&s).ok_or_else(|| DbError::corrupt("role", s))?
        },
        sessions_valid_after: r.int("sessions_valid_after")?,
    })
}

/// For `api_tokens t JOIN attorneys a ON a.id = t.attorney_id` as [`TOKEN_COLUMNS`].
pub(crate) fn api_token(r: &impl Columns) -> Result<ApiToken, DbError> {
    Ok(ApiToken {
        id: r.uuid("id")?,
        name: r.text("name")?,
        scope: {
            let s = r.text("scope")?;
            TokenScope::parse(&s).ok_or_else(|| DbError::corrupt("scope", s))?
        },
        attorney_id: r.uuid("attorney_id")?,
        owner_email: r.text("owner_email")?,
        created_at: r.int("created_at")?,
        revoked_at: r.opt_int("revoked_at")?,
        last_used_at: r.opt_int("last_used_at")?,
        expires_at: r.opt_int("expires_at")?,
    })
}

pub(crate) const TOKEN_COLUMNS: &str =
    "t.id, t.name, t.scope, t.attorney_id, a.email AS owner_email, t.created_at, t.revoked_at, t.last_used_at,
     t.expires_at";

pub(crate) fn message(r: &impl Columns) -> Result<OutboxMessage, DbError> {
    Ok(OutboxMessage {
        id: r.uuid("id")?,
        lead_id: r.opt_uuid("lead_id")?,
        endpoint_id: r.opt_uuid("endpoint_id")?,
        kind: r.text("kind")?,
        recipients: r.text("recipients")?,
        reply_to: r.opt_text("reply_to")?,
        subject: r.text("subject")?,
        body_text: r.text("body_text")?,
        body_html: r.text("body_html")?,
        attempts: r.int("attempts")?,
        link_id: r.opt_uuid("link_id")?,
    })
}

pub(crate) fn message_status(r: &impl Columns) -> Result<MessageStatus, DbError> {
    Ok(MessageStatus {
        id: r.uuid("id")?,
        channel: {
            let c = r.text("channel")?;
            Channel::parse(&c).ok_or_else(|| DbError::corrupt("channel", c))?
        },
        kind: r.text("kind")?,
        recipients: r.text("recipients")?,
        endpoint_id: r.opt_uuid("endpoint_id")?,
        status: r.text("status")?,
        attempts: r.int("attempts")?,
        last_error: r.opt_text("last_error")?,
        sent_at: r.opt_int("sent_at")?,
    })
}

/// A lead's history, with who made each change and through which API token.
pub(crate) const HISTORY_FROM: &str = "lead_events e LEFT JOIN attorneys a ON a.id = e.attorney_id
     LEFT JOIN api_tokens t ON t.id = e.token_id LEFT JOIN attorneys asg ON asg.id = e.assignee_id";

/// Entries of a lead's history read at most: its creation and the newest
/// ones (a lead reassigned all day must not make its page unbounded).
pub(crate) const HISTORY_SHOWN: i64 = 200;

/// The condition keeping a history to its creation and the newest [`HISTORY_SHOWN`] entries (`lead` is the placeholder).
pub(crate) fn history_window(lead: &str) -> String {
    format!(
        "(e.kind = 'CREATED' OR e.id >= COALESCE((SELECT id FROM lead_events WHERE lead_id = {lead}
             ORDER BY id DESC LIMIT 1 OFFSET {}), 0))",
        HISTORY_SHOWN - 1
    )
}

/// For [`HISTORY_FROM`]; names the actor as [`super::token_display`] does.
pub(crate) const HISTORY_COLUMNS: &str = "e.kind, e.state, e.at, e.detail, e.note,
     CASE WHEN t.name IS NULL THEN a.display_name ELSE a.display_name || ' (API token ' || t.name || ')' END
     AS display_name, asg.display_name AS assignee_name";

pub(crate) fn history_entry(r: &impl Columns) -> Result<HistoryEntry, DbError> {
    Ok(HistoryEntry {
        state: r.state("state")?,
        created: r.text("kind")? == "CREATED",
        by: r.opt_text("display_name")?,
        at: r.int("at")?,
        assigned: if r.text("kind")? == "ASSIGNED" { Some(r.opt_text("assignee_name")?) } else { None },
        resubmitted: false,
        conflict: r.opt_text("detail")?.and_then(|d| ConflictStatus::parse(&d)),
        note: r.opt_text("note")?,
    })
}

/// For a replayed event: `lead_events e LEFT JOIN attorneys a ON a.id = e.attorney_id`,
/// its lead's row as [`SUMMARY_COLUMNS`] (under `JOIN leads l`, `LEFT JOIN attorneys ra`).
pub(crate) fn live_event(r: &impl Columns) -> Result<LiveEvent, DbError> {
    Ok(LiveEvent {
        id: r.int("event_id")?,
        lead_id: r.uuid("id")?,
        kind: match r.text("event_kind")?.as_str() {
            "CREATED" => LiveEventKind::Created,
            "ASSIGNED" => LiveEventKind::Assigned,
            "CONFLICT_CHECKED" => LiveEventKind::ConflictChecked,
            "CONFLICT_DECIDED" => LiveEventKind::ConflictDecided,
            _ => LiveEventKind::StateChanged,
        },
        state: r.state("event_state")?,
        by: r.opt_text("event_by")?,
        at: r.int("event_at")?,
        lead: Some(summary(r)?),
    })
}

/// Replayed events with their leads' rows; `{after}` and `{limit}` are the driver's placeholders.
pub(crate) fn events_after_sql(after: &str, limit: &str) -> String {
    format!(
        "SELECT e.id AS event_id, e.kind AS event_kind, e.state AS event_state, e.at AS event_at,
             ea.display_name AS event_by, {SUMMARY_COLUMNS}
         FROM lead_events e
         JOIN leads l ON l.id = e.lead_id
         LEFT JOIN attorneys ea ON ea.id = e.attorney_id
         LEFT JOIN attorneys a ON a.id = l.reached_out_by
         WHERE e.id > {after} ORDER BY e.id LIMIT {limit}"
    )
}

pub(crate) const ENDPOINT_COLUMNS: &str = "id, url, secret, created_at, removed_at";

pub(crate) fn webhook_endpoint(r: &impl Columns) -> Result<WebhookEndpoint, DbError> {
    Ok(WebhookEndpoint {
        id: r.uuid("id")?,
        url: r.text("url")?,
        secret: crate::Secret::new(r.text("secret")?),
        created_at: r.int("created_at")?,
        removed_at: r.opt_int("removed_at")?,
    })
}

pub(crate) fn note(r: &impl Columns) -> Result<super::notes::StoredNote, DbError> {
    Ok(super::notes::StoredNote {
        id: r.uuid("id")?,
        attorney_id: r.uuid("attorney_id")?,
        author: r.text("author")?,
        body: r.text("body")?,
        created_at: r.int("created_at")?,
        edited_at: r.opt_int("edited_at")?,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn summary_names_are_the_columns_in_their_order() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE leads (id, first_name, last_name, email, state, created_at, resume_file_name,
                 resume_content_type, reached_out_at, reached_out_by, referrer, utm_source, utm_medium,
                 utm_campaign, assigned_to, conflict, matter_type, answers_text);
             CREATE TABLE attorneys (id, display_name);",
        )
        .unwrap();
        let sql = format!(
            "SELECT {}, 1 AS extra FROM leads l LEFT JOIN attorneys a ON a.id = l.reached_out_by",
            super::SUMMARY_COLUMNS
        );
        let stmt = conn.prepare(&sql).unwrap();
        assert_eq!(stmt.column_names()[..super::SUMMARY_NAMES.len()], super::SUMMARY_NAMES);
    }
}
