//! Marks on the results for a bulk edit (space, a range, every result of the search,
//! clear) and opening the bulk dialog over them.

use std::collections::BTreeSet;

use super::{BulkDialog, Kind, MARK_ALL_MAX, Target, thousands};
use crate::tui::app::{App, Overlay, Pane};
use crate::tui::effect::Effect;

impl App {
    /// Space: mark or unmark the row under the cursor, and move down.
    pub(crate) fn toggle_mark(&mut self) {
        if self.focus != Pane::Search {
            return;
        }
        let Some(id) = self
            .search
            .rows
            .get(self.search.selected)
            .map(|c| c.id.clone())
        else {
            return;
        };
        if !self.search.marks.shift_remove(&id) {
            self.search.marks.insert(id);
        }
        self.search.anchor = Some(self.search.selected);
        if self.search.selected + 1 < self.search.rows.len() {
            self.search.selected += 1;
        }
    }

    /// Mark every row from the last one marked with space to the cursor.
    pub(crate) fn mark_range(&mut self) {
        if self.focus != Pane::Search || self.search.rows.is_empty() {
            return;
        }
        let here = self.search.selected;
        let from = self
            .search
            .anchor
            .unwrap_or(here)
            .min(self.search.rows.len() - 1);
        let (a, b) = (from.min(here), from.max(here));
        for c in &self.search.rows[a..=b] {
            self.search.marks.insert(c.id.clone());
        }
        self.search.anchor = Some(here);
        self.status.notice = Some(format!(
            "Marked rows {} to {} ({}); {} marked in all",
            a + 1,
            b + 1,
            b - a + 1,
            thousands(self.search.marks.len() as u64)
        ));
    }

    /// Mark every result of the current search, loaded or not.
    pub(crate) fn mark_all(&mut self, fx: &mut Vec<Effect>) {
        let (count, loaded) = (self.search.count, self.search.rows.len());
        let Some(filter) = self.search.filter.clone().filter(|_| count > 0) else {
            self.status.notice = Some("No search results to mark".into());
            return;
        };
        if count > MARK_ALL_MAX {
            self.status.notice = Some(format!(
                "{} results: narrow the search to at most {} to mark them all",
                thousands(count),
                thousands(MARK_ALL_MAX)
            ));
            return;
        }
        if loaded as u64 >= count {
            let ids: Vec<String> = self.search.rows.iter().map(|c| c.id.clone()).collect();
            self.marked_all(ids);
            return;
        }
        self.search.marking = Some(self.search.seq);
        self.status.notice = Some(format!(
            "Marking all {} results ({} loaded)…",
            thousands(count),
            thousands(loaded as u64)
        ));
        fx.push(Effect::MarkAll {
            seq: self.search.seq,
            filter,
            count,
        });
    }

    /// Every id of the search has arrived: mark them, and say how many are off screen.
    pub(crate) fn marked_all(&mut self, ids: Vec<String>) {
        let n = ids.len();
        let first = self.search.offset;
        let last = (first + self.visible_rows).min(self.search.rows.len());
        let on_screen: BTreeSet<&str> = self.search.rows[first.min(last)..last]
            .iter()
            .map(|c| c.id.as_str())
            .collect();
        let shown = ids
            .iter()
            .filter(|i| on_screen.contains(i.as_str()))
            .count();
        self.search.marks.extend(ids);
        self.search.marking = None;
        self.status.notice = Some(format!(
            "Marked all {} results of the search ({} not on screen); {} marked in all",
            thousands(n as u64),
            thousands((n - shown) as u64),
            thousands(self.search.marks.len() as u64)
        ));
    }

    pub(crate) fn clear_marks(&mut self) {
        let n = self.search.marks.len();
        self.search.marks.clear();
        self.search.anchor = None;
        self.status.notice = Some(if n == 0 {
            "No marks to clear".into()
        } else {
            format!("Cleared {} marks", thousands(n as u64))
        });
    }

    /// `b`: the bulk dialog over the marked rows, or the row under the cursor when none
    /// is marked (the open customer outside the search pane).
    pub(crate) fn open_bulk(&mut self, fx: &mut Vec<Effect>) {
        if !self.customer_gate("bulk", false, fx) {
            return;
        }
        // `*` then `b` on a slow backend: the dialog waits for every mark, not a few.
        if self.search.marking.is_some() {
            self.status.notice = Some(format!(
                "Still marking all {} results: press b again once they are marked",
                thousands(self.search.count)
            ));
            return;
        }
        let row_target = |c: &crate::api::wire::newday::Customer| Target {
            id: c.id.clone(),
            name: Some(format!(
                "{} {}",
                crate::tui::view::safe(&c.given_name),
                crate::tui::view::safe(&c.family_name)
            )),
        };
        let marks = &self.search.marks;
        let (targets, from_marks) = if !marks.is_empty() {
            // The marked rows in the order the table shows them (each once, should a
            // page have repeated a row), then the marks the table has not loaded (or
            // that came from another search) in marking order.
            let mut listed: BTreeSet<&str> = BTreeSet::new();
            let mut t: Vec<Target> = self
                .search
                .rows
                .iter()
                .filter(|c| marks.contains(&c.id) && listed.insert(c.id.as_str()))
                .map(row_target)
                .collect();
            t.extend(
                marks
                    .iter()
                    .filter(|id| !listed.contains(id.as_str()))
                    .map(|id| Target {
                        id: id.clone(),
                        name: None,
                    }),
            );
            (t, true)
        } else {
            let t = self
                .selected_customer_id()
                .map(|id| match self.search.rows.iter().find(|c| c.id == id) {
                    Some(c) => vec![row_target(c)],
                    None => vec![Target { id, name: None }],
                })
                .unwrap_or_default();
            (t, false)
        };
        let mut d = BulkDialog::new(targets, from_marks);
        if d.targets.is_empty() {
            // Creating from a CSV file needs no customer.
            d.set_kind(Kind::CreateCsv);
        }
        self.overlay = Some(Overlay::Bulk(Box::new(d)));
    }
}
