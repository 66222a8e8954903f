//! Terminal replies that come after the start-up wait. A terminal far away (over SSH)
//! may answer the start-up questions (background colour, graphics) after the console
//! stopped waiting; crossterm then reads each reply as keys: `ESC ]` as Alt+`]`, its
//! text as characters, `ESC \` as Alt+`\`. Those keys must never reach the search box.
//!
//! While armed (the terminal was asked and did not finish answering in time), a key
//! that starts a reply (Alt with `]` for OSC, `_` for APC, `P` for DCS) and the keys
//! of its burst are dropped, up to its end (`ESC \` or BEL) or a pause in the burst.

use std::time::{Duration, Instant};

use crossterm::event::{Event, KeyCode, KeyModifiers};

/// How long after start a late reply is looked for.
pub const WINDOW: Duration = Duration::from_secs(10);

/// A reply's keys come in one burst: a pause this long ends it (a person's keys).
const BURST_GAP: Duration = Duration::from_millis(100);

/// The most keys one reply is taken to hold.
const LONGEST: usize = 512;

/// The filter: armed until a moment, and the reply being dropped, if any (when its
/// last key came and how many so far).
#[derive(Debug, Clone, Default)]
pub struct LateReplies {
    until: Option<Instant>,
    inside: Option<(Instant, usize)>,
}

impl LateReplies {
    /// Looking for late replies until `until`.
    pub fn armed(until: Instant) -> Self {
        LateReplies {
            until: Some(until),
            inside: None,
        }
    }

    /// Whether `ev`, arriving at `now`, is part of a late reply (and so dropped).
    pub fn swallow(&mut self, ev: &Event, now: Instant) -> bool {
        let Event::Key(k) = ev else {
            return false;
        };
        let alt = k.modifiers.contains(KeyModifiers::ALT);
        if let Some((last, n)) = self.inside {
            if now.duration_since(last) <= BURST_GAP && n < LONGEST {
                let ends = (alt && k.code == KeyCode::Char('\\'))
                    || (k.modifiers.contains(KeyModifiers::CONTROL)
                        && k.code == KeyCode::Char('g'));
                self.inside = (!ends).then_some((now, n + 1));
                return true;
            }
            self.inside = None;
        }
        let starts = alt && matches!(k.code, KeyCode::Char(']' | '_' | 'P'));
        if starts && self.until.is_some_and(|u| now < u) {
            self.inside = Some((now, 0));
            return true;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyEvent;

    fn key(code: KeyCode, modifiers: KeyModifiers) -> Event {
        Event::Key(KeyEvent::new(code, modifiers))
    }

    /// `bytes` as crossterm reads them: ESC and a character as Alt with it, BEL as
    /// Ctrl-G, anything else as a character.
    fn keys(bytes: &str) -> Vec<Event> {
        let mut out = Vec::new();
        let mut it = bytes.chars();
        while let Some(c) = it.next() {
            out.push(match c {
                '\x1b' => key(KeyCode::Char(it.next().unwrap()), KeyModifiers::ALT),
                '\x07' => key(KeyCode::Char('g'), KeyModifiers::CONTROL),
                c => key(KeyCode::Char(c), KeyModifiers::NONE),
            });
        }
        out
    }

    fn kept(f: &mut LateReplies, input: &str, at: Instant) -> String {
        keys(input)
            .into_iter()
            .filter(|e| !f.swallow(e, at))
            .filter_map(|e| match e {
                Event::Key(k) if k.modifiers.is_empty() => match k.code {
                    KeyCode::Char(c) => Some(c),
                    _ => None,
                },
                _ => None,
            })
            .collect()
    }

    #[test]
    fn late_replies_are_dropped_and_the_agents_keys_kept() {
        let start = Instant::now();
        let mut f = LateReplies::armed(start + WINDOW);
        let t = start + Duration::from_secs(1);
        let replies = "\x1b]11;rgb:ffff/ffff/ffff\x1b\\\x1b_Gi=31;OK\x1b\\\x1bP>|xterm(388)\x1b\\";
        assert_eq!(kept(&mut f, &format!("{replies}quart"), t), "quart");
        // A reply ended by BEL.
        assert_eq!(kept(&mut f, "\x1b]11;rgb:0/0/0\x07ada", t), "ada");
    }

    #[test]
    fn nothing_is_dropped_unarmed_or_after_the_window_or_after_a_pause() {
        let start = Instant::now();
        let reply = "\x1b]11;rgb:0/0/0\x1b\\ab";
        assert_eq!(
            kept(&mut LateReplies::default(), reply, start),
            "11;rgb:0/0/0ab"
        );
        let mut f = LateReplies::armed(start + WINDOW);
        assert_eq!(kept(&mut f, reply, start + WINDOW), "11;rgb:0/0/0ab");
        // Alt-] pressed by hand, then typing after a pause: the typing is kept.
        let mut f = LateReplies::armed(start + WINDOW);
        assert!(f.swallow(&keys("\x1b]")[0], start));
        let later = start + Duration::from_millis(300);
        assert_eq!(kept(&mut f, "quart", later), "quart");
    }
}
