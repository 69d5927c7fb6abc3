//! CSV export of the dashboard's current view: every page of it, streamed in
//! batches (memory stays one batch whatever the number of leads), with cells
//! a spreadsheet cannot read as formulas.

use crate::services::Services;
use bytes::Bytes;
use futures::Stream;
use intake_domain::{filter::LeadFilter, filter::clean_query, listing::LeadSummary, time::iso_utc};

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

fn lead_line(out: &mut String, l: &LeadSummary) {
    let id = l.id.to_string();
    let at = l.reached_out_at.map(iso_utc).unwrap_or_default();
    line(
        out,
        &[
            &id,
            &l.first_name,
            &l.last_name,
            &l.email,
            l.state.as_str(),
            &iso_utc(l.created_at),
            &l.resume_file_name,
            l.reached_out_by.as_deref().unwrap_or_default(),
            &at,
            l.assignee.as_ref().map(|a| a.name.as_str()).unwrap_or_default(),
            l.origin.utm_source.as_deref().unwrap_or_default(),
            l.origin.utm_medium.as_deref().unwrap_or_default(),
            l.origin.utm_campaign.as_deref().unwrap_or_default(),
            l.origin.referrer.as_deref().unwrap_or_default(),
        ],
    );
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
        let mut head = String::from("\u{feff}");
        line(&mut head, &HEADER);
        yield Bytes::from(head);
        let mut after = None;
        loop {
            let page = LeadFilter { after, ..filter.clone() };
            let query = intake_store::dashboard::ListQuery::new(&page, Some(viewer), follow_up, now);
            let listed = state.db.dashboard().list(&query, BATCH).await.map_err(|e| {
                tracing::error!(error = %e, "CSV export failed");
                std::io::Error::other("the export failed")
            })?;
            let mut chunk = String::with_capacity(listed.rows.len() * 192);
            for lead in &listed.rows {
                lead_line(&mut chunk, lead);
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
