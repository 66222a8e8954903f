//! NewDay customer-service (seed 001).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The NewDay 400 model (also used for 401/403/404/409/429/5xx): an RFC 7807 problem
/// with per-field messages.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Problem {
    pub title: String,
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Field name to messages.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub errors: std::collections::BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TypedValue {
    /// `MOBILE`, `HOME`, `WORK` for phones; `PERSONAL`, `WORK` for emails.
    #[serde(rename = "type")]
    pub kind: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    pub phone_numbers: Vec<TypedValue>,
    pub email_addresses: Vec<TypedValue>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CustomerAddress {
    #[serde(rename = "type")]
    pub kind: String,
    pub address_line1: String,
    #[serde(default)]
    pub address_line2: String,
    #[serde(default)]
    pub address_line3: String,
    #[serde(default)]
    pub address_line4: String,
    pub town: String,
    #[serde(default)]
    pub county: String,
    pub postcode: String,
    /// ISO 3166 alpha-2.
    pub country_code: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    /// Use with Citi `GET /v1/cards/accounts/{accountId}/addresses`.
    pub account_id: String,
    pub account_number: String,
    /// `CARD`, `CURRENT`, `SAVINGS`, `LOAN`.
    pub account_type: String,
    pub product_name: String,
    pub status: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    pub id: String,
    pub customer_ref: String,
    /// `ACTIVE`, `DORMANT`, `CLOSED`.
    pub status: String,
    #[serde(default)]
    pub title: String,
    pub given_name: String,
    #[serde(default)]
    pub middle_name: String,
    pub family_name: String,
    pub date_of_birth: String,
    pub contact: Contact,
    pub addresses: Vec<CustomerAddress>,
    pub accounts: Vec<Account>,
}

/// Every filter is optional; at least one must be given. `familyName` and `givenName`
/// match by case-insensitive prefix; the others match exactly (phone numbers in any
/// common format, postcodes ignoring case and spaces).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SearchFilter {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_ref: Option<String>,
    /// Sandbox extension: exact email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_address: Option<String>,
    /// Sandbox extension: two words, each a case- and accent-insensitive prefix, matching
    /// given name and family name in either order (`["Quartermaine", "Ada"]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_words: Option<Vec<String>>,
    /// Sandbox extension: the start of a postcode, at least 2 characters, ignoring case
    /// and spaces (an outward code such as `SW1A`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postcode_prefix: Option<String>,
    /// Sandbox extension: the last four digits of an account number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_last_four: Option<String>,
}

impl From<crate::domain::query::SearchQuery> for SearchFilter {
    fn from(q: crate::domain::query::SearchQuery) -> Self {
        SearchFilter {
            given_name: q.given_name,
            family_name: q.family_name,
            postcode: q.postcode,
            phone_number: q.phone_number,
            date_of_birth: q.date_of_birth,
            account_number: q.account_number,
            customer_ref: q.customer_ref,
            email_address: q.email_address,
            name_words: q.name_words.map(Vec::from),
            postcode_prefix: q.postcode_prefix,
            account_last_four: q.account_last_four,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SearchRequest {
    pub filter: SearchFilter,
    /// Zero-based page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// Page size, default 20, at most 100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u32>,
    /// Sandbox extension: `familyName` (default), `givenName`, `dateOfBirth`, `postcode`;
    /// prefix `-` for descending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SearchResponse {
    pub values: Vec<Customer>,
    pub page: u32,
    pub size: u32,
    /// Total matches over all pages.
    pub count: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VerifyEmail {
    pub email_address: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VerifyPhone {
    pub phone_number: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Verification {
    pub is_valid: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}
