//! Candescent digital banking ux-users (seed 000).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Candescent error body.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct CandescentError {
    pub status: u16,
    pub message: String,
    pub code: String,
}

/// A number or a string: the seed's examples show `telephoneCountryCode` and
/// `contactInfo` both ways. The sandbox sends strings; the client accepts both.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(untagged)]
pub enum NumOrString {
    Num(i64),
    Str(String),
}

impl std::fmt::Display for NumOrString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NumOrString::Num(n) => write!(f, "{n}"),
            NumOrString::Str(s) => f.write_str(s),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ContactMethod {
    pub id: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telephone_country_code: Option<NumOrString>,
    pub contact_info: NumOrString,
    /// `SMS`, `VOICE` or `EMAIL`.
    pub protocol: String,
    pub is_activated: bool,
    pub enrolled_date_time: String,
    /// Sandbox extension: Relay consent (`written`, `express`, `stop`) for phones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent_type: Option<String>,
    /// Sandbox extension: the client source that added the phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_source: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ContactMethods {
    pub customer_id: String,
    pub contact_methods: Vec<ContactMethod>,
}
