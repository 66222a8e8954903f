//! Reading a bulk CSV file: one edit per row, every row checked with the same rules as
//! the forms and the server, every problem reported as `line N, column X: message`.
//!
//! The first line names the columns, in any order; only the `action` column is
//! required. Columns: `action, customer_id, email, phone, consent_type, phone_type,
//! country_code, alert_code, channel, threshold, first_name, last_name, company,
//! date_of_birth`. A row fills the columns its action uses and leaves the others empty:
//!
//! | action | uses |
//! |---|---|
//! | `set_email` | customer_id, email |
//! | `set_phone` | customer_id, phone (international: `447700900123`, `+44 7700 900123`) |
//! | `add_phone` | customer_id, phone (10 or 11 digits), consent_type (written, express, stop), phone_type (mobile, landline, unknown; default mobile), country_code (default 1) |
//! | `stop_consent` | customer_id, phone, country_code, phone_type (default unknown), consent_type (stop, if given) |
//! | `subscribe` | customer_id, alert_code, channel (EMAIL, SMS, PUSH), threshold (for alerts that take one) |
//! | `unsubscribe` | customer_id, alert_code |
//! | `delete` | customer_id |
//! | `create` | first_name, last_name, email, phone, company, date_of_birth (YYYY-MM-DD) |

use std::collections::HashMap;
use std::io::Read;

use super::{Action, Item, PlanError};
use crate::domain::alert::{self, Threshold};
use crate::domain::choice::{Channel, Consent, PhoneType};
use crate::domain::email::Email;
use crate::domain::person::{self, DateOfBirth, PersonName};
use crate::domain::phone::{CountryCode, InternationalPhone, RelayNumber};
use crate::domain::validate::{self, FieldError};

/// Every column a bulk CSV file may have.
pub const COLUMNS: &[&str] = &[
    "action",
    "customer_id",
    "email",
    "phone",
    "consent_type",
    "phone_type",
    "country_code",
    "alert_code",
    "channel",
    "threshold",
    "first_name",
    "last_name",
    "company",
    "date_of_birth",
];

/// Every action a row may name.
pub const ACTIONS: &[&str] = &[
    "subscribe",
    "unsubscribe",
    "add_phone",
    "stop_consent",
    "set_email",
    "set_phone",
    "delete",
    "create",
];

/// The columns an action reads (besides `action`).
fn uses(action: &str) -> &'static [&'static str] {
    match action {
        "subscribe" => &["customer_id", "alert_code", "channel", "threshold"],
        "unsubscribe" => &["customer_id", "alert_code"],
        "add_phone" => &[
            "customer_id",
            "phone",
            "consent_type",
            "phone_type",
            "country_code",
        ],
        "stop_consent" => &[
            "customer_id",
            "phone",
            "consent_type",
            "phone_type",
            "country_code",
        ],
        "set_email" => &["customer_id", "email"],
        "set_phone" => &["customer_id", "phone"],
        "delete" => &["customer_id"],
        "create" => &[
            "first_name",
            "last_name",
            "email",
            "phone",
            "company",
            "date_of_birth",
        ],
        _ => &[],
    }
}

/// What a file held: the items of its good rows and the problems of the others.
#[derive(Debug, Default)]
pub struct Parsed {
    pub items: Vec<Item>,
    pub errors: Vec<PlanError>,
    /// Data rows read (good and bad).
    pub rows: usize,
}

/// Read a CSV file.
pub fn parse_file(path: &std::path::Path) -> std::io::Result<Parsed> {
    let f = std::fs::File::open(path)?;
    Ok(parse(f, chrono::Utc::now().date_naive()))
}

/// Line numbers from records' byte offsets: the csv crate counts one line too few after
/// each CRLF line end. Offsets only grow, so each byte is looked at once.
struct LineCounter<'a> {
    text: &'a [u8],
    at: usize,
    line: u64,
}

impl LineCounter<'_> {
    /// The 1-based line of a record starting at byte `byte` (the blank lines the reader
    /// skipped before it are not its line).
    fn at(&mut self, byte: u64) -> u64 {
        let mut b = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        while self.text.get(b).is_some_and(|c| matches!(c, b'\r' | b'\n')) {
            b += 1;
        }
        if b < self.at {
            (self.at, self.line) = (0, 1);
        }
        self.line += self.text[self.at..b]
            .iter()
            .filter(|c| **c == b'\n')
            .count() as u64;
        self.at = b;
        self.line
    }
}

/// Read CSV text; `today` bounds dates of birth.
pub fn parse(mut input: impl Read, today: chrono::NaiveDate) -> Parsed {
    let mut out = Parsed::default();
    let mut text = Vec::new();
    if let Err(e) = input.read_to_end(&mut text) {
        out.errors.push(PlanError {
            line: None,
            column: None,
            message: format!("cannot be read: {e}"),
        });
        return out;
    }
    let mut lines = LineCounter {
        text: &text,
        at: 0,
        line: 1,
    };
    let mut rdr = ::csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(::csv::Trim::All)
        .from_reader(&text[..]);
    let headers = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            out.errors.push(PlanError {
                line: Some(1),
                column: None,
                message: format!("the header line cannot be read: {e}"),
            });
            return out;
        }
    };
    let mut index: HashMap<&'static str, usize> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        let name = h.trim().to_ascii_lowercase();
        match COLUMNS.iter().find(|c| **c == name) {
            Some(c) if index.contains_key(c) => out.errors.push(PlanError {
                line: Some(1),
                column: Some(name.clone()),
                message: "appears twice in the header".into(),
            }),
            Some(c) => {
                index.insert(c, i);
            }
            None => out.errors.push(PlanError {
                line: Some(1),
                column: Some(if name.is_empty() {
                    format!("#{}", i + 1)
                } else {
                    name.clone()
                }),
                message: format!("is not a known column; use {}", COLUMNS.join(", ")),
            }),
        }
    }
    if !index.contains_key("action") {
        out.errors.push(PlanError {
            line: Some(1),
            column: Some("action".into()),
            message: "the header must name an action column".into(),
        });
        return out;
    }
    let width = headers.len();
    // What each customer is already planned for, to refuse two rows changing one thing.
    let mut seen: HashMap<(String, Option<String>), u64> = HashMap::new();
    // Each customer's first row, for a delete to be refused against.
    let mut first: HashMap<String, u64> = HashMap::new();
    let mut record = ::csv::StringRecord::new();
    loop {
        let line_hint = lines.at(rdr.position().byte());
        match rdr.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                out.rows += 1;
                out.errors.push(PlanError {
                    line: e.position().map(|p| lines.at(p.byte())).or(Some(line_hint)),
                    column: None,
                    message: format!("cannot be read: {e}"),
                });
                continue;
            }
        }
        let line = record
            .position()
            .map(|p| lines.at(p.byte()))
            .unwrap_or(line_hint);
        if record.iter().all(|f| f.is_empty()) {
            continue;
        }
        out.rows += 1;
        if record.len() != width {
            out.errors.push(PlanError {
                line: Some(line),
                column: None,
                message: format!("has {} fields where the header has {width}", record.len()),
            });
            continue;
        }
        let cells = Cells {
            record: &record,
            index: &index,
        };
        match row(line, &cells, today) {
            Ok(item) => {
                if let Some(cid) = &item.customer_id {
                    let target = item.edit.target();
                    let whole = (cid.clone(), None);
                    let this = (cid.clone(), target.clone());
                    let clash = match &target {
                        // A delete must be the customer's only row.
                        None => first
                            .get(cid)
                            .map(|l| format!("line {l} already edits this customer; a delete must be its only row")),
                        Some(t) => seen
                            .get(&whole)
                            .map(|l| format!("line {l} deletes this customer"))
                            .or_else(|| {
                                seen.get(&this)
                                    .map(|l| format!("line {l} already changes the {t} of this customer"))
                            }),
                    };
                    if let Some(message) = clash {
                        out.errors.push(PlanError {
                            line: Some(line),
                            column: Some("customer_id".into()),
                            message,
                        });
                        continue;
                    }
                    seen.insert(this, line);
                    first.entry(cid.clone()).or_insert(line);
                }
                out.items.push(item);
            }
            Err(errs) => out.errors.extend(errs),
        }
    }
    out
}

/// One row given as column and value pairs (the console's bulk form builds one per
/// marked customer), checked exactly as a CSV data row on `line` is.
pub fn row_of(line: u64, values: &[(&'static str, String)]) -> Result<Item, Vec<PlanError>> {
    let record = ::csv::StringRecord::from(
        values
            .iter()
            .map(|(_, v)| v.trim().to_string())
            .collect::<Vec<_>>(),
    );
    let index: HashMap<&'static str, usize> = values
        .iter()
        .enumerate()
        .map(|(i, (c, _))| (*c, i))
        .collect();
    let cells = Cells {
        record: &record,
        index: &index,
    };
    row(line, &cells, chrono::Utc::now().date_naive())
}

/// One data row, by column name.
struct Cells<'a> {
    record: &'a ::csv::StringRecord,
    index: &'a HashMap<&'static str, usize>,
}

impl<'a> Cells<'a> {
    /// The cell's value, `None` when the column is absent or the cell empty.
    fn get(&self, name: &str) -> Option<&'a str> {
        self.index
            .get(name)
            .and_then(|i| self.record.get(*i))
            .filter(|v| !v.is_empty())
    }
}

fn row(line: u64, cells: &Cells<'_>, today: chrono::NaiveDate) -> Result<Item, Vec<PlanError>> {
    let cell = |name: &str| cells.get(name);
    let mut errors: Vec<PlanError> = Vec::new();
    let err = |column: &str, message: String| PlanError {
        line: Some(line),
        column: Some(column.to_string()),
        message,
    };
    let Some(action) = cell("action") else {
        return Err(vec![err(
            "action",
            format!("is required: one of {}", ACTIONS.join(", ")),
        )]);
    };
    let action = action.to_ascii_lowercase();
    if !ACTIONS.contains(&action.as_str()) {
        return Err(vec![err(
            "action",
            format!("'{action}' is not an action: use {}", ACTIONS.join(", ")),
        )]);
    }
    let used = uses(&action);
    for c in COLUMNS {
        if *c != "action" && !used.contains(c) && cell(c).is_some() {
            errors.push(err(c, format!("is not used by {action}; leave it empty")));
        }
    }
    // Collect every problem of the row, not just the first.
    let mut need = |column: &str| -> Option<String> {
        match cell(column) {
            Some(v) => Some(v.to_string()),
            None => {
                errors.push(err(column, format!("is required for {action}")));
                None
            }
        }
    };
    let customer_id = if action == "create" {
        None
    } else {
        need("customer_id")
    };
    let mut checks: Vec<PlanError> = Vec::new();
    let customer_id =
        customer_id.and_then(|v| kept(&mut checks, line, validate::customer_id("customer_id", &v)));
    let edit: Option<Action> = match action.as_str() {
        "set_email" => need("email").and_then(|v| {
            kept(&mut checks, line, Email::parse("email", &v)).map(|email| Action::SetEmail {
                email: email.into(),
            })
        }),
        "set_phone" => need("phone").and_then(|v| {
            kept(&mut checks, line, InternationalPhone::typed("phone", &v)).map(|phone| {
                Action::SetPhone {
                    phone: phone.into(),
                }
            })
        }),
        "add_phone" | "stop_consent" => {
            let stop = action == "stop_consent";
            let phone = need("phone").and_then(|v| {
                kept(&mut checks, line, RelayNumber::typed("phone", &v)).map(String::from)
            });
            let consent = if stop {
                match cell("consent_type").map(|c| Consent::typed("consent_type", c)) {
                    Some(Ok(Consent::Stop)) | None => Some(Consent::Stop.as_str().to_string()),
                    Some(_) => {
                        checks.push(err("consent_type", "must be stop (or empty)".into()));
                        None
                    }
                }
            } else {
                need("consent_type").and_then(|v| {
                    kept(&mut checks, line, Consent::typed("consent_type", &v))
                        .map(|c| c.as_str().to_string())
                })
            };
            let phone_type = kept(
                &mut checks,
                line,
                match cell("phone_type") {
                    None if stop => Ok(PhoneType::Unknown),
                    None => Ok(PhoneType::Mobile),
                    Some(v) => PhoneType::typed("phone_type", v),
                },
            )
            .map(|t| t.as_str().to_string());
            let country_code = match cell("country_code") {
                None => Some(None),
                Some(v) => kept(&mut checks, line, CountryCode::typed("country_code", v))
                    .map(|c| Some(c.into())),
            };
            match (phone, consent, phone_type, country_code) {
                (Some(phone_number), Some(consent_type), Some(phone_type), Some(country_code)) => {
                    Some(if stop {
                        Action::StopConsent {
                            phone_number,
                            phone_type,
                            country_code,
                        }
                    } else {
                        Action::AddPhone {
                            phone_number,
                            consent_type,
                            phone_type,
                            country_code,
                        }
                    })
                }
                _ => None,
            }
        }
        "subscribe" | "unsubscribe" => {
            let def = need("alert_code")
                .and_then(|v| kept(&mut checks, line, alert::typed("alert_code", &v)));
            let code = def.map(|d| d.code.to_string());
            if action == "unsubscribe" {
                code.map(|alert_code| Action::Unsubscribe { alert_code })
            } else {
                let channel = need("channel").and_then(|v| {
                    kept(&mut checks, line, Channel::typed("channel", &v))
                        .map(|c| c.as_str().to_string())
                });
                let threshold = match cell("threshold") {
                    None => Some(None),
                    Some(v) => kept(&mut checks, line, Threshold::parse("threshold", v)).map(Some),
                };
                // An alert that takes a threshold needs one, others take none: refused
                // here, at plan time, rather than by the server item after item.
                let threshold = match (def, threshold) {
                    (Some(d), Some(t)) => {
                        kept(&mut checks, line, d.check_threshold("threshold", t))
                    }
                    _ => None,
                };
                match (code, channel, threshold) {
                    (Some(alert_code), Some(channel), Some(threshold)) => Some(Action::Subscribe {
                        alert_code,
                        channel,
                        threshold: threshold.map(Threshold::amount),
                    }),
                    _ => None,
                }
            }
        }
        "delete" => Some(Action::Delete),
        "create" => {
            let first = need("first_name").and_then(|v| {
                kept(&mut checks, line, PersonName::parse("first_name", &v)).map(String::from)
            });
            let last = need("last_name").and_then(|v| {
                kept(&mut checks, line, PersonName::parse("last_name", &v)).map(String::from)
            });
            let mut opt = |column: &str,
                           f: &dyn Fn(&str) -> validate::FieldResult<String>|
             -> Option<Option<String>> {
                match cell(column) {
                    None => Some(None),
                    Some(v) => kept(&mut checks, line, f(v)).map(Some),
                }
            };
            let email = opt("email", &|v| Email::parse("email", v).map(String::from));
            let phone = opt("phone", &|v| {
                InternationalPhone::typed("phone", v).map(String::from)
            });
            let company = opt("company", &|v| person::company("company", v));
            let dob = opt("date_of_birth", &|v| {
                DateOfBirth::parse("date_of_birth", v, today).map(String::from)
            });
            match (first, last, email, phone, company, dob) {
                (
                    Some(first_name),
                    Some(last_name),
                    Some(email),
                    Some(phone),
                    Some(company),
                    Some(date_of_birth),
                ) => Some(Action::Create {
                    first_name,
                    last_name,
                    email,
                    phone,
                    company,
                    date_of_birth,
                }),
                _ => None,
            }
        }
        _ => unreachable!("checked against ACTIONS"),
    };
    errors.extend(checks);
    match edit {
        Some(edit) if errors.is_empty() && (customer_id.is_some() || action == "create") => {
            Ok(Item {
                id: line.to_string(),
                line: Some(line),
                customer_id,
                name: None,
                new: edit.new_display(),
                edit,
                old: None,
                unchanged: false,
            })
        }
        _ => {
            errors.sort_by_key(|e| COLUMNS.iter().position(|c| Some(*c) == e.column.as_deref()));
            Err(errors)
        }
    }
}

/// `r`'s value; its error goes to `checks`, as a problem of the row at `line`.
fn kept<T>(checks: &mut Vec<PlanError>, line: u64, r: validate::FieldResult<T>) -> Option<T> {
    r.map_err(|e: FieldError| {
        checks.push(PlanError {
            line: Some(line),
            column: Some(e.field),
            message: e.message,
        })
    })
    .ok()
}

#[cfg(test)]
#[path = "csv_tests.rs"]
mod tests;
