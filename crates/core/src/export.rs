//! CSV export of the dashboard's current view: every page of it, streamed in
//! batches (memory stays one batch whatever the number of leads), with cells
//! a spreadsheet cannot read as formulas.

use crate::services::Services;
use bytes::Bytes;
use futures::Stream;
use intake_domain::{
    filter::LeadFilter,
    filter::clean_query,
    listing::LeadSummary,
    questions::{IntakeForm, Lang, LeadIntake},
    time::iso_utc,
};
use std::collections::HashMap;

/// Leads read per query.
pub const BATCH: i64 = 500;

const HEADER: [&str; 14] = [
    "Lead ID",
    "First name",
    "Last name",
    "Email",
    "State",
    "Submitted (UTC)",
    "Resume",
    "Reached out by",
    "Reached out at (UTC)",
    "Assigned to",
    "Source",
    "Medium",
    "Campaign",
    "Referrer",
];

/// One CSV cell: quoted, quotes doubled, and a leading `=`, `+`, `-`, `@`,
/// tab or carriage return defused with an apostrophe (OWASP's advice), so
/// text a prospect typed is never run as a formula.
pub fn cell(out: &mut String, value: &str) {
    out.push('"');
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        out.push('\'');
    }
    for c in value.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    out.push('"');
}

fn line(out: &mut String, cells: &[&str]) {
    for (i, v) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        cell(out, v);
    }
    out.push_str("\r\n");
}

/// The firm's questions as columns: one per question of any form version
/// (a question removed since still has the answers given to it), named by
/// its matter type and its newest wording, in the newest form's order.
struct QuestionColumns {
    /// (matter type key, question key), in column order.
    columns: Vec<(String, String)>,
    headers: Vec<String>,
    versions: HashMap<i64, IntakeForm>,
    /// Some version has a privacy notice: a column says when each lead agreed.
    notice: bool,
}

impl QuestionColumns {
    fn new(versions: Vec<intake_store::forms::FormVersion>) -> Self {
        let (mut columns, mut headers) = (Vec::new(), Vec::new());
        let mut seen = std::collections::HashSet::new();
        // Newest first: its order and wording win.
        for v in &versions {
            for m in &v.form.matter_types {
                for q in &m.questions {
                    if seen.insert((m.key.clone(), q.key.clone())) {
                        columns.push((m.key.clone(), q.key.clone()));
                        headers.push(format!("{}: {}", m.name.get(Lang::En), q.label.get(Lang::En)));
                    }
                }
            }
        }
        let notice = versions.iter().any(|v| v.form.notice.is_some());
        let versions = versions.into_iter().map(|v| (v.version, v.form)).collect();
        Self { columns, headers, versions, notice }
    }

    fn any(&self) -> bool {
        !self.columns.is_empty() || self.notice
    }

    /// The matter type's name and one cell per column, for a lead's answers.
    fn cells(&self, intake: Option<&LeadIntake>) -> (String, Vec<String>) {
        // One per question, then the consent's time.
        let mut cells = vec![String::new(); self.columns.len() + usize::from(self.notice)];
        let Some(i) = intake else { return (String::new(), cells) };
        if self.notice {
            cells[self.columns.len()] = i.consent_at.map(iso_utc).unwrap_or_default();
        }
        let matter = match (i.form_version, i.matter_type.as_deref()) {
            (Some(v), Some(key)) => self.versions.get(&v).and_then(|f| f.matter_type(key)),
            _ => None,
        };
        let Some(matter) = matter else { return (String::new(), cells) };
        for (cell, (m, q)) in cells.iter_mut().zip(&self.columns) {
            if *m != matter.key {
                continue;
            }
            if let (Some(answer), Some(question)) = (i.answers.get(q), matter.questions.iter().find(|x| x.key == *q)) {
                *cell = question.words(answer);
            }
        }
        (matter.name.get(Lang::En).to_owned(), cells)
    }
}

fn lead_line(out: &mut String, l: &LeadSummary, questions: &QuestionColumns, intake: Option<&LeadIntake>) {
    let id = l.id.to_string();
    let at = l.reached_out_at.map(iso_utc).unwrap_or_default();
    let (matter, answers) = questions.cells(intake);
    let created = iso_utc(l.created_at);
    let mut cells: Vec<&str> = vec![
        &id,
        &l.first_name,
        &l.last_name,
        &l.email,
        l.state.as_str(),
        &created,
        l.resume_file_name.as_deref().unwrap_or_default(),
        l.reached_out_by.as_deref().unwrap_or_default(),
        &at,
        l.assignee.as_ref().map(|a| a.name.as_str()).unwrap_or_default(),
        l.origin.utm_source.as_deref().unwrap_or_default(),
        l.origin.utm_medium.as_deref().unwrap_or_default(),
        l.origin.utm_campaign.as_deref().unwrap_or_default(),
        l.origin.referrer.as_deref().unwrap_or_default(),
    ];
    if questions.any() {
        cells.push(&matter);
        cells.extend(answers.iter().map(String::as_str));
    }
    line(out, &cells);
}

/// The CSV of every lead in `filter`'s view (its cursors ignored), newest
/// first: a byte-order mark (so spreadsheets read UTF-8), the header, then
/// one chunk per batch. A failure mid-way ends the stream with an error, so
/// the download is seen to fail rather than end short.
pub fn leads_csv(
    state: Services,
    filter: LeadFilter,
    viewer: uuid::Uuid,
    slot: crate::limits::ExportSlot,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> {
    let filter = LeadFilter { q: clean_query(&filter.q), after: None, before: None, ..filter };
    // "Overdue" as of the moment the export starts.
    let (follow_up, now) = (crate::leads::follow_up_ms(&state), intake_store::now_ms());
    async_stream::try_stream! {
        // Held until the last batch is sent (or the download is abandoned).
        let _slot = slot;
        let failed = |e: intake_store::DbError| {
            tracing::error!(error = %e, "CSV export failed");
            std::io::Error::other("the export failed")
        };
        let questions = QuestionColumns::new(state.db.forms().form_versions().await.map_err(failed)?);
        let mut head = String::from("\u{feff}");
        let mut header: Vec<&str> = HEADER.to_vec();
        if questions.any() {
            header.push("Matter type");
            header.extend(questions.headers.iter().map(String::as_str));
            if questions.notice {
                header.push("Privacy notice agreed (UTC)");
            }
        }
        line(&mut head, &header);
        yield Bytes::from(head);
        let mut after = None;
        loop {
            let page = LeadFilter { after, ..filter.clone() };
            let query = intake_store::dashboard::ListQuery::new(&page, Some(viewer), follow_up, now);
            let listed = state.db.dashboard().list(&query, BATCH).await.map_err(failed)?;
            let intakes: HashMap<uuid::Uuid, LeadIntake> = if !questions.any() {
                HashMap::new()
            } else {
                let ids: Vec<uuid::Uuid> = listed.rows.iter().map(|r| r.id).collect();
                state.db.leads().intakes(&ids).await.map_err(failed)?.into_iter().collect()
            };
            let mut chunk = String::with_capacity(listed.rows.len() * 192);
            for lead in &listed.rows {
                lead_line(&mut chunk, lead, &questions, intakes.get(&lead.id));
            }
            yield Bytes::from(chunk);
            if (listed.rows.len() as i64) < BATCH {
                break;
            }
            after = listed.rows.last().map(|r| r.id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(v: &str) -> String {
        let mut s = String::new();
        cell(&mut s, v);
        s
    }

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        assert_eq!(one("Ada"), "\"Ada\"");
        assert_eq!(one("say \"hi\", ok"), "\"say \"\"hi\"\", ok\"");
        assert_eq!(one("line\nbreak"), "\"line\nbreak\"");
        for f in ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert!(one(f).starts_with("\"'"), "{f:?} -> {}", one(f));
        }
        assert_eq!(one("a=b"), "\"a=b\"", "only a leading sign is a formula");
        assert_eq!(one(""), "\"\"");
    }
}
