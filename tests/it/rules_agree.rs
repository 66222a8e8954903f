//! One rule set: every input below goes through the console dialog's own validation
//! (the pure function the dialog runs as the agent types or presses enter), the CSV
//! planner's row check (`bulk::csv::row_of`, what `bulk plan` and the bulk dialog run
//! on each row) and the real sandbox over HTTP. All three must give the same verdict
//! and, when they refuse, name the same field. Email inputs also go to NewDay's verify.
//!
//! Fields are compared by their CSV column name: the server's `phone_number` (Relay's
//! path) and `subscriptions[0].threshold` (Citi) are that field under the API's name.

use crate::bulk_support::*;
use crate::common::{self, DEMO, TestSandbox};

use custdesk::api::wire::citi;
use custdesk::bulk::csv::row_of;
use custdesk::domain::choice::{Channel, Consent, PhoneType};
use custdesk::tui::edit::Submit;
use custdesk::tui::edit::add_phone::AddPhoneDialog;
use custdesk::tui::edit::alerts::{AlertsDialog, Field as AlertField};
use custdesk::tui::edit::customer::{COLUMNS, CustomerDialog, Mode};
use reqwest::Method;
use serde_json::{Map, Value, json};
use tui_input::Input;

/// What a surface said: `None` accepted, `Some(field)` refused naming the field.
type Verdict = Option<String>;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Act {
    /// bankingservice create (`n`; CSV `create`).
    Create,
    /// bankingservice update of the email (`E`; CSV `set_email`).
    SetEmail,
    /// bankingservice update of the phone (`E`; CSV `set_phone`).
    SetPhone,
    /// Relay add phone (the add-phone dialog; CSV `add_phone`).
    AddPhone,
    /// Citi subscribe to this alert by SMS (the alerts dialog; CSV `subscribe`).
    Subscribe(&'static str),
}

struct Case {
    act: Act,
    field: &'static str,
    input: String,
    ok: bool,
}

fn case(act: Act, field: &'static str, input: impl Into<String>, ok: bool) -> Case {
    Case {
        act,
        field,
        input: input.into(),
        ok,
    }
}

fn cases() -> Vec<Case> {
    use Act::*;
    let ok = true;
    let no = false;
    let long = "a".repeat(101);
    vec![
        // Names: any script, combining marks, no invisible characters.
        case(Create, "first_name", "Grace", ok),
        case(Create, "first_name", "Jose\u{301}", ok),
        case(Create, "first_name", "Łukasz", ok),
        case(Create, "first_name", "O'Brien-Smith", ok),
        case(Create, "first_name", "R2-D2", no),
        case(Create, "first_name", "<script>", no),
        case(Create, "first_name", "Gr\u{202e}ace", no),
        case(Create, "first_name", "Gr\u{200b}ace", no),
        case(Create, "first_name", "   ", no),
        case(Create, "first_name", long.clone(), no),
        case(Create, "last_name", "शर्मा", ok),
        case(Create, "last_name", "Hop\u{7}per", no),
        case(Create, "last_name", "Hopper\u{2066}", no),
        // Company.
        case(Create, "company", "Acme & Sons Ltd", ok),
        case(Create, "company", "Acme\u{202e}", no),
        case(Create, "company", long.clone(), no),
        // Email.
        case(Create, "email", "grace@example.com", ok),
        case(Create, "email", "o'brien+news@example.co.uk", ok),
        case(Create, "email", "<script>alert(1)</script>@example.com", no),
        case(Create, "email", "a..b@example.com", no),
        case(Create, "email", "grace\u{202e}@example.com", no),
        case(Create, "email", "gr\u{200b}ace@example.com", no),
        case(Create, "email", "grace@", no),
        case(Create, "email", "nope", no),
        // Phone: international digits with the country code.
        case(Create, "phone", "447700900555", ok),
        case(Create, "phone", "+447700900556", ok),
        case(Create, "phone", "07700900123", no),
        case(Create, "phone", "1234567", no),
        case(Create, "phone", "4477009005551234", no),
        // Date of birth.
        case(Create, "date_of_birth", "1984-03-09", ok),
        case(Create, "date_of_birth", "09/03/1984", no),
        case(Create, "date_of_birth", "2999-01-01", no),
        case(Create, "date_of_birth", "1899-12-31", no),
        case(Create, "date_of_birth", "1984-02-30", no),
        // Updates.
        case(SetEmail, "email", "new.address@example.org", ok),
        case(SetEmail, "email", "a..b@example.com", no),
        case(SetEmail, "email", "ada\u{200b}@example.com", no),
        case(SetPhone, "phone", "447700900777", ok),
        case(SetPhone, "phone", "07700900777", no),
        // Relay add phone.
        case(AddPhone, "phone", "1005550001", ok),
        case(AddPhone, "phone", "100555000", no),
        case(AddPhone, "phone", "100555000123", no),
        case(AddPhone, "consent_type", "", no),
        case(AddPhone, "consent_type", "written", ok),
        case(AddPhone, "consent_type", "stop", ok),
        case(AddPhone, "phone_type", "landline", ok),
        case(AddPhone, "country_code", "44", ok),
        case(AddPhone, "country_code", "0", no),
        case(AddPhone, "country_code", "4444", no),
        // Alerts: LOW_BALANCE and LARGE_TRANSACTION need a threshold of at most
        // 1,000,000; the others take none.
        case(Subscribe("LOW_BALANCE"), "threshold", "", no),
        case(Subscribe("LOW_BALANCE"), "threshold", "50", ok),
        case(Subscribe("LOW_BALANCE"), "threshold", "1000000", ok),
        case(Subscribe("LOW_BALANCE"), "threshold", "0", no),
        case(Subscribe("LOW_BALANCE"), "threshold", "1000000.01", no),
        case(Subscribe("LOW_BALANCE"), "threshold", "999999999", no),
        case(Subscribe("LOW_BALANCE"), "threshold", "abc", no),
        case(Subscribe("LARGE_TRANSACTION"), "threshold", "", no),
        case(Subscribe("LARGE_TRANSACTION"), "threshold", "250.5", ok),
        case(Subscribe("PAYMENT_DUE"), "threshold", "5", no),
        case(Subscribe("PAYMENT_DUE"), "threshold", "", ok),
    ]
}

/// A field as the CSV names it.
fn canon(field: &str) -> String {
    let f = field.strip_prefix("subscriptions[0].").unwrap_or(field);
    match f {
        "phone_number" => "phone".into(),
        f => f.to_string(),
    }
}

/// The values of a create: good ones, with the field under test replaced.
fn create_values(c: &Case) -> Vec<(&'static str, String)> {
    let mut v: Vec<(&'static str, String)> = vec![
        ("first_name", "Grace".into()),
        ("last_name", "Hopper".into()),
        ("company", String::new()),
        ("email", String::new()),
        ("phone", String::new()),
        ("date_of_birth", String::new()),
    ];
    for (k, val) in v.iter_mut() {
        if *k == c.field {
            *val = c.input.clone();
        }
    }
    v
}

/// The Relay add-phone values: number, consent, type, country code.
fn add_phone_values(c: &Case) -> [(&'static str, String); 4] {
    let mut v = [
        ("phone", "1005550002".to_string()),
        ("consent_type", "express".to_string()),
        ("phone_type", "mobile".to_string()),
        ("country_code", "1".to_string()),
    ];
    for (k, val) in v.iter_mut() {
        if *k == c.field {
            *val = c.input.clone();
        }
    }
    v
}

// ---------------------------------------------------------------------------------------
// The console's dialogs.

fn customer_dialog(mode: Mode, values: &[(&'static str, String)]) -> CustomerDialog {
    let inputs = COLUMNS
        .iter()
        .map(|col| {
            Input::new(
                values
                    .iter()
                    .find(|(k, _)| k == col)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default(),
            )
        })
        .collect();
    CustomerDialog {
        mode,
        name: "test".into(),
        field: 0,
        inputs,
        confirm: Input::default(),
        problem: None,
        submit: Submit::default(),
    }
}

fn dialog(c: &Case, customer: &str, alerts: &[citi::Alert]) -> Verdict {
    match c.act {
        Act::Create => customer_dialog(Mode::Create, &create_values(c))
            .input()
            .err()
            .map(|(i, _)| COLUMNS[i].to_string()),
        Act::SetEmail | Act::SetPhone => {
            let names = [
                ("first_name", "Ada".to_string()),
                ("last_name", "Quartermaine".to_string()),
            ];
            let initial: Vec<String> = COLUMNS
                .iter()
                .map(|col| {
                    names
                        .iter()
                        .find(|(k, _)| k == col)
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default()
                })
                .collect();
            let mut values = names.to_vec();
            values.push((c.field, c.input.clone()));
            let mode = Mode::Edit {
                id: customer.to_string(),
                initial,
                email_masked: "none".into(),
                phone_masked: "none".into(),
            };
            customer_dialog(mode, &values)
                .input()
                .err()
                .map(|(i, _)| COLUMNS[i].to_string())
        }
        Act::AddPhone => {
            let v = add_phone_values(c);
            let mut d = AddPhoneDialog::new(customer, "test");
            d.number = v[0].1.clone();
            d.consent = Consent::NAMES.iter().position(|n| *n == v[1].1);
            d.phone_type = PhoneType::NAMES
                .iter()
                .position(|n| *n == v[2].1)
                .expect("a phone type the dialog offers");
            d.country = Input::new(v[3].1.clone());
            d.problem_now().map(|(f, _)| canon(f.column()))
        }
        Act::Subscribe(code) => {
            let d = AlertsDialog {
                customer: customer.to_string(),
                name: "test".into(),
                alerts: alerts.to_vec(),
                selected: alerts
                    .iter()
                    .position(|a| a.alert_code == code)
                    .expect("the alert is offered"),
                field: AlertField::Threshold,
                subscribe: true,
                channel: Channel::Sms.index(),
                threshold: Input::new(c.input.clone()),
                submit: Submit::default(),
            };
            d.threshold_check().err().map(|e| canon(&e.field))
        }
    }
}

// ---------------------------------------------------------------------------------------
// The CSV planner.

fn planner(c: &Case, customer: &str) -> Verdict {
    let mut values: Vec<(&'static str, String)> = Vec::new();
    match c.act {
        Act::Create => {
            values.push(("action", "create".into()));
            values.extend(create_values(c));
        }
        Act::SetEmail | Act::SetPhone => {
            let action = if c.act == Act::SetEmail {
                "set_email"
            } else {
                "set_phone"
            };
            values.push(("action", action.into()));
            values.push(("customer_id", customer.into()));
            values.push((c.field, c.input.clone()));
        }
        Act::AddPhone => {
            values.push(("action", "add_phone".into()));
            values.push(("customer_id", customer.into()));
            values.extend(add_phone_values(c));
        }
        Act::Subscribe(code) => {
            values.push(("action", "subscribe".into()));
            values.push(("customer_id", customer.into()));
            values.push(("alert_code", code.into()));
            values.push(("channel", "SMS".into()));
            values.push(("threshold", c.input.clone()));
        }
    }
    row_of(2, &values)
        .err()
        .map(|errs| errs[0].column.clone().unwrap_or_default())
}

// ---------------------------------------------------------------------------------------
// The sandbox over HTTP.

struct Server {
    t: TestSandbox,
    backoffice: String,
    agent: String,
}

impl Server {
    /// 200 is accepted; a 400 names its field (`field` for bankingservice and Relay,
    /// `location` for Citi). Anything else fails the test.
    async fn verdict(&self, rb: reqwest::RequestBuilder, what: &str) -> Verdict {
        let a = common::answer(rb.send().await.expect("send")).await;
        match a.status.as_u16() {
            200 => None,
            400 => Some(canon(
                a.body["field"]
                    .as_str()
                    .or(a.body["location"].as_str())
                    .unwrap_or_else(|| panic!("{what}: a 400 names no field: {}", a.text)),
            )),
            s => panic!("{what}: unexpected {s}: {}", a.text),
        }
    }

    async fn send(&self, c: &Case, customer: &str) -> Verdict {
        let what = format!("{:?} {} {:?}", c.act, c.field, c.input);
        match c.act {
            Act::Create => {
                let mut body = Map::new();
                for (k, v) in create_values(c) {
                    if !v.is_empty() || k == c.field {
                        body.insert(k.into(), Value::String(v));
                    }
                }
                let rb = self
                    .t
                    .req(
                        Method::POST,
                        &format!("/bankingservice/v1/profiles/{DEMO}/customers"),
                        Some(&self.backoffice),
                    )
                    .json(&Value::Object(body));
                self.verdict(rb, &what).await
            }
            Act::SetEmail | Act::SetPhone => {
                let rb = self
                    .t
                    .req(
                        Method::PUT,
                        &format!("/bankingservice/v1/profiles/{DEMO}/customers/{customer}"),
                        Some(&self.backoffice),
                    )
                    .json(&json!({ c.field: c.input }));
                self.verdict(rb, &what).await
            }
            Act::AddPhone => {
                let v = add_phone_values(c);
                let mut body = Map::new();
                for (k, val) in &v[1..] {
                    if !val.is_empty() {
                        body.insert((*k).into(), Value::String(val.clone()));
                    }
                }
                let rb = self
                    .t
                    .req(
                        Method::PUT,
                        &format!(
                            "/platform/v3/api/cdm/client/{DEMO}/customer/{customer}/add_phone/{}",
                            v[0].1
                        ),
                        None,
                    )
                    .header("xx-relay-api-key", "demo-relay-key")
                    .json(&Value::Object(body));
                self.verdict(rb, &what).await
            }
            Act::Subscribe(code) => {
                let mut sub = json!({"alertCode": code, "action": "SUBSCRIBE", "channel": "SMS"});
                if !c.input.is_empty() {
                    sub["threshold"] = match c.input.parse::<f64>() {
                        Ok(n) => json!(n),
                        Err(_) => json!(c.input),
                    };
                }
                let tok = self.t.bound(&self.agent, customer).await;
                let rb = self
                    .citi(
                        Method::PUT,
                        "/communications/alerts/profilesAndSubscriptions",
                        &tok,
                    )
                    .json(&json!({ "subscriptions": [sub] }));
                self.verdict(rb, &what).await
            }
        }
    }

    fn citi(&self, m: Method, path: &str, tok: &str) -> reqwest::RequestBuilder {
        self.t
            .req(m, &format!("/citi/v1{path}"), Some(tok))
            .header("uuid", uuid::Uuid::new_v4().to_string())
            .header("client_id", "agent")
            .header("Accept", "application/json")
    }

    async fn alerts(&self, customer: &str) -> Vec<citi::Alert> {
        let tok = self.t.bound(&self.agent, customer).await;
        let a = common::answer(
            self.citi(Method::GET, "/customers/alerts", &tok)
                .send()
                .await
                .expect("alerts"),
        )
        .await;
        assert_eq!(a.status, 200, "{}", a.text);
        serde_json::from_value(a.body["alerts"].clone()).expect("alerts parse")
    }

    /// NewDay's format check of an email: valid, or not (a 400 or `isValid: false`).
    async fn verify_email(&self, email: &str) -> bool {
        let a = self
            .t
            .post(
                "/customer-service/customers/supported-formats/email-address",
                Some(&self.agent),
                &json!({ "emailAddress": email }),
            )
            .await;
        a.status == 200 && a.body["isValid"] == true
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dialogs_the_csv_planner_and_the_server_agree_on_every_input() {
    let t = common::start(80).await;
    let backoffice = t.backoffice().await;
    let agent = t.agent().await;
    let ids = t.customer_ids(DEMO, 40);
    let server = Server {
        t,
        backoffice,
        agent,
    };
    let alerts = server.alerts(&ids[0]).await;
    let all = cases();
    assert!(all.len() >= 40, "{} inputs", all.len());
    let mut disagree = Vec::new();
    for (n, c) in all.iter().enumerate() {
        // Each Relay add goes to its own customer, so an accepted number is never a
        // duplicate of an earlier case's.
        let customer = &ids[n % ids.len()];
        let want = (!c.ok).then(|| c.field.to_string());
        let got = [
            ("dialog", dialog(c, customer, &alerts)),
            ("csv", planner(c, customer)),
            ("server", server.send(c, customer).await),
        ];
        for (surface, verdict) in &got {
            if *verdict != want {
                disagree.push(format!(
                    "{:?} {} {:?}: {surface} says {verdict:?}, expected {want:?}",
                    c.act, c.field, c.input
                ));
            }
        }
        if c.field == "email" {
            let valid = server.verify_email(&c.input).await;
            if valid != c.ok {
                disagree.push(format!(
                    "{:?}: NewDay verify says valid={valid}, expected {}",
                    c.input, c.ok
                ));
            }
        }
    }
    assert!(disagree.is_empty(), "{}", disagree.join("\n"));
}

/// Seed 004's own example body sends `"premise": 58`: the sandbox takes it and answers
/// the premise as text.
#[tokio::test]
async fn a_premise_sent_as_a_number_is_taken() {
    let t = common::start(5).await;
    let tok = t.backoffice().await;
    let a = t
        .post(
            &format!("/bankingservice/v1/profiles/{DEMO}/customers"),
            Some(&tok),
            &json!({"first_name": "John", "last_name": "Doe",
                    "address": {"premise": 58, "sub_premise": "A", "thoroughfare": "Kerkstraat",
                                "locality": "Hoofddorp", "country": "NL"}}),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["address"]["premise"], "58", "{}", a.text);
}

/// `bulk plan` refuses a LOW_BALANCE subscription without a threshold when the plan is
/// made, naming the line and the column, instead of failing every item at apply time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_plan_refuses_low_balance_without_a_threshold_naming_line_and_column() {
    let t = common::start(20).await;
    let env = Env::new();
    let ids = t.customer_ids(DEMO, 3);
    let csv = env.write(
        "alerts.csv",
        &format!(
            "action,customer_id,alert_code,channel,threshold\n\
             subscribe,{},LOW_BALANCE,SMS,50\n\
             subscribe,{},LOW_BALANCE,SMS,\n\
             subscribe,{},PAYMENT_DUE,SMS,5\n",
            ids[0], ids[1], ids[2]
        ),
    );
    let plan = env.path("plan.json");
    let before = t.footprint();
    let o = env.plan(&csv, &plan, &t.base, false).await;
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "{err}");
    assert!(
        err.contains("line 3, column threshold: is required for LOW_BALANCE"),
        "{err}"
    );
    assert!(
        err.contains("line 4, column threshold: PAYMENT_DUE takes no threshold"),
        "{err}"
    );
    assert!(err.contains("2 rows in error"), "{err}");
    assert_eq!(t.footprint(), before, "planning writes nothing");
}
