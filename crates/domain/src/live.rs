//! Live events pushed to open pages, and how a page patches itself with one.

use crate::{
    LeadState, filter::LeadFilter, filter::Viewpoint, listing::LeadPage, listing::LeadSummary, listing::PAGE_SIZE,
    listing::SEARCH_COUNT_CAP,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What a live event did to a page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Patch {
    /// Already reflected, or not about this view.
    Unchanged,
    /// The page now shows the change.
    Applied,
    /// The event cannot be applied here (it carries no row): fetch the page again.
    Refetch,
}

impl LeadPage {
    /// Applies a live event in place: the row is added, updated or removed
    /// as the filter and the page's window say, and the total follows. Events
    /// arrive in id order; those the page already reflects are skipped.
    pub fn apply(&mut self, filter: &LeadFilter, ev: &LiveEvent) -> Patch {
        if ev.id <= self.as_of {
            return Patch::Unchanged;
        }
        self.as_of = ev.id;
        let Some(after) = ev.row() else { return Patch::Refetch };
        let at = Viewpoint { me: self.viewer, overdue_before: self.follow_up_ms.map(|f| ev.at - f) };
        let was = match ev.kind {
            LiveEventKind::Created => false,
            // The only state change is PENDING → REACHED_OUT, so the row before is known.
            LiveEventKind::StateChanged => filter.matches(&after.before_reaching_out(), at),
            // Who had it before is not carried: a view by owner is fetched again.
            LiveEventKind::Assigned if filter.owner.is_some() => return Patch::Refetch,
            // Nor is the status before a conflict event: a view by status is fetched again.
            LiveEventKind::ConflictChecked | LiveEventKind::ConflictDecided if filter.conflict.is_some() => {
                return Patch::Refetch;
            }
            LiveEventKind::Assigned | LiveEventKind::ConflictChecked | LiveEventKind::ConflictDecided => {
                filter.matches(&after, at)
            }
        };
        let is = filter.matches(&after, at);
        // Past the search cap the total is "1000+" and stays so.
        let capped = !filter.q.is_empty() && self.total > SEARCH_COUNT_CAP;
        if !capped {
            self.total = (self.total + i64::from(is) - i64::from(was)).max(0);
        }
        match (self.rows.iter().position(|r| r.id == after.id), is) {
            (Some(i), true) => self.rows[i] = after,
            (Some(i), false) => {
                self.rows.remove(i);
            }
            (None, true) if self.window_holds(after.id) => {
                let at = self.rows.iter().position(|r| r.id < after.id).unwrap_or(self.rows.len());
                self.rows.insert(at, after);
                if self.rows.len() > PAGE_SIZE {
                    self.rows.truncate(PAGE_SIZE);
                    self.older = self.rows.last().map(|r| r.id);
                }
            }
            (None, _) if !(was || is) => return Patch::Unchanged,
            (None, _) => {}
        }
        Patch::Applied
    }

    /// Whether a lead with this id falls between this page's neighbours
    /// (pages are keyset ranges of the time-ordered id, newest first).
    fn window_holds(&self, id: Uuid) -> bool {
        let below_newer = self.newer.is_none() || self.rows.first().is_some_and(|r| id < r.id);
        let above_older = self.older.is_none() || self.rows.last().is_some_and(|r| id > r.id);
        below_newer && above_older
    }
}

impl LeadSummary {
    /// This lead as it was while still pending.
    fn before_reaching_out(&self) -> Self {
        Self { state: LeadState::Pending, reached_out_by: None, reached_out_at: None, ..self.clone() }
    }
}

/// Pushed to open pages when a lead's notes change (one added or edited):
/// only that lead's page shows notes, so it reads itself again. Not stored,
/// unlike [`LiveEvent`]s; a page that was offline reloads on reconnecting anyway.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotesChanged {
    pub lead_id: Uuid,
}

/// A change pushed to open dashboards.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveEvent {
    pub id: i64,
    pub lead_id: Uuid,
    pub kind: LiveEventKind,
    pub state: LeadState,
    pub by: Option<String>,
    pub at: i64,
    /// The lead's row as dashboards list it, so they update their view
    /// without asking (see [`LeadPage::apply`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead: Option<LeadSummary>,
}

impl LiveEvent {
    /// The lead's row as of this event (a replayed event's row may be newer).
    pub fn row(&self) -> Option<LeadSummary> {
        let mut row = self.lead.clone()?;
        if self.kind != LiveEventKind::StateChanged && self.kind != LiveEventKind::Created {
            // `by` made the assignment or the decision; the row says the rest.
            return Some(row);
        }
        row.state = self.state;
        (row.reached_out_by, row.reached_out_at) = match self.state {
            LeadState::Pending => (None, None),
            LeadState::ReachedOut => (self.by.clone(), Some(self.at)),
        };
        Some(row)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LiveEventKind {
    Created,
    StateChanged,
    /// The lead was given to an attorney, or taken back.
    Assigned,
    /// A conflict check found matches, or found that they are gone (`by` is `None`: Intake).
    ConflictChecked,
    /// An attorney cleared the lead or found a conflict.
    ConflictDecided,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        filter::Owner,
        listing::{Assignee, is_overdue},
    };
    fn lead(n: u128, first: &str, email: &str) -> LeadSummary {
        crate::listing::sample_lead(n, first, email)
    }

    fn created(id: i64, l: &LeadSummary) -> LiveEvent {
        LiveEvent {
            id,
            lead_id: l.id,
            kind: LiveEventKind::Created,
            state: LeadState::Pending,
            by: None,
            at: 1,
            lead: Some(l.clone()),
        }
    }

    fn reached(id: i64, l: &LeadSummary) -> LiveEvent {
        LiveEvent {
            kind: LiveEventKind::StateChanged,
            state: LeadState::ReachedOut,
            by: Some("Ann".into()),
            at: 2,
            ..created(id, l)
        }
    }

    fn page(rows: Vec<LeadSummary>, total: i64) -> LeadPage {
        LeadPage { rows, total, as_of: 10, ..LeadPage::default() }
    }

    #[test]
    fn the_next_deadline_is_measured_from_now_not_from_when_the_page_was_read() {
        // Read at 0 with a lead of 0 (deadline 60 s); a newer lead outside the view arrives at 30 s.
        let mut p = LeadPage { follow_up_ms: Some(60_000), now_ms: 0, ..page(vec![lead(0, "Due", "due@x.test")], 1) };
        let search = LeadFilter { q: "due".into(), ..LeadFilter::default() };
        p.apply(&search, &LiveEvent { at: 30_000, ..created(11, &lead(30_000, "Other", "other@x.test")) });
        assert_eq!(p.next_deadline_in(30_000), Some(30_000), "30 s left at 30 s, not 60 s again");
        // A row already overdue when read, or not pending, sets no timer.
        let late = LeadPage { follow_up_ms: Some(60_000), now_ms: 90_000, ..page(vec![lead(0, "L", "l@x.test")], 1) };
        assert_eq!(late.next_deadline_in(90_000), None);
        assert_eq!(LeadPage { follow_up_ms: None, ..p.clone() }.next_deadline_in(0), None);
    }

    #[test]
    fn a_new_lead_tops_the_first_page_and_counts() {
        let mut p = page(vec![lead(5, "Old", "old@x.test")], 1);
        let new = lead(9, "New", "new@x.test");
        assert_eq!(p.apply(&LeadFilter::default(), &created(11, &new)), Patch::Applied);
        assert_eq!(p.rows.iter().map(|r| r.first_name.as_str()).collect::<Vec<_>>(), ["New", "Old"]);
        assert_eq!((p.total, p.as_of), (2, 11));
        // The same event again (a replay after reconnecting) changes nothing.
        assert_eq!(p.apply(&LeadFilter::default(), &created(11, &new)), Patch::Unchanged);
        assert_eq!(p.total, 2);
    }

    #[test]
    fn a_full_first_page_keeps_its_size_and_points_older() {
        let rows: Vec<_> = (1..=PAGE_SIZE as u128).rev().map(|n| lead(n, "A", "a@x.test")).collect();
        let mut p = page(rows, PAGE_SIZE as i64);
        p.apply(&LeadFilter::default(), &created(11, &lead(1000, "New", "n@x.test")));
        assert_eq!(p.rows.len(), PAGE_SIZE);
        assert_eq!(p.rows[0].first_name, "New");
        assert_eq!(p.older, Some(Uuid::from_u128(2)));
        assert_eq!(p.total, PAGE_SIZE as i64 + 1);
    }

    #[test]
    fn an_older_page_only_counts_a_new_lead() {
        let mut p = page(vec![lead(5, "Old", "old@x.test")], 60);
        p.newer = Some(Uuid::from_u128(6));
        assert_eq!(p.apply(&LeadFilter::default(), &created(11, &lead(9, "New", "n@x.test"))), Patch::Applied);
        assert_eq!((p.rows.len(), p.total), (1, 61));
    }

    #[test]
    fn reaching_out_leaves_the_pending_view_and_joins_the_other() {
        let l = lead(5, "Ada", "ada@x.test");
        let pending = LeadFilter { state: Some(LeadState::Pending), ..LeadFilter::default() };
        let mut p = page(vec![l.clone()], 1);
        assert_eq!(p.apply(&pending, &reached(11, &l)), Patch::Applied);
        assert!(p.rows.is_empty());
        assert_eq!(p.total, 0);

        let done = LeadFilter { state: Some(LeadState::ReachedOut), ..LeadFilter::default() };
        let mut p = page(vec![], 0);
        p.apply(&done, &reached(11, &l));
        assert_eq!(p.rows.len(), 1);
        assert_eq!(p.rows[0].state, LeadState::ReachedOut);
        assert_eq!(p.rows[0].reached_out_by.as_deref(), Some("Ann"));
        assert_eq!(p.total, 1);

        let mut p = page(vec![l.clone()], 1);
        p.apply(&LeadFilter::default(), &reached(11, &l));
        assert_eq!((p.rows[0].state, p.total), (LeadState::ReachedOut, 1));
    }

    #[test]
    fn a_search_shows_only_matching_leads() {
        let search = LeadFilter { q: "zoë".into(), ..LeadFilter::default() };
        let mut p = page(vec![], 0);
        assert_eq!(p.apply(&search, &created(11, &lead(9, "Bob", "bob@x.test"))), Patch::Unchanged);
        p.apply(&search, &created(12, &lead(10, "ZOË", "z@x.test")));
        assert_eq!((p.rows.len(), p.total), (1, 1));
        // Past the cap the count stays "1000+".
        let mut p = page(vec![], SEARCH_COUNT_CAP + 1);
        p.apply(&search, &created(11, &lead(9, "Zoë", "z@x.test")));
        assert_eq!(p.total, SEARCH_COUNT_CAP + 1);
    }

    #[test]
    fn an_assignment_updates_its_row_in_place_but_a_view_by_owner_is_fetched_again() {
        let l = lead(5, "Ada", "ada@x.test");
        let mut given = l.clone();
        given.assignee = Some(Assignee { id: Uuid::from_u128(77), name: "Ann".into() });
        let ev =
            LiveEvent { kind: LiveEventKind::Assigned, by: Some("Bob".into()), lead: Some(given), ..created(11, &l) };
        let mut p = page(vec![l.clone()], 1);
        assert_eq!(p.apply(&LeadFilter::default(), &ev), Patch::Applied);
        assert_eq!(p.rows[0].assignee.as_ref().map(|a| a.name.as_str()), Some("Ann"));
        assert_eq!((p.total, p.rows[0].reached_out_by.as_deref()), (1, None), "the assigner did not reach out");
        let mine = LeadFilter { owner: Some(Owner::Me), ..LeadFilter::default() };
        assert_eq!(page(vec![], 0).apply(&mine, &ev), Patch::Refetch);
    }

    #[test]
    fn mine_and_overdue_views_match_by_viewer_and_deadline() {
        let me = Uuid::from_u128(77);
        let mut l = lead(5, "Ada", "ada@x.test");
        l.created_at = 1_000;
        let at = Viewpoint { me: Some(me), overdue_before: Some(2_000) };
        let mine = LeadFilter { owner: Some(Owner::Me), ..LeadFilter::default() };
        let nobody = LeadFilter { owner: Some(Owner::Nobody), ..LeadFilter::default() };
        assert!(!mine.matches(&l, at) && nobody.matches(&l, at));
        l.assignee = Some(Assignee { id: me, name: "Me".into() });
        assert!(mine.matches(&l, at) && !nobody.matches(&l, at));
        assert!(!mine.matches(&l, Viewpoint { me: Some(Uuid::from_u128(78)), ..at }), "someone else's view");
        let overdue = LeadFilter { state: Some(LeadState::Pending), overdue: true, ..LeadFilter::default() };
        assert!(overdue.matches(&l, at));
        assert!(!overdue.matches(&l, Viewpoint { overdue_before: Some(1_000), ..at }), "not yet");
        assert!(
            is_overdue(&l, Some(500), 2_000) && !is_overdue(&l, Some(5_000), 2_000) && !is_overdue(&l, None, 9_999)
        );
        l.state = LeadState::ReachedOut;
        assert!(!overdue.matches(&l, at) && !is_overdue(&l, Some(500), 2_000));
        // The URL round trip.
        let f = LeadFilter::from_query(|k| match k {
            "state" => Some("overdue"),
            "owner" => Some("none"),
            _ => None,
        });
        assert_eq!((f.state, f.overdue, f.owner), (Some(LeadState::Pending), true, Some(Owner::Nobody)));
        assert_eq!(f.href(None, None), "/leads?state=overdue&owner=none");
    }

    #[test]
    fn an_event_without_a_row_asks_for_a_refetch() {
        let mut ev = created(11, &lead(9, "A", "a@x.test"));
        ev.lead = None;
        assert_eq!(page(vec![], 0).apply(&LeadFilter::default(), &ev), Patch::Refetch);
    }
}
