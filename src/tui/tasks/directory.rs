//! The back-office directory's background work: bankingservice's customer list read a
//! page at a time into the rows the results table shows, and every id in it (mark all).
//! A customer has one id in every family, so these rows open, mark and bulk-edit as
//! search results do.

use crate::api::wire::banking::{BsCustomer, BsPage};
use crate::api::wire::newday::{Contact, Customer, CustomerAddress, SearchResponse, TypedValue};
use crate::api::{ApiError, Client, ErrorKind};
use crate::tui::msg::Outcome;

/// A directory customer as a results row: what bankingservice knows (name, primary
/// phone, preferred email, first address); what it does not (date of birth, accounts,
/// status) is left empty.
fn row(c: BsCustomer) -> Customer {
    let phone = c.phone.map(|p| TypedValue {
        kind: "PRIMARY".into(),
        value: format!("+{p}"),
    });
    let email = c.email.map(|e| TypedValue {
        kind: "PREFERRED".into(),
        value: e,
    });
    let address = c.address.map(|a| CustomerAddress {
        kind: String::new(),
        address_line1: [a.premise, a.thoroughfare]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" "),
        address_line2: a.sub_premise.unwrap_or_default(),
        address_line3: a.building.unwrap_or_default(),
        address_line4: String::new(),
        town: a.locality.unwrap_or_default(),
        county: a.state.unwrap_or_default(),
        postcode: a.postal_code.unwrap_or_default(),
        country_code: a.country.unwrap_or_default(),
    });
    Customer {
        id: c.id,
        customer_ref: String::new(),
        status: String::new(),
        title: String::new(),
        given_name: c.first_name,
        middle_name: String::new(),
        family_name: c.last_name,
        date_of_birth: String::new(),
        contact: Contact {
            phone_numbers: phone.into_iter().collect(),
            email_addresses: email.into_iter().collect(),
        },
        addresses: address.into_iter().collect(),
        accounts: Vec::new(),
    }
}

/// A directory page as a page of results.
pub(super) fn page(p: BsPage) -> SearchResponse {
    SearchResponse {
        page: p.page,
        size: p.size,
        count: p.count,
        values: p.data.into_iter().map(row).collect(),
    }
}

/// Why the directory could not be read, in words (a refusal never shows the raw body).
pub(super) fn failure(e: &ApiError) -> String {
    match e.kind {
        ErrorKind::Forbidden => "The backend does not let this client list the directory: \
             it needs bankingservice's customers:read scope (start the console as the \
             backoffice client)"
            .into(),
        _ => format!("The directory could not be read: {e}"),
    }
}

/// One page of the directory, as `Msg::Searched` carries it.
pub(super) async fn list(client: &Client, page_no: u32, size: u32) -> Outcome<SearchResponse> {
    match client.banking().list(Some(page_no), Some(size)).await {
        Ok(r) => Outcome::ok(page(r.value), r.correlation_id),
        Err(e) => Outcome::err(failure(&e), Some(e.correlation_id.clone())),
    }
}

/// Every id in the directory (at most `count`), a page of 100 at a time.
pub(super) async fn all_ids(client: &Client, count: u64) -> Outcome<Vec<String>> {
    let mut ids = Vec::new();
    let mut correlation = None;
    for page_no in 0.. {
        match client.banking().list(Some(page_no), Some(100)).await {
            Ok(r) => {
                correlation = Some(r.correlation_id.clone());
                let n = r.value.data.len();
                ids.extend(r.value.data.into_iter().map(|c| c.id));
                if n == 0 || ids.len() as u64 >= count.min(r.value.count) {
                    break;
                }
            }
            Err(e) => return Outcome::err(failure(&e), Some(e.correlation_id.clone())),
        }
    }
    // A customer added while paging shifts nothing (oldest first), but be safe.
    let mut seen = std::collections::HashSet::new();
    ids.retain(|id| seen.insert(id.clone()));
    Outcome {
        result: Ok(ids),
        correlation_id: correlation,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Family;
    use crate::api::wire::banking::BsAddress;

    #[test]
    fn a_listed_customer_becomes_a_row_with_what_bankingservice_knows() {
        let r = page(BsPage {
            page: 0,
            pages: 1,
            size: 100,
            count: 1,
            data: vec![BsCustomer {
                id: "0123456789abcdef0123456789abcdef".into(),
                company: None,
                first_name: "Ada".into(),
                last_name: "Quartermaine".into(),
                email: Some("ada@example.org".into()),
                phone: Some("447700900123".into()),
                address: Some(BsAddress {
                    premise: Some("58".into()),
                    thoroughfare: Some("Kingsway".into()),
                    postal_code: Some("SW1A 1AA".into()),
                    ..BsAddress::default()
                }),
                created: "2026-01-01T00:00:00Z".into(),
            }],
        });
        assert_eq!(r.count, 1);
        let c = &r.values[0];
        assert_eq!(c.id, "0123456789abcdef0123456789abcdef");
        assert_eq!(
            (c.given_name.as_str(), c.family_name.as_str()),
            ("Ada", "Quartermaine")
        );
        assert_eq!(c.contact.phone_numbers[0].value, "+447700900123");
        assert_eq!(c.contact.email_addresses[0].value, "ada@example.org");
        assert_eq!(c.addresses[0].postcode, "SW1A 1AA");
        assert_eq!(c.addresses[0].address_line1, "58 Kingsway");
        assert!(c.date_of_birth.is_empty() && c.accounts.is_empty());
    }

    #[test]
    fn a_refused_listing_is_said_in_words_not_as_the_body() {
        let e = ApiError {
            kind: ErrorKind::Forbidden,
            family: Family::Banking,
            status: Some(403),
            code: Some("FORBIDDEN".into()),
            message: "{\"message\":\"the token lacks the scope customers:read\"}".into(),
            correlation_id: "c".into(),
            attempts: 1,
        };
        let words = failure(&e);
        assert!(
            words.contains("does not let this client list the directory"),
            "{words}"
        );
        assert!(!words.contains('{') && !words.contains("403"), "{words}");
    }
}
