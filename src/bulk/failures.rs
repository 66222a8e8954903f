//! A job's failed items, split by what a retry can do for them, and why each failed in
//! words: about outcomes, whoever holds them (the journal's state, the console's dialog).

use super::Outcome;

/// A job's failed items, split by what `retry-failed` can do for them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Failures {
    /// Failed items a retry sends again, with the same key: they may succeed later, or
    /// may already have been applied (a server error, a timeout, rate limited).
    pub retryable: usize,
    /// Items that failed for good (refused, not found, not allowed, a conflict): never
    /// sent again, since the server would answer the same. Their reasons, most frequent
    /// first, with how many items each.
    pub for_good: Vec<(String, usize)>,
}

impl Failures {
    /// The failures among `outcomes`.
    pub fn of<'a>(outcomes: impl IntoIterator<Item = &'a Outcome>) -> Failures {
        let mut f = Failures::default();
        let mut reasons: Vec<(String, usize)> = Vec::new();
        for o in outcomes {
            match o {
                Outcome::Applied { .. } => {}
                Outcome::Failed { .. } if o.retryable() => f.retryable += 1,
                Outcome::Failed { .. } => {
                    let why = o.why();
                    match reasons.iter_mut().find(|(r, _)| *r == why) {
                        Some((_, n)) => *n += 1,
                        None => reasons.push((why, 1)),
                    }
                }
            }
        }
        // Stable: equally frequent reasons stay in plan order.
        reasons.sort_by_key(|r| std::cmp::Reverse(r.1));
        f.for_good = reasons;
        f
    }

    /// Items that failed for good.
    pub fn permanent(&self) -> usize {
        self.for_good.iter().map(|(_, n)| n).sum()
    }

    /// `2 failed for good (sending them again cannot help): invalid input (400):
    /// threshold: is required for LOW_BALANCE` (up to three reasons, each with its count
    /// when more than one kind); `None` when none did.
    pub fn for_good_in_words(&self) -> Option<String> {
        let n = self.permanent();
        if n == 0 {
            return None;
        }
        let mut why: Vec<String> = self
            .for_good
            .iter()
            .take(3)
            .map(|(r, k)| {
                if self.for_good.len() == 1 {
                    r.clone()
                } else {
                    format!("{r} ({k})")
                }
            })
            .collect();
        if self.for_good.len() > 3 {
            why.push(format!("{} other reasons", self.for_good.len() - 3));
        }
        Some(format!(
            "{n} failed for good (sending {} again cannot help): {}",
            if n == 1 { "it" } else { "them" },
            why.join("; ")
        ))
    }
}

impl Outcome {
    /// Why an item failed, in words safe to print: `invalid input (400): email: must
    /// contain @`. Empty for an applied one.
    pub fn why(&self) -> String {
        match self {
            Outcome::Failed {
                status,
                kind,
                reason,
                ..
            } => format!(
                "{kind}{}: {}",
                status.map(|s| format!(" ({s})")).unwrap_or_default(),
                crate::domain::sanitize::for_display(reason)
            ),
            Outcome::Applied { .. } => String::new(),
        }
    }
}
