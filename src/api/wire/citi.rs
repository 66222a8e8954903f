//! Citi Australia Customers API (seed 002). Field names follow the seed page exactly,
//! including its lower-case `addressline1..4`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Citi error body: `{type, code, details, location, moreInfo}`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CitiError {
    /// One of `error`, `warn`, `invalid`, `fatal`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `invalidRequest`, `unAuthorized`, `accessNotConfigured`, `resourceNotFound`,
    /// `serverUnavailable`, `invalidControlFlowId`, `invalidOtp`, `transactionDenied`,
    /// `mfaRequired`, `conflict`, `tooManyRequests`.
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// The field or header that caused the error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub more_info: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Email {
    /// Unique identifier of the email address; absent when adding one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_key: Option<i64>,
    pub email_address: String,
    #[serde(default)]
    pub preferred_email_flag: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Emails {
    pub emails: Vec<Email>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Phone {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_key: Option<i64>,
    /// `MOBILE`, `HOME`, `WORK`, `OTHER`.
    pub phone_type: String,
    pub phone_country_code: String,
    #[serde(default)]
    pub area_code: String,
    pub phone_number: String,
    #[serde(default)]
    pub extension: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Phones {
    pub phones: Vec<Phone>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    pub address_key: i64,
    /// `HOME`, `MAILING`, `WORK`.
    pub address_type: String,
    #[serde(rename = "addressline1")]
    pub address_line1: String,
    #[serde(rename = "addressline2", default)]
    pub address_line2: String,
    #[serde(rename = "addressline3", default)]
    pub address_line3: String,
    #[serde(rename = "addressline4", default)]
    pub address_line4: String,
    pub city: String,
    #[serde(default)]
    pub state: String,
    pub postal_code: String,
    pub country_name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct Name {
    /// `LOCAL` for the legal name.
    pub name_type: String,
    pub given_name: String,
    #[serde(default)]
    pub middle_name: String,
    pub surname: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct CustomerParticulars {
    pub names: Vec<Name>,
    #[serde(default)]
    pub prefix: String,
    #[serde(default)]
    pub suffix: String,
    /// Date of birth, `YYYY-MM-DD` (sandbox extension, used for caller verification).
    pub date_of_birth: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct BasicProfile {
    pub customer_type: String,
    pub customer_particulars: CustomerParticulars,
    pub customer_segment: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_customer_segment: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Offer {
    pub offer_id: String,
    pub offer_name: String,
    pub description: String,
    /// `AVAILABLE`, `ACCEPTED`, `DECLINED`, `FULFILLED`.
    pub offer_status: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub emails: Vec<Email>,
    pub customer_type: String,
    pub customer_particulars: CustomerParticulars,
    pub customer_segment: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_customer_segment: Option<String>,
    pub address_list: Vec<Address>,
    pub phones: Vec<Phone>,
    /// Offers presented to the customer (sandbox extension: the seed has no GET for them).
    #[serde(default)]
    pub offers: Vec<Offer>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AddressList {
    pub address_list: Vec<Address>,
}

/// Answer to an email or phone update: the change waits for the passcode.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ControlFlow {
    pub control_flow_id: String,
    /// The masked mobile the passcode went to.
    pub otp_sent_to: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Confirmation {
    pub control_flow_id: String,
    /// The 6-digit passcode the customer received.
    pub otp: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Threshold {
    pub amount: f64,
    pub currency: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Alert {
    pub alert_code: String,
    pub alert_name: String,
    pub description: String,
    /// `ENROLLED` or `ELIGIBLE`.
    pub alert_status: String,
    /// `EMAIL`, `SMS` or `PUSH` when enrolled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<Threshold>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Alerts {
    pub alerts: Vec<Alert>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AlertHistoryItem {
    pub alert_code: String,
    pub channel: String,
    pub message: String,
    pub sent_date_time: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AlertHistory {
    pub alert_history: Vec<AlertHistoryItem>,
    pub total_records: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_start_index: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Subscription {
    pub alert_code: String,
    /// `SUBSCRIBE` or `UNSUBSCRIBE`.
    pub action: String,
    /// `EMAIL`, `SMS` or `PUSH`; required to subscribe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AlertProfile {
    /// `EMAIL`, `SMS` or `PUSH`.
    pub preferred_channel: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AlertSubscriptions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert_profile: Option<AlertProfile>,
    pub subscriptions: Vec<Subscription>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProfileImage {
    /// `image/png`, `image/jpeg` or `image/gif`.
    pub image_type: String,
    /// Base64 of the image bytes, at most 512 KiB decoded.
    pub image: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct StoredImage {
    pub image_type: String,
    pub image: String,
    pub last_updated: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OfferUpdate {
    pub offer_id: String,
    /// `ACCEPT` or `DECLINE`.
    pub action: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FulfillmentRequest {
    pub offer_id: String,
    /// Free-text note from the agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remarks: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Fulfillment {
    pub fulfillment_id: String,
    pub offer_id: String,
    pub offer_status: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CardAddresses {
    pub card_to_address: Address,
    pub bill_to_address: Address,
    pub pin_to_address: Address,
}
