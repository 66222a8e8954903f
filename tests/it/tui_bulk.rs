//! Bulk edits in the console, through `update` and the view: marking (space, range,
//! mark all, clear), the bulk dialog's steps, and insta snapshots of the plan preview,
//! the typed-count confirmation, progress and results.
//!
//! Update the snapshots with `INSTA_UPDATE=always cargo test --test it tui_bulk` and
//! read the `.snap` files before committing them.

use crate::tui_fixture;

use std::collections::BTreeSet;
use std::time::Duration;

use crossterm::event::KeyCode;
use custdesk::bulk::apply::{Control, Event, Summary};
use custdesk::bulk::journal::{Counts, ItemState, JobState};
use custdesk::bulk::{Action, Item, Outcome, Plan};
use custdesk::tui::app::{App, Overlay};
use custdesk::tui::edit::bulk::{BulkDialog, Kind, Step, Unfinished};
use custdesk::tui::effect::Effect;
use custdesk::tui::msg::{Msg, Outcome as CallOutcome};
use tui_fixture::*;

/// The six `quart` customers in the results, the cursor on the table, signed in as
/// the back-office client (bulk jobs are back-office work).
fn results() -> App {
    let mut app = app();
    as_backoffice(&mut app);
    searched(&mut app);
    app.update(key(KeyCode::Esc));
    assert!(!app.search.editing);
    app
}

fn ids(app: &App) -> BTreeSet<String> {
    app.search.marks.iter().cloned().collect()
}

fn row_ids(rows: &[usize]) -> BTreeSet<String> {
    let all = customers();
    rows.iter().map(|i| all[*i].id.clone()).collect()
}

fn dialog(app: &App) -> &BulkDialog {
    match &app.overlay {
        Some(Overlay::Bulk(d)) => d,
        other => panic!("no bulk dialog: {other:?}"),
    }
}

fn snap(name: &str, app: &mut App, w: u16, h: u16) -> String {
    let terminal = render(app, w, h);
    let buf = terminal.backend().buffer();
    assert_eq!(control_cells(buf), vec![], "{name}: control characters");
    insta::assert_snapshot!(name, terminal.backend());
    text(buf)
}

#[test]
fn space_marks_the_row_and_moves_down_and_again_unmarks() {
    let mut app = results();
    app.update(ch(' '));
    app.update(ch(' '));
    assert_eq!(ids(&app), row_ids(&[0, 1]));
    assert_eq!(app.search.selected, 2, "each mark moves the cursor down");
    app.update(key(KeyCode::Up));
    app.update(ch(' '));
    assert_eq!(ids(&app), row_ids(&[0]), "space on a marked row unmarks it");
    let shown = screen(&mut app, 80, 24);
    assert!(shown.contains("Search · 1 marked"), "{shown}");
    assert!(shown.contains("✓ Quartermaine, Ada"), "{shown}");
}

#[test]
fn the_range_key_marks_from_the_last_marked_row_to_the_cursor_either_way() {
    let mut app = results();
    app.update(ch(' ')); // row 0, cursor to 1
    app.update(key(KeyCode::Down));
    app.update(key(KeyCode::Down)); // cursor on row 3
    app.update(alt('M'));
    assert_eq!(ids(&app), row_ids(&[0, 1, 2, 3]));
    assert!(
        app.status
            .notice
            .as_deref()
            .is_some_and(|n| n.starts_with("Marked rows 1 to 4 (4)")),
        "{:?}",
        app.status.notice
    );
    // Upwards from a new anchor: clear, mark row 5, go up to row 2, range.
    app.update(alt('u'));
    app.update(alt('G'));
    app.update(ch(' ')); // the last row: the cursor stays
    for _ in 0..3 {
        app.update(key(KeyCode::Up));
    }
    app.update(alt('M'));
    assert_eq!(ids(&app), row_ids(&[2, 3, 4, 5]));
}

#[test]
fn mark_all_fetches_every_result_and_says_how_many_are_not_on_screen() {
    let mut app = app();
    let seq = type_search(&mut app, "quarto");
    answer_search(&mut app, seq, filler(0, 100), 250);
    app.update(key(KeyCode::Esc));
    let _ = screen(&mut app, 80, 24); // the table's height decides what is on screen
    let on_screen = app.visible_rows;
    let fx = app.update(ch('*'));
    assert!(
        matches!(fx.as_slice(), [Effect::MarkAll { seq: s, count: 250, .. }] if *s == seq),
        "{fx:?}"
    );
    assert_eq!(
        app.status.notice.as_deref(),
        Some("Marking all 250 results (100 loaded)…")
    );
    let all: Vec<String> = filler(0, 250).into_iter().map(|c| c.id).collect();
    app.update(Msg::MarkedAll {
        seq,
        outcome: CallOutcome::ok(all.clone(), CORR_SEARCH),
    });
    assert_eq!(ids(&app), all.iter().cloned().collect());
    assert_eq!(
        app.status.notice,
        Some(format!(
            "Marked all 250 results of the search ({} not on screen); 250 marked in all",
            250 - on_screen
        ))
    );
    let shown = screen(&mut app, 80, 24);
    assert!(shown.contains("Search · 250 marked"), "{shown}");
}

#[test]
fn mark_all_of_a_search_fully_loaded_needs_no_call_and_a_stale_answer_is_dropped() {
    let mut app = results();
    let fx = app.update(ch('*'));
    assert!(fx.is_empty(), "all six are loaded: {fx:?}");
    assert_eq!(ids(&app), row_ids(&[0, 1, 2, 3, 4, 5]));
    app.update(alt('u'));
    // Mark-all of a 250-result search, then a new search before the ids arrive.
    let mut app = app_with_results(250);
    let fx = app.update(ch('*'));
    let Some(Effect::MarkAll { seq, .. }) = fx.first() else {
        panic!("{fx:?}")
    };
    let old = *seq;
    app.update(ch('/'));
    type_str(&mut app, "x");
    app.update(Msg::MarkedAll {
        seq: old,
        outcome: CallOutcome::ok(vec!["0".repeat(32)], CORR_SEARCH),
    });
    assert!(
        ids(&app).is_empty(),
        "the answer of an older search marks nothing"
    );
}

fn app_with_results(count: u64) -> App {
    let mut app = app();
    let seq = type_search(&mut app, "quarto");
    answer_search(&mut app, seq, filler(0, 100), count);
    app.update(key(KeyCode::Esc));
    app
}

#[test]
fn clear_drops_every_mark_and_says_how_many() {
    let mut app = results();
    app.update(ch('*'));
    app.update(alt('u'));
    assert!(ids(&app).is_empty());
    assert_eq!(app.status.notice.as_deref(), Some("Cleared 6 marks"));
    let shown = screen(&mut app, 80, 24);
    assert!(!shown.contains("marked"), "{shown}");
    assert!(!shown.contains('✓'), "{shown}");
}

#[test]
fn a_bulk_action_takes_the_marked_rows_or_else_the_row_under_the_cursor() {
    let mut app = results();
    app.update(key(KeyCode::Down));
    app.update(alt('b'));
    let d = dialog(&app);
    assert!(!d.from_marks);
    assert_eq!(d.targets.len(), 1);
    assert_eq!(d.targets[0].id, customers()[1].id);
    assert_eq!(d.targets[0].name.as_deref(), Some("Bernard Quartermaine"));
    app.update(key(KeyCode::Esc));
    assert!(app.overlay.is_none(), "esc closes the dialog");
    app.update(ch(' '));
    app.update(ch(' '));
    app.update(alt('b'));
    let d = dialog(&app);
    assert!(d.from_marks);
    let targets: BTreeSet<String> = d.targets.iter().map(|t| t.id.clone()).collect();
    assert_eq!(targets, row_ids(&[1, 2]));
}

#[test]
fn the_bulk_list_follows_the_table_then_the_marks_from_elsewhere() {
    let mut app = results();
    // A customer marked in an earlier search, not in these results.
    let elsewhere = "e".repeat(32);
    app.search.marks.insert(elsewhere.clone());
    // Row 3, then row 0 (Ada, whose id sorts after the others).
    for _ in 0..3 {
        app.update(key(KeyCode::Down));
    }
    app.update(ch(' '));
    for _ in 0..4 {
        app.update(key(KeyCode::Up));
    }
    app.update(ch(' '));
    // A later page that repeated a row (the backend's order shifted) lists it once.
    let again = app.search.rows[3].clone();
    app.search.rows.push(again);
    app.update(alt('b'));
    let all = customers();
    let order: Vec<&str> = dialog(&app).targets.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(
        order,
        [all[0].id.as_str(), all[3].id.as_str(), elsewhere.as_str()]
    );
}

#[test]
fn read_only_offers_no_bulk_edit() {
    let mut app = results();
    app.read_only = true;
    app.update(ch(' '));
    let fx = app.update(alt('b'));
    assert!(app.overlay.is_none());
    assert_eq!(
        app.status.notice.as_deref(),
        Some("Read-only: no edits are offered or sent")
    );
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Record(n) if n.outcome == "refused: read-only")),
        "the refusal is audited: {fx:?}"
    );
}

/// Mark the first `n` rows (of the six) and open the bulk dialog.
fn bulk_on(n: usize) -> App {
    let mut app = results();
    for _ in 0..n {
        app.update(ch(' '));
    }
    app.update(alt('b'));
    app
}

#[test]
fn the_values_are_checked_as_a_csv_row_before_anything_is_read() {
    let mut app = bulk_on(2);
    let fx = app.update(key(KeyCode::Enter));
    assert!(fx.is_empty(), "{fx:?}");
    assert_eq!(
        dialog(&app).errors,
        vec!["Alert code: is required for subscribe".to_string()]
    );
    snap("bulk_choose_invalid", &mut app, 80, 24);
    app.update(key(KeyCode::Tab));
    type_str(&mut app, "low_balance");
    app.update(key(KeyCode::Tab)); // channel
    app.update(key(KeyCode::Right)); // SMS
    app.update(key(KeyCode::Tab));
    type_str(&mut app, "abc");
    app.update(key(KeyCode::Enter));
    assert_eq!(
        dialog(&app).errors,
        vec!["Threshold: must be a number more than 0 and at most 1000000".to_string()]
    );
    app.update(key(KeyCode::Backspace));
    app.update(key(KeyCode::Backspace));
    app.update(key(KeyCode::Backspace));
    type_str(&mut app, "50");
    let fx = app.update(key(KeyCode::Enter));
    let [Effect::BulkPlan { items, errors, .. }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert!(errors.is_empty());
    assert_eq!(items.len(), 2);
    // In the table's order.
    for (item, want) in items.iter().zip(&customers()[..2]) {
        assert_eq!(item.customer_id.as_deref(), Some(want.id.as_str()));
        assert_eq!(
            item.edit,
            Action::Subscribe {
                alert_code: "LOW_BALANCE".into(),
                channel: "SMS".into(),
                threshold: Some(50.0),
            }
        );
    }
    assert!(matches!(dialog(&app).step, Step::Planning { total: 2, .. }));
}

fn item(i: usize, edit: Action, old: &str) -> Item {
    let name = if i == 0 {
        "Ada Quartermaine".to_string()
    } else {
        format!("Sam Quarto{i:04}")
    };
    Item {
        id: (i + 1).to_string(),
        line: None,
        customer_id: Some(format!("{i:032x}")),
        name: Some(name),
        new: edit.new_display(),
        edit,
        old: Some(old.into()),
        unchanged: false,
    }
}

fn subscribe_plan(n: usize) -> Plan {
    let mut p = Plan::new();
    p.job_id = "5f0c2a9e7d4b4c1e8a3f6b2d9c0e1f47".into();
    p.created = "2026-11-21T10:00:00.000Z".into();
    p.source = Some("console: marked customers".into());
    for i in 0..n {
        p.items.push(item(
            i,
            Action::Subscribe {
                alert_code: "LOW_BALANCE".into(),
                channel: "SMS".into(),
                threshold: Some(50.0),
            },
            "LOW_BALANCE not subscribed",
        ));
    }
    if n > 2 {
        p.items[2].unchanged = true;
        p.items[2].old = Some(p.items[2].new.clone());
    }
    p
}

/// The dialog showing `plan`, as if the backend had just answered the reads.
fn previewing(plan: Plan) -> App {
    let mut app = bulk_on(1);
    app.update(key(KeyCode::Tab));
    type_str(&mut app, "LOW_BALANCE");
    // LOW_BALANCE needs its threshold.
    app.update(key(KeyCode::Tab));
    app.update(key(KeyCode::Tab));
    type_str(&mut app, "50");
    app.update(key(KeyCode::Enter));
    let seq = dialog(&app).seq;
    app.update(Msg::BulkPlanned {
        seq,
        result: Ok(plan),
    });
    assert!(matches!(dialog(&app).step, Step::Preview));
    app
}

#[test]
fn the_preview_lists_every_customer_with_old_and_new_and_a_small_plan_applies_on_enter() {
    let mut p = subscribe_plan(5);
    p.errors.push(custdesk::bulk::PlanError {
        line: None,
        column: Some("customer_id".into()),
        message: "customer 0000000000000000000000000000dead: no such customer".into(),
    });
    let mut app = previewing(p.clone());
    let shown = snap("bulk_preview", &mut app, 80, 24);
    assert!(
        shown.contains("5 customers · 4 to change · 1 already so"),
        "{shown}"
    );
    assert!(shown.contains("dead: no such"), "{shown}");
    let fx = app.update(key(KeyCode::Enter));
    let [
        Effect::BulkApply {
            plan, retry_failed, ..
        },
    ] = fx.as_slice()
    else {
        panic!("{fx:?}")
    };
    assert_eq!(**plan, p);
    assert!(!retry_failed);
    assert!(matches!(dialog(&app).step, Step::Applying));
}

#[test]
fn long_values_wrap_in_the_preview_and_scrolling_reaches_the_last_customer() {
    let mut app = previewing(subscribe_plan(150));
    let first = text(render(&mut app, 80, 24).backend().buffer());
    // The value being set is whole at 80 columns, wrapped rather than cut.
    assert!(first.contains("(threshold 50)"), "{first}");
    assert!(!first.contains("Quarto0149"), "{first}");
    for _ in 0..200 {
        app.update(key(KeyCode::PageDown));
    }
    let last = text(render(&mut app, 80, 24).backend().buffer());
    assert!(last.contains("Sam Quarto0149"), "{last}");
    // A full screen of customers still shows at the end, not just the last one.
    assert!(last.contains("Sam Quarto0146"), "{last}");
    app.update(key(KeyCode::Up));
    let up = text(render(&mut app, 80, 24).backend().buffer());
    assert_ne!(up, last, "up moves back from the end at once");
}

#[test]
fn the_preview_saves_the_plan_and_esc_goes_back_to_the_values() {
    let mut app = previewing(subscribe_plan(3));
    let fx = app.update(ch('s'));
    assert!(
        matches!(fx.as_slice(), [Effect::BulkSavePlan { .. }]),
        "{fx:?}"
    );
    app.update(Msg::BulkNotice("Plan saved: /tmp/p.json".into()));
    assert_eq!(
        dialog(&app).notice.as_deref(),
        Some("Plan saved: /tmp/p.json")
    );
    app.update(key(KeyCode::Esc));
    assert!(matches!(dialog(&app).step, Step::Choose));
    assert_eq!(
        dialog(&app).inputs[0].value(),
        "LOW_BALANCE",
        "what was typed stays"
    );
}

#[test]
fn over_a_hundred_changes_the_count_must_be_typed_back() {
    let mut app = previewing(subscribe_plan(150));
    let fx = app.update(key(KeyCode::Enter));
    assert!(
        fx.is_empty(),
        "nothing is sent before the count is typed: {fx:?}"
    );
    type_str(&mut app, "148");
    let fx = app.update(key(KeyCode::Enter));
    assert!(fx.is_empty(), "{fx:?}");
    let shown = snap("bulk_typed_count_wrong", &mut app, 80, 24);
    assert!(
        shown.contains("This plan changes 149 customers."),
        "{shown}"
    );
    assert!(shown.contains("Type 149 exactly"), "{shown}");
    app.update(key(KeyCode::Backspace));
    type_str(&mut app, "9");
    let fx = app.update(key(KeyCode::Enter));
    assert!(
        matches!(fx.as_slice(), [Effect::BulkApply { .. }]),
        "{fx:?}"
    );
}

#[test]
fn any_delete_asks_for_the_count_whatever_the_size() {
    let mut p = Plan::new();
    p.job_id = "d".repeat(32);
    for i in 0..2 {
        p.items.push(item(i, Action::Delete, "Ada Quartermaine"));
    }
    let mut app = previewing(p);
    assert!(app.update(key(KeyCode::Enter)).is_empty());
    let shown = snap("bulk_typed_count_delete", &mut app, 80, 24);
    assert!(
        shown.contains("This plan changes 2 customers and deletes 2 of them."),
        "{shown}"
    );
    app.update(key(KeyCode::Esc));
    assert!(
        matches!(dialog(&app).step, Step::Preview),
        "esc backs out one step"
    );
}

fn counts(total: usize, applied: usize, failed: usize) -> Counts {
    Counts {
        total,
        applied,
        failed,
        pending: total - applied - failed - 1,
        in_doubt: 0,
        unchanged: 1,
    }
}

fn failed(reason: &str) -> Outcome {
    Outcome::Failed {
        status: Some(400),
        kind: "invalid input".into(),
        field: Some("threshold".into()),
        reason: reason.into(),
        transient: false,
        class: Some(custdesk::api::Class::Permanent),
        correlation_id: "8d1e6f0a-2b3c-4d5e-9f60-7a8b9c0d1e2f".into(),
    }
}

fn applied() -> Outcome {
    Outcome::Applied {
        status: 200,
        replayed: false,
        already: false,
        created_id: None,
        correlation_id: "c0ffee00-0000-4000-8000-000000000000".into(),
    }
}

/// Apply a 150-item plan and feed the engine's events: 60 answered in 2 s, 2 failed.
fn applying() -> App {
    let mut app = previewing(subscribe_plan(150));
    app.update(key(KeyCode::Enter));
    type_str(&mut app, "149");
    app.update(key(KeyCode::Enter));
    let seq = dialog(&app).seq;
    app.update(Msg::BulkEvent {
        seq,
        event: Event::Started {
            to_send: 149,
            counts: counts(150, 0, 0),
        },
        elapsed: Duration::ZERO,
    });
    for i in 0..60 {
        let outcome = if i == 7 || i == 30 {
            failed("is required for LOW_BALANCE")
        } else {
            applied()
        };
        let ok = if i >= 30 {
            i - 1
        } else if i >= 7 {
            i
        } else {
            i + 1
        };
        let bad = usize::from(i >= 7) + usize::from(i >= 30);
        app.update(Msg::BulkEvent {
            seq,
            event: Event::Answer {
                index: i + usize::from(i >= 2),
                outcome,
                counts: counts(150, ok, bad),
            },
            elapsed: Duration::from_millis(2000 * (i as u64 + 1) / 60),
        });
    }
    app
}

#[test]
fn progress_shows_the_gauge_rate_and_time_left_and_pause_and_cancel_reach_the_engine() {
    let mut app = applying();
    let shown = snap("bulk_progress", &mut app, 80, 24);
    assert!(
        shown.contains("60 of 149 sent · 30/s · 3 s left"),
        "{shown}"
    );
    assert!(shown.contains("applied 58 · failed 2"), "{shown}");
    assert!(app.busy(), "the spinner turns while the job runs");
    let fx = app.update(ch('p'));
    assert_eq!(fx, vec![Effect::BulkControl(Control::Pause)]);
    let shown = screen(&mut app, 80, 24);
    assert!(shown.contains("Paused"), "{shown}");
    let fx = app.update(ch('p'));
    assert_eq!(fx, vec![Effect::BulkControl(Control::Run)]);
    let fx = app.update(key(KeyCode::Esc));
    assert!(fx.is_empty());
    assert!(app.overlay.is_some(), "esc does not hide a running job");
    let fx = app.update(ch('c'));
    assert_eq!(fx, vec![Effect::BulkControl(Control::Cancel)]);
    let shown = screen(&mut app, 80, 24);
    assert!(
        shown.contains("Cancelling: items in flight finish"),
        "{shown}"
    );
}

/// A failure a retry may cure: the backend was unavailable.
fn unavailable() -> Outcome {
    Outcome::Failed {
        status: Some(503),
        kind: "server error".into(),
        field: None,
        reason: "the backend is unavailable".into(),
        transient: true,
        class: Some(custdesk::api::Class::Transient),
        correlation_id: "8d1e6f0a-2b3c-4d5e-9f60-7a8b9c0d1e30".into(),
    }
}

#[test]
fn results_list_the_failures_with_reasons_retry_them_and_export() {
    let mut app = applying();
    let seq = dialog(&app).seq;
    let mut state = JobState::new(150);
    for (i, s) in state.items.iter_mut().enumerate() {
        *s = match i {
            2 => ItemState::Pending,
            8 => ItemState::Answered {
                g: 0,
                outcome: failed("is required for LOW_BALANCE"),
            },
            31 => ItemState::Answered {
                g: 0,
                outcome: unavailable(),
            },
            i if i < 100 => ItemState::Answered {
                g: 0,
                outcome: applied(),
            },
            _ => ItemState::Pending,
        };
    }
    let summary = Summary {
        counts: Counts {
            total: 150,
            applied: 97,
            failed: 2,
            pending: 50,
            in_doubt: 0,
            unchanged: 1,
        },
        sent: 99,
        elapsed: Duration::from_millis(3300),
        cancelled: true,
        error: None,
    };
    app.update(Msg::BulkFinished {
        seq,
        result: Ok((summary, state)),
    });
    let shown = snap("bulk_results", &mut app, 100, 24);
    assert!(shown.contains("✗ failed 2"), "{shown}");
    assert!(shown.contains("Cancelled after 99 answers"), "{shown}");
    assert!(shown.contains("Sam Quarto0008"), "{shown}");
    assert!(shown.contains("is required for LOW_BALANCE"), "{shown}");
    assert!(
        shown.contains("1 failed for good (sending it again cannot help): invalid input (400)"),
        "{shown}"
    );
    assert!(
        shown.contains("r send the 50 not sent and retry the 1 failed"),
        "only what may succeed is offered again: {shown}"
    );
    let fx = app.update(ch('x'));
    assert_eq!(
        fx,
        vec![Effect::BulkExport {
            job_id: "5f0c2a9e7d4b4c1e8a3f6b2d9c0e1f47".into()
        }]
    );
    let fx = app.update(ch('r'));
    assert!(
        matches!(
            fx.as_slice(),
            [Effect::BulkApply {
                retry_failed: true,
                ..
            }]
        ),
        "{fx:?}"
    );
    assert!(matches!(dialog(&app).step, Step::Applying));
}

#[test]
fn an_interrupted_job_is_offered_for_resume() {
    let mut app = app();
    let plan = subscribe_plan(40);
    app.overlay = Some(Overlay::Bulk(Box::new(BulkDialog::resume(
        plan.clone(),
        Unfinished {
            counts: Counts {
                total: 40,
                applied: 25,
                failed: 1,
                pending: 11,
                in_doubt: 2,
                unchanged: 1,
            },
            state: "interrupted".into(),
        },
    ))));
    let shown = snap("bulk_resume", &mut app, 80, 24);
    assert!(
        shown.contains("A bulk job was interrupted with 13 of 40 items left."),
        "{shown}"
    );
    let fx = app.update(key(KeyCode::Enter));
    let [
        Effect::BulkApply {
            plan: p,
            retry_failed: false,
            ..
        },
    ] = fx.as_slice()
    else {
        panic!("{fx:?}")
    };
    assert_eq!(**p, plan);
}

#[test]
fn create_from_csv_needs_no_marks() {
    let mut app = results();
    app.search.rows.clear();
    app.update(alt('b'));
    let d = dialog(&app);
    assert_eq!(
        d.kind,
        Kind::CreateCsv,
        "with no customer, creating is what is left"
    );
    app.update(key(KeyCode::Tab));
    type_str(&mut app, "/tmp/new.csv");
    let fx = app.update(key(KeyCode::Enter));
    assert!(
        matches!(fx.as_slice(), [Effect::BulkPlanCsv { path, .. }] if path.to_str() == Some("/tmp/new.csv")),
        "{fx:?}"
    );
}

#[test]
fn back_office_actions_say_which_scope_is_missing_before_reading_anything() {
    let mut app = bulk_on(2);
    app.status.scopes = vec!["customers:read".into(), "alerts:write".into()];
    while dialog(&app).kind != Kind::SetEmail {
        app.update(key(KeyCode::Down));
    }
    app.update(key(KeyCode::Tab));
    type_str(&mut app, "ops@example.com");
    let fx = app.update(key(KeyCode::Enter));
    assert!(fx.is_empty(), "{fx:?}");
    assert_eq!(
        dialog(&app).errors,
        vec![
            "Set the email (back office) needs the customers:write scope, which demo.agent \
             does not have: start the console as the backoffice client (CUSTDESK_CLIENT_ID=backoffice)"
                .to_string()
        ]
    );
    // With the scope, the same values plan.
    app.status.scopes.push("customers:write".into());
    let fx = app.update(key(KeyCode::Enter));
    assert!(
        matches!(fx.as_slice(), [Effect::BulkPlan { items, .. }] if items.len() == 2),
        "{fx:?}"
    );
}

#[test]
fn a_clean_run_says_no_failures_and_offers_no_retry() {
    let mut app = applying();
    let seq = dialog(&app).seq;
    let mut state = JobState::new(150);
    for s in state.items.iter_mut() {
        *s = ItemState::Answered {
            g: 0,
            outcome: applied(),
        };
    }
    let summary = Summary {
        counts: Counts {
            total: 150,
            applied: 149,
            failed: 0,
            pending: 0,
            in_doubt: 0,
            unchanged: 1,
        },
        sent: 149,
        elapsed: Duration::from_millis(1200),
        cancelled: false,
        error: None,
    };
    app.update(Msg::BulkFinished {
        seq,
        result: Ok((summary, state)),
    });
    let shown = screen(&mut app, 100, 24);
    assert!(shown.contains("No failures."), "{shown}");
    assert!(shown.contains("149 answers in 1.2 s"), "{shown}");
    assert!(!shown.contains("retry"), "{shown}");
    assert!(app.update(ch('r')).is_empty(), "nothing to retry");
}

#[test]
fn failures_for_good_are_explained_and_not_offered_for_retry() {
    let mut app = applying();
    let seq = dialog(&app).seq;
    let mut state = JobState::new(150);
    for (i, s) in state.items.iter_mut().enumerate() {
        *s = ItemState::Answered {
            g: 0,
            outcome: if i == 8 || i == 31 {
                failed("threshold: is required for LOW_BALANCE")
            } else {
                applied()
            },
        };
    }
    let summary = Summary {
        counts: Counts {
            total: 150,
            applied: 147,
            failed: 2,
            pending: 0,
            in_doubt: 0,
            unchanged: 1,
        },
        sent: 149,
        elapsed: Duration::from_millis(1200),
        cancelled: false,
        error: None,
    };
    app.update(Msg::BulkFinished {
        seq,
        result: Ok((summary, state)),
    });
    let shown = screen(&mut app, 100, 24);
    assert!(shown.contains("✗ failed 2"), "{shown}");
    assert!(
        shown.contains("2 failed for good (sending them again cannot help): invalid input (400)"),
        "{shown}"
    );
    assert_eq!(
        dialog(&app)
            .failure_summary()
            .for_good_in_words()
            .as_deref(),
        Some(
            "2 failed for good (sending them again cannot help): invalid input (400): threshold: is required for LOW_BALANCE"
        )
    );
    assert!(!shown.contains("r retry"), "{shown}");
    assert!(app.update(ch('r')).is_empty(), "nothing a retry could cure");
    assert!(
        app.status
            .notice
            .as_deref()
            .is_some_and(|n| n.starts_with("Nothing to retry: 2 failed for good")),
        "{:?}",
        app.status.notice
    );
    assert!(matches!(dialog(&app).step, Step::Results));
}

#[test]
fn ctrl_c_while_a_job_sends_warns_once_then_quits() {
    let mut app = applying();
    app.update(ctrl('c'));
    assert!(!app.quit, "the first Ctrl-C only warns");
    assert!(
        app.status
            .notice
            .as_deref()
            .is_some_and(|n| n.starts_with("A bulk job is sending")),
        "{:?}",
        app.status.notice
    );
    app.update(ctrl('c'));
    assert!(app.quit);
    // Anywhere else one Ctrl-C quits.
    let mut app = results();
    app.update(ctrl('c'));
    assert!(app.quit);
}

#[test]
fn a_keymap_file_rebinds_saving_the_plan_in_the_bulk_context() {
    use custdesk::tui::keymap_load;
    let (km, problems) = keymap_load::tolerant("[bulk]\nsave_plan = \"w\"\n");
    assert!(problems.is_empty(), "{problems:?}");
    let mut app = previewing(subscribe_plan(3));
    app.keymap = km.clone();
    // The old key no longer saves; the new one does; the hint names the new one.
    let fx = app.update(ch('s'));
    assert!(fx.is_empty(), "s still saves: {fx:?}");
    let shown = text(render(&mut app, 120, 35).backend().buffer());
    assert!(shown.contains("w save plan"), "{shown}");
    assert!(!shown.contains("s save plan"), "{shown}");
    let fx = app.update(ch('w'));
    assert!(
        matches!(fx.as_slice(), [Effect::BulkSavePlan { .. }]),
        "{fx:?}"
    );
    // Help lists it under the bulk dialog with its new key; the global s still sorts.
    let mut app = app_with(km, custdesk::tui::theme::Theme::built_in("default"));
    app.update(key(KeyCode::F(1)));
    // Help is longer than 80 rows since the results list, the customer panes and the
    // search box have their own sections: scroll so sort and the bulk dialog's keys
    // share the screen.
    for _ in 0..30 {
        app.update(ch('j'));
    }
    let help = screen(&mut app, 200, 80);
    let title = help
        .lines()
        .position(|l| l.contains("Bulk dialog (keymap.toml [bulk])"));
    let line = help.lines().position(|l| l.contains("save_plan"));
    assert!(
        matches!((title, line), (Some(t), Some(l)) if l > t),
        "{help}"
    );
    let save = help.lines().find(|l| l.contains("save_plan")).unwrap();
    assert!(save.contains(" w "), "{save}");
    let sort = help.lines().find(|l| l.contains(" sort ")).unwrap();
    assert!(sort.contains(" s "), "{sort}");
}

#[test]
fn a_clash_inside_the_bulk_context_is_reported_at_start_naming_both_actions() {
    use custdesk::tui::keymap::Action as Key;
    use custdesk::tui::keymap_load;
    let text = "[bindings]\nquit = \"Q\"\n[bulk]\nsave_plan = \"x\"\n";
    let (km, problems) = keymap_load::tolerant(text);
    let notice = keymap_load::notice(std::path::Path::new("/c/keymap.toml"), &problems)
        .expect("a notice at start");
    assert!(
        notice.contains("line 4")
            && notice.contains("[bulk]")
            && notice.contains("save_plan")
            && notice.contains("export"),
        "{notice}"
    );
    // The bad line keeps its default; the good one is kept.
    assert_eq!(km.keys(Key::SavePlan), vec!["s".to_string()]);
    assert_eq!(km.keys(Key::Quit), vec!["Q".to_string()]);
    // The same key in two contexts is no clash: x exports in the bulk dialog, and may
    // be a global key too.
    let (_, problems) = keymap_load::tolerant("[bindings]\nquit = \"x\"\n");
    assert!(problems.is_empty(), "{problems:?}");
}
