//! Relay CDM add phone (seed 003).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AddPhone {
    /// `written`, `express` or `stop`.
    pub consent_type: String,
    /// `mobile`, `landline` or `unknown`.
    pub phone_type: String,
    /// Defaults to `"1"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
    /// Defaults to an internal channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_source: Option<String>,
}

/// Relay answers success and errors alike with a message.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct RelayMessage {
    pub message: String,
    /// The field at fault, on a 400.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// The consent wording an agent reads to the caller for each consent type.
pub fn consent_wording(consent_type: &str) -> &'static str {
    match consent_type {
        "written" => {
            "The customer has given signed, written consent to receive automated texts and calls at this number."
        }
        "express" => {
            "The customer has just given express verbal consent to receive texts and calls at this number."
        }
        "stop" => "The customer does not consent: no texts or calls will be sent to this number.",
        _ => "",
    }
}
