//! Dialog keys as named actions in their own keymap context: a `keymap.toml` that
//! rebinds a contact-dialog action works through the dialog, names the new key in its
//! hints and in help, and leaves every other dialog's binding alone; a clash inside one
//! context is reported at start naming both actions (the real binary, in a pty).

use crate::edit_fixture;
use crate::tui_fixture;

use crossterm::event::KeyCode;
use custdesk::tui::app::{App, Overlay};
use custdesk::tui::dialogs::help::Help;
use custdesk::tui::edit::contact::{Check, ContactDialog, Step};
use custdesk::tui::effect::Effect;
use custdesk::tui::keymap_load;
use edit_fixture::*;
use tui_fixture::*;

fn contact(a: &App) -> &ContactDialog {
    match &a.overlay {
        Some(Overlay::Contact(d)) => d.as_ref(),
        other => panic!("no contact dialog: {other:?}"),
    }
}

#[test]
fn a_keymap_file_rebinds_confirm_in_the_contact_dialog_only() {
    let (km, problems) = keymap_load::tolerant("[contact]\nconfirm = \"ctrl-s\"\n");
    assert!(problems.is_empty(), "{problems:?}");
    let mut a = verified();
    a.keymap = km.clone();
    a.update(ch('e'));
    // The letters the console binds elsewhere are text while the agent types.
    let fx = type_str(&mut a, "wade@example.com");
    assert_eq!(contact(&a).input.value(), "wade@example.com");
    newday_says(&mut a, debounce_seq(&fx), true, None);
    assert_eq!(contact(&a).check, Check::Valid);
    // Enter no longer goes on in this dialog; the new key does, and the hint names it.
    enter(&mut a);
    assert_eq!(contact(&a).step(), Step::Editing);
    let shown = screen(&mut a, 100, 30);
    assert!(shown.contains("ctrl-s continue"), "{shown}");
    assert!(!shown.contains("enter continue"), "{shown}");
    a.update(ctrl('s'));
    assert_eq!(contact(&a).step(), Step::Confirming);
    let shown = screen(&mut a, 100, 30);
    assert!(shown.contains("ctrl-s send · esc back to edit"), "{shown}");
    assert!(enter(&mut a).is_empty(), "enter sent");
    let fx = a.update(ctrl('s'));
    assert!(
        fx.iter().any(|e| matches!(
            e,
            Effect::Write {
                op: custdesk::tui::effect::WriteOp::RequestChange { .. },
                ..
            }
        )),
        "{fx:?}"
    );

    // Help lists confirm under the contact dialog with its new key, and under the
    // verification dialog with enter still (a key a dialog shares with one listed above is listed
    // once).
    let mut a = app_with(km, custdesk::tui::theme::Theme::built_in("default"));
    a.update(key(KeyCode::F(1)));
    let help = screen(&mut a, 200, 120);
    let lines: Vec<&str> = help.lines().collect();
    let under = |title: &str| {
        let at = lines
            .iter()
            .position(|l| l.contains(title))
            .unwrap_or_else(|| panic!("no {title} in help:\n{help}"));
        lines[at..]
            .iter()
            .find(|l| l.contains(" confirm "))
            .map(|l| l.to_string())
            .unwrap_or_default()
    };
    let c = under("(keymap.toml [contact])");
    assert!(c.contains("ctrl-s") && !c.contains("enter"), "{c}");
    let b = under("(keymap.toml [verify])");
    assert!(b.contains("enter") && !b.contains("ctrl-s"), "{b}");
}

#[test]
fn help_that_does_not_fit_says_so_and_scrolls_no_further_than_its_end() {
    let mut a = app();
    a.update(key(KeyCode::F(1)));
    let first = screen(&mut a, 80, 24);
    assert!(first.contains("rows 1-22 of"), "{first}");
    assert!(first.contains("↓ more"), "{first}");
    for _ in 0..500 {
        a.update(ch('j'));
    }
    let Some(Overlay::Help(Help { scroll })) = a.overlay else {
        panic!("help closed")
    };
    let last = screen(&mut a, 80, 24);
    assert!(!last.contains("↓ more"), "{last}");
    assert!(last.contains("export") && last.contains(" rows "), "{last}");
    // One key up moves at once: the scroll stopped at the end.
    a.update(ch('k'));
    let Some(Overlay::Help(Help { scroll: up })) = a.overlay else {
        panic!("help closed")
    };
    assert_eq!(up + 1, scroll);
    assert_ne!(screen(&mut a, 80, 24), last);
}

#[test]
fn a_clash_inside_the_contact_dialog_is_named_at_start() {
    use crate::pty::Console;
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join("config")).unwrap();
    std::fs::write(
        home.path().join("config").join("keymap.toml"),
        "[contact]\nconfirm = \"esc\"\n",
    )
    .unwrap();
    let mut c = Console::spawn_in(home, &["--seed-customers", "20"], 30, 200);
    c.expect("TRAINING SANDBOX");
    c.expect("keymap.toml: line 2: [contact] 'esc' for confirm is already the default key of back");
    c.send("\x03");
    assert!(c.wait_exit().success(), "{}", c.text());
}
