//! The CSV reader's unit tests: rows to items, and every problem by line and column.

use super::*;

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
}

const C1: &str = "0123456789abcdef0123456789abcdef";
const C2: &str = "fedcba9876543210fedcba9876543210";

#[test]
fn two_rows_changing_one_thing_are_refused_and_a_delete_stands_alone() {
    const C3: &str = "00000000000000000000000000000003";
    let text = format!(
        "action,customer_id,email,alert_code,channel\n\
         set_email,{C1},a@example.com,,\n\
         delete,{C1},,,\n\
         delete,{C2},,,\n\
         set_email,{C2},b@example.com,,\n\
         set_email,{C3},c@example.com,,\n\
         set_email,{C3},d@example.com,,\n\
         subscribe,{C3},,CARD_NOT_PRESENT,SMS\n\
         subscribe,{C3},,PAYMENT_DUE,SMS\n"
    );
    let p = parse(text.as_bytes(), today());
    let errors: Vec<(Option<u64>, &str)> = p
        .errors
        .iter()
        .map(|e| (e.line, e.message.as_str()))
        .collect();
    assert_eq!(
        errors,
        [
            (
                Some(3),
                "line 2 already edits this customer; a delete must be its only row"
            ),
            (Some(5), "line 4 deletes this customer"),
            (Some(7), "line 6 already changes the email of this customer"),
        ]
    );
    let lines: Vec<Option<u64>> = p.items.iter().map(|i| i.line).collect();
    assert_eq!(lines, [Some(2), Some(4), Some(6), Some(8), Some(9)]);
}

#[test]
fn good_rows_become_items() {
    let text = format!(
        "action,customer_id,email,phone,consent_type,alert_code,channel,threshold,first_name,last_name\n\
         set_email,{C1},Ada@Example.com,,,,,,,\n\
         set_phone,{C2},,+44 7700 900999,,,,,,\n\
         add_phone,{C1},,07700900555,Express,,,,,\n\
         subscribe,{C2},,,,low_balance,sms,25.5,,\n\
         unsubscribe,{C1},,,,PAYMENT_DUE,,,,\n\
         create,,new@example.com,,,,,,Grace,Hopper\n"
    );
    let p = parse(text.as_bytes(), today());
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(p.rows, 6);
    assert_eq!(
        p.items[0].edit,
        Action::SetEmail {
            email: "ada@example.com".into()
        }
    );
    assert_eq!(p.items[0].line, Some(2));
    assert_eq!(
        p.items[1].edit,
        Action::SetPhone {
            phone: "447700900999".into()
        }
    );
    assert_eq!(
        p.items[2].edit,
        Action::AddPhone {
            phone_number: "07700900555".into(),
            consent_type: "express".into(),
            phone_type: "mobile".into(),
            country_code: None
        }
    );
    assert_eq!(
        p.items[3].edit,
        Action::Subscribe {
            alert_code: "LOW_BALANCE".into(),
            channel: "SMS".into(),
            threshold: Some(25.5)
        }
    );
    assert!(p.items[5].customer_id.is_none());
    assert!(p.items[2].new.contains("0555"), "{}", p.items[2].new);
    assert!(
        !p.items[2].new.contains("0770090"),
        "masked: {}",
        p.items[2].new
    );
}

#[test]
fn bad_rows_name_line_and_column() {
    let text = format!(
        "action,customer_id,email,phone,consent_type\n\
         set_email,{C1},not-an-email,,\n\
         set_email,XYZ,a@b.com,,\n\
         frobnicate,{C1},,,\n\
         add_phone,{C2},,123,maybe\n\
         set_email,{C2},a@b.com,447700900123,\n\
         delete,{C1},,,\n\
         set_email,{C2}\n"
    );
    let p = parse(text.as_bytes(), today());
    let msgs: Vec<String> = p.errors.iter().map(|e| e.to_string()).collect();
    // Only line 7 is good: line 2 (the other C1 row) was bad, so no clash either.
    assert_eq!(p.items.len(), 1, "{:?}", p.items);
    assert_eq!(p.items[0].line, Some(7));
    assert!(
        msgs.contains(&"line 2, column email: must contain @".to_string()),
        "{msgs:#?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("line 3, column customer_id: must be 32")),
        "{msgs:#?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("line 4, column action: 'frobnicate'")),
        "{msgs:#?}"
    );
    assert!(
        msgs.iter().any(|m| m.starts_with("line 5, column phone:")),
        "{msgs:#?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("line 5, column consent_type: must be one of")),
        "{msgs:#?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m == "line 6, column phone: is not used by set_email; leave it empty"),
        "{msgs:#?}"
    );
    assert!(
        msgs.iter().any(|m| m.starts_with("line 8: has 2 fields")),
        "{msgs:#?}"
    );
}

#[test]
fn two_rows_changing_one_thing_clash() {
    let text = format!(
        "action,customer_id,email,alert_code,channel\n\
         set_email,{C1},a@b.com,,\n\
         subscribe,{C1},,CARD_NOT_PRESENT,SMS\n\
         set_email,{C1},c@d.com,,\n\
         delete,{C1},,,\n\
         unsubscribe,{C2},,PAYMENT_DUE,\n\
         subscribe,{C2},,payment_due,EMAIL\n"
    );
    let p = parse(text.as_bytes(), today());
    let msgs: Vec<String> = p.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(p.items.len(), 3, "{msgs:#?}");
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("line 4, column customer_id: line 2 already")),
        "{msgs:#?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("line 5, column customer_id: line 2 already")),
        "{msgs:#?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("line 7, column customer_id: line 6 already")),
        "{msgs:#?}"
    );
}

#[test]
fn an_alert_that_takes_a_threshold_needs_one_at_plan_time() {
    let text = format!(
        "action,customer_id,alert_code,channel,threshold\n\
         subscribe,{C1},LOW_BALANCE,SMS,\n\
         subscribe,{C2},PAYMENT_DUE,SMS,5\n\
         subscribe,{C1},NOPE,SMS,\n\
         subscribe,{C2},LARGE_TRANSACTION,SMS,2000000\n"
    );
    let p = parse(text.as_bytes(), today());
    let msgs: Vec<String> = p.errors.iter().map(|e| e.to_string()).collect();
    assert!(p.items.is_empty(), "{:?}", p.items);
    assert_eq!(
        msgs,
        [
            "line 2, column threshold: is required for LOW_BALANCE",
            "line 3, column threshold: PAYMENT_DUE takes no threshold",
            "line 4, column alert_code: unknown alert; one of LOW_BALANCE, LARGE_TRANSACTION, PAYMENT_DUE, CARD_NOT_PRESENT, NEW_DEVICE_LOGIN, STATEMENT_READY",
            "line 5, column threshold: must be a number more than 0 and at most 1000000",
        ]
    );
}

#[test]
fn header_problems() {
    let p = parse("customer_id,colour\nx,y\n".as_bytes(), today());
    let msgs: Vec<String> = p.errors.iter().map(|e| e.to_string()).collect();
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("line 1, column colour: is not a known column")),
        "{msgs:#?}"
    );
    assert!(
        msgs.iter().any(|m| m.starts_with("line 1, column action:")),
        "{msgs:#?}"
    );
}

#[test]
fn quoted_newlines_keep_line_numbers() {
    let text = format!(
        "action,customer_id,first_name,last_name\n\
         create,,\"Ada\nLovelace\",Byron\n\
         set_email,{C1},,\n"
    );
    let p = parse(text.as_bytes(), today());
    let msgs: Vec<String> = p.errors.iter().map(|e| e.to_string()).collect();
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("line 2, column first_name:")),
        "{msgs:#?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m == "line 4, column email: is required for set_email"),
        "{msgs:#?}"
    );
}

#[test]
fn international_numbers() {
    let international = |f: &str, v: &str| InternationalPhone::typed(f, v).map(String::from);
    assert_eq!(
        international("phone", "+44 7700 900123").unwrap(),
        "447700900123"
    );
    assert_eq!(
        international("phone", "00447700900123").unwrap(),
        "447700900123"
    );
    assert!(international("phone", "07700900123").is_err());
    assert!(international("phone", "abc").is_err());
}

#[test]
fn line_numbers_hold_for_crlf_and_quoted_fields_spanning_lines() {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
    let lines = |text: &str| -> Vec<Option<u64>> {
        parse(text.as_bytes(), today)
            .errors
            .iter()
            .filter(|e| e.column.as_deref() == Some("customer_id"))
            .map(|e| e.line)
            .collect()
    };
    let lf = "action,customer_id,email\nset_email,x,a@b.com\n\nset_email,y,a@b.com\n";
    assert_eq!(lines(lf), [Some(2), Some(4)]);
    assert_eq!(lines(&lf.replace('\n', "\r\n")), [Some(2), Some(4)]);
    let quoted = "action,customer_id,email\nset_email,x,\"a\nb\"\nset_email,y,a@b.com\n";
    assert_eq!(lines(quoted), [Some(2), Some(4)]);
    assert_eq!(lines(&quoted.replace('\n', "\r\n")), [Some(2), Some(4)]);
}
