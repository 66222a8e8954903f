//! The search box as an agent on a call uses it, end to end without a terminal: the real
//! `App` (update) and the real `Runner` (effects) against a real sandbox over HTTP,
//! messages pumped between them as the event loop does. Each form a caller says finds
//! Ada Quartermaine on screen; what cannot be a search says so in a sentence; a search
//! the backend refuses is said in a sentence too, never as the raw 400.

use crate::common;
use crate::tui_fixture::screen;

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use custdesk::api::{ApiConfig, Client};
use custdesk::audit::AuditLog;
use custdesk::tui::app::App;
use custdesk::tui::keymap::Keymap;
use custdesk::tui::msg::Msg;
use custdesk::tui::tasks::Runner;
use custdesk::tui::theme::Theme;
use tokio::sync::mpsc;

struct Console {
    app: App,
    runner: Runner,
    rx: mpsc::UnboundedReceiver<Msg>,
    _data: tempfile::TempDir,
}

impl Console {
    fn new(ts: &common::TestSandbox) -> Console {
        let data = tempfile::tempdir().unwrap();
        let client = Client::new(ApiConfig::sandbox(&ts.base)).unwrap();
        let (tx, rx) = mpsc::unbounded_channel();
        let runner = Runner::new(
            client,
            tx,
            AuditLog::new(data.path().join("audit.log")),
            "agent".into(),
        );
        Console {
            app: App::new(Keymap::default(), Theme::built_in("default")),
            runner,
            rx,
            _data: data,
        }
    }
    fn send(&mut self, msg: Msg) {
        for e in self.app.update(msg) {
            self.runner.run_detached(e);
        }
    }
    fn key(&mut self, code: KeyCode) {
        self.send(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    }
    /// Empty the search box, type `s` and wait for the last search's answer.
    async fn search(&mut self, s: &str) {
        while !self.app.search.input.value().is_empty() {
            self.key(KeyCode::Backspace);
        }
        for c in s.chars() {
            self.key(KeyCode::Char(c));
        }
        assert_eq!(self.app.search.input.value(), s);
        let deadline = Instant::now() + Duration::from_secs(60);
        while self.app.search.loading {
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, self.rx.recv()).await {
                Ok(Some(m)) => self.send(m),
                _ => panic!("timed out waiting for the search {s:?}"),
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn each_spoken_search_form_finds_ada_on_screen() {
    let ts = common::start(300).await;
    let t = ts.agent().await;
    let ada = ts.ada(&t).await;
    let full = ts
        .get(&format!("/customer-service/customers/{ada}"), Some(&t))
        .await
        .body;
    let account = full["accounts"][0]["accountNumber"].as_str().unwrap();
    let acct = format!("acct:{}", &account[account.len() - 4..]);
    let mut c = Console::new(&ts);
    for typed in [
        "07700 900123",
        "+44 7700 900123",
        "(0)7700-900123",
        "09/03/1984",
        "9 March 1984",
        "1984-03-09",
        "SW1A",
        "pc:SW1A 1",
        acct.as_str(),
        "Quartermaine Ada",
        "Ada Quartermaine",
    ] {
        c.search(typed).await;
        let s = &c.app.search;
        assert_eq!(s.error, None, "{typed}");
        assert!(
            s.rows.iter().any(|r| r.id == ada),
            "{typed} finds Ada: {:?}",
            s.rows.iter().map(|r| &r.family_name).collect::<Vec<_>>()
        );
        let shown = screen(&mut c.app, 120, 35);
        assert!(shown.contains("Quartermaine"), "{typed}:\n{shown}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn what_cannot_be_a_search_says_so_and_no_raw_400_reaches_the_screen() {
    let ts = common::start(50).await;
    let mut c = Console::new(&ts);
    // Refused before asking: a sentence in place of the results, no request sent.
    for (typed, says) in [
        ("phone:0", "a phone number has 6 to 15 digits."),
        ("0770", "acct:0770"),
        ("pc:S", "at least 2 characters"),
        ("31/02/1984", "is not a date"),
    ] {
        c.search(typed).await;
        let e = c.app.search.error.clone().unwrap_or_default();
        assert!(e.contains(says), "{typed}: {e:?}");
        assert!(c.app.search.rows.is_empty());
        let shown = screen(&mut c.app, 120, 35);
        assert!(shown.contains(says), "{typed}:\n{shown}");
        assert!(!shown.contains("400"), "{typed}:\n{shown}");
    }
    // Refused by the backend (an account number longer than NewDay takes): the same
    // kind of sentence, on screen and on the status line.
    let long = format!("acct:{}", "1".repeat(35));
    c.search(&long).await;
    let e = c.app.search.error.clone().unwrap_or_default();
    assert!(
        e.starts_with("The backend refused this search: the account number"),
        "{e:?}"
    );
    let last = c.app.status.last_error.clone().unwrap_or_default();
    for raw in ["(400)", "filter.", "invalid input"] {
        assert!(!e.contains(raw), "{e:?}");
        assert!(!last.contains(raw), "{last:?}");
    }
    let shown = screen(&mut c.app, 120, 35);
    assert!(!shown.contains("filter.accountNumber"), "{shown}");
    assert!(shown.contains("The backend refused this search"), "{shown}");
    // A good search afterwards clears the sentence.
    c.search("Quartermaine").await;
    assert_eq!(c.app.search.error, None);
    assert!(!c.app.search.rows.is_empty());
}
