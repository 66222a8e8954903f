//! Every write the console and the bulk engine make, in one place: for each one, the
//! function that builds its request body, the call that sends it with its
//! `Idempotency-Key`, and the audit description of what it does. Neither the console
//! nor the bulk engine builds a body of its own.
//!
//! A [`Write`] is plain data (effects carry it, tests compare it); [`Write::send`] makes
//! the call; [`Write::action`] names it in the audit log and [`Answer::audit_outcome`]
//! says how it went there.

mod contact;
mod scope;

pub use self::contact::{ContactChange, ContactKind, Passcode};
pub use self::scope::{
    ALERTS_WRITE, CONTACT_WRITE, CUSTOMERS_WRITE, OFFERS_WRITE, PROFILE_WRITE, WriteKind,
};

use serde::Serialize;

use super::wire::{banking, citi, relay};
use super::{ApiError, Client, IdempotencyKey, Reply};

/// Who sends a Relay add-phone (its `client_source`): the console sends none (Relay's
/// internal channel), the bulk engine names itself.
pub const BULK_SOURCE: &str = "custdesk-bulk";

/// One write, ready to send.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Write {
    /// Citi: ask to change emails or phones (answers 202 and texts the customer a
    /// passcode).
    RequestChange {
        customer: String,
        change: ContactChange,
    },
    /// Citi: confirm a change with the passcode the customer read back.
    ConfirmChange {
        customer: String,
        kind: ContactKind,
        flow: String,
        #[serde(skip)]
        passcode: Passcode,
    },
    /// Relay: add a phone (or change its consent) with the customer's consent.
    AddPhone {
        customer: String,
        number: String,
        body: relay::AddPhone,
    },
    /// Citi: accept or decline an offer.
    Offer {
        customer: String,
        update: citi::OfferUpdate,
    },
    /// Citi: fulfil an accepted offer, with the agent's optional remarks.
    Fulfil {
        customer: String,
        request: citi::FulfillmentRequest,
    },
    /// Citi: subscribe to or unsubscribe from alerts.
    Alerts {
        customer: String,
        subscriptions: citi::AlertSubscriptions,
    },
    /// bankingservice: create a customer.
    CreateCustomer(banking::BsCustomerInput),
    /// bankingservice: change a customer (absent fields stay).
    UpdateCustomer {
        id: String,
        input: banking::BsCustomerInput,
    },
    /// bankingservice: delete a customer.
    DeleteCustomer { id: String },
    /// Citi: replace the profile image.
    PutImage {
        customer: String,
        image: citi::ProfileImage,
    },
    /// Citi: remove the profile image.
    DeleteImage { customer: String },
}

/// What a write answered.
// Answers move once from the call to its caller; boxing the larger ones would only add
// an allocation per write.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// A change request's passcode flow.
    Flow(citi::ControlFlow),
    /// A confirmed change (the lists are reloaded anyway).
    Confirmed,
    /// Relay's message.
    Phone(relay::RelayMessage),
    Offer(citi::Offer),
    Fulfilled(citi::Fulfillment),
    Alerts(citi::Alerts),
    Customer(banking::BsCustomer),
    Image(citi::StoredImage),
    ImageDeleted,
}

impl Answer {
    /// The answer in a few words: the offer's new status, how many alerts are
    /// enrolled, the customer's id, Relay's message.
    pub fn summary(&self) -> String {
        match self {
            Answer::Flow(f) => format!("passcode sent to {}", f.otp_sent_to),
            Answer::Confirmed => "applied".into(),
            Answer::Phone(m) => m.message.clone(),
            Answer::Offer(o) => o.offer_status.to_lowercase(),
            Answer::Fulfilled(f) => format!("fulfilled as {}", f.fulfillment_id),
            Answer::Alerts(a) => {
                let n = a
                    .alerts
                    .iter()
                    .filter(|a| a.alert_status == "ENROLLED")
                    .count();
                format!("{n} alerts enrolled")
            }
            Answer::Customer(c) => c.id.clone(),
            Answer::Image(i) => format!("image updated {}", i.last_updated),
            Answer::ImageDeleted => "image removed".into(),
        }
    }

    /// The audit log's outcome of a write that succeeded (the log scrubs contact
    /// details from it).
    pub fn audit_outcome(&self) -> String {
        match self {
            Answer::Flow(_) | Answer::Confirmed => self.summary(),
            _ => format!("ok: {}", self.summary()),
        }
    }

    /// A created customer's id.
    pub fn created_id(&self) -> Option<&str> {
        match self {
            Answer::Customer(c) => Some(&c.id),
            _ => None,
        }
    }
}

impl Write {
    /// Relay add phone: `number` as Relay takes it in the path, with `consent_type`
    /// (`written`, `express`, `stop`), `phone_type` and `country_code` (Relay's default
    /// `1` when none); `source` is the `client_source`.
    pub fn add_phone(
        customer: &str,
        number: &str,
        consent_type: &str,
        phone_type: &str,
        country_code: Option<&str>,
        source: Option<&str>,
    ) -> Write {
        Write::AddPhone {
            customer: customer.to_string(),
            number: number.to_string(),
            body: relay::AddPhone {
                consent_type: consent_type.to_string(),
                phone_type: phone_type.to_string(),
                country_code: country_code.map(str::to_string),
                client_source: source.map(str::to_string),
            },
        }
    }

    /// Citi: subscribe to `alert_code` by `channel` (`EMAIL`, `SMS`, `PUSH`), with the
    /// threshold the alert takes.
    pub fn subscribe(
        customer: &str,
        alert_code: &str,
        channel: &str,
        threshold: Option<f64>,
    ) -> Write {
        Write::alerts(customer, alert_code, "SUBSCRIBE", Some(channel), threshold)
    }

    /// Citi: unsubscribe from `alert_code`.
    pub fn unsubscribe(customer: &str, alert_code: &str) -> Write {
        Write::alerts(customer, alert_code, "UNSUBSCRIBE", None, None)
    }

    fn alerts(
        customer: &str,
        alert_code: &str,
        action: &str,
        channel: Option<&str>,
        threshold: Option<f64>,
    ) -> Write {
        Write::Alerts {
            customer: customer.to_string(),
            subscriptions: citi::AlertSubscriptions {
                alert_profile: None,
                subscriptions: vec![citi::Subscription {
                    alert_code: alert_code.to_string(),
                    action: action.into(),
                    channel: channel.map(str::to_string),
                    threshold,
                }],
            },
        }
    }

    /// Citi: accept (or decline) offer `offer_id`.
    pub fn offer(customer: &str, offer_id: &str, accept: bool) -> Write {
        Write::Offer {
            customer: customer.to_string(),
            update: citi::OfferUpdate {
                offer_id: offer_id.to_string(),
                action: if accept { "ACCEPT" } else { "DECLINE" }.into(),
            },
        }
    }

    /// Citi: fulfil accepted offer `offer_id`, with the agent's remarks if any.
    pub fn fulfil(customer: &str, offer_id: &str, remarks: Option<&str>) -> Write {
        Write::Fulfil {
            customer: customer.to_string(),
            request: citi::FulfillmentRequest {
                offer_id: offer_id.to_string(),
                remarks: remarks.map(str::to_string),
            },
        }
    }

    /// bankingservice: create a customer with both names and what else is known.
    pub fn create_customer(
        first_name: &str,
        last_name: &str,
        company: Option<&str>,
        email: Option<&str>,
        phone: Option<&str>,
        date_of_birth: Option<&str>,
    ) -> Write {
        let some = |v: Option<&str>| v.map(str::to_string);
        Write::CreateCustomer(banking::BsCustomerInput {
            first_name: Some(first_name.to_string()),
            last_name: Some(last_name.to_string()),
            company: some(company),
            email: some(email),
            phone: some(phone),
            date_of_birth: some(date_of_birth),
            address: None,
        })
    }

    /// bankingservice: set only the preferred email of customer `id`.
    pub fn set_email(id: &str, email: &str) -> Write {
        Write::UpdateCustomer {
            id: id.to_string(),
            input: banking::BsCustomerInput {
                email: Some(email.to_string()),
                ..Default::default()
            },
        }
    }

    /// bankingservice: set only the primary phone of customer `id` (international
    /// digits without `+`).
    pub fn set_phone(id: &str, phone: &str) -> Write {
        Write::UpdateCustomer {
            id: id.to_string(),
            input: banking::BsCustomerInput {
                phone: Some(phone.to_string()),
                ..Default::default()
            },
        }
    }

    /// The customer the write is about (none for a create).
    pub fn customer(&self) -> &str {
        match self {
            Write::RequestChange { customer, .. }
            | Write::ConfirmChange { customer, .. }
            | Write::AddPhone { customer, .. }
            | Write::Offer { customer, .. }
            | Write::Fulfil { customer, .. }
            | Write::Alerts { customer, .. }
            | Write::PutImage { customer, .. }
            | Write::DeleteImage { customer } => customer,
            Write::UpdateCustomer { id, .. } | Write::DeleteCustomer { id } => id,
            Write::CreateCustomer(_) => "",
        }
    }

    /// The audit log's name for the write: `update_email.request`, `add_phone`,
    /// `alerts.subscribe`, `offer.accept`, `customer.create`...
    pub fn action(&self) -> String {
        match self {
            Write::RequestChange { change, .. } => format!("{}.request", change.kind().action()),
            Write::ConfirmChange { kind, .. } => format!("{}.confirm", kind.action()),
            Write::AddPhone { .. } => "add_phone".into(),
            Write::Offer { update, .. } => match update.action.as_str() {
                "ACCEPT" => "offer.accept".into(),
                _ => "offer.decline".into(),
            },
            Write::Fulfil { .. } => "offer.fulfil".into(),
            Write::Alerts { subscriptions, .. } => {
                let subscribe = subscriptions
                    .subscriptions
                    .iter()
                    .any(|s| s.action == "SUBSCRIBE");
                if subscribe {
                    "alerts.subscribe"
                } else {
                    "alerts.unsubscribe"
                }
                .into()
            }
            Write::CreateCustomer(_) => "customer.create".into(),
            Write::UpdateCustomer { .. } => "customer.update".into(),
            Write::DeleteCustomer { .. } => "customer.delete".into(),
            Write::PutImage { .. } => "image.put".into(),
            Write::DeleteImage { .. } => "image.delete".into(),
        }
    }

    /// What kind of write this is, for permissions.
    pub fn kind(&self) -> WriteKind {
        match self {
            Write::RequestChange { .. } | Write::ConfirmChange { .. } => WriteKind::ContactChange,
            Write::AddPhone { .. } => WriteKind::AddPhone,
            Write::Offer { .. } | Write::Fulfil { .. } => WriteKind::Offer,
            Write::Alerts { .. } => WriteKind::Alerts,
            Write::CreateCustomer(_) => WriteKind::CreateCustomer,
            Write::UpdateCustomer { .. } => WriteKind::UpdateCustomer,
            Write::DeleteCustomer { .. } => WriteKind::DeleteCustomer,
            Write::PutImage { .. } | Write::DeleteImage { .. } => WriteKind::Image,
        }
    }

    /// The scope the signed-in client needs for this write: [`WriteKind::scope`].
    pub fn scope(&self) -> &'static str {
        self.kind().scope()
    }

    /// Send the write with `key`: every attempt of it, and any later retry of the same
    /// submission, carries that key, so the server applies it at most once.
    pub async fn send(
        &self,
        client: &Client,
        key: &IdempotencyKey,
    ) -> Result<Reply<Answer>, ApiError> {
        match self {
            Write::RequestChange { customer, change } => {
                let r = match change {
                    ContactChange::Emails(e) => client.citi().update_emails(customer, e, key).await,
                    ContactChange::Phones(p) => client.citi().update_phones(customer, p, key).await,
                };
                r.map(|r| r.map(Answer::Flow))
            }
            Write::ConfirmChange {
                customer,
                kind,
                flow,
                passcode,
            } => {
                let body = citi::Confirmation {
                    control_flow_id: flow.clone(),
                    otp: passcode.expose().to_string(),
                };
                match kind {
                    ContactKind::Email => client
                        .citi()
                        .confirm_emails(customer, &body, key)
                        .await
                        .map(|r| r.map(|_| Answer::Confirmed)),
                    ContactKind::Phone => client
                        .citi()
                        .confirm_phones(customer, &body, key)
                        .await
                        .map(|r| r.map(|_| Answer::Confirmed)),
                }
            }
            Write::AddPhone {
                customer,
                number,
                body,
            } => client
                .relay()
                .add_phone(customer, number, body, key)
                .await
                .map(|r| r.map(Answer::Phone)),
            Write::Offer { customer, update } => client
                .citi()
                .update_offer(customer, update, key)
                .await
                .map(|r| r.map(Answer::Offer)),
            Write::Fulfil { customer, request } => client
                .citi()
                .fulfill_offer(customer, request, key)
                .await
                .map(|r| r.map(Answer::Fulfilled)),
            Write::Alerts {
                customer,
                subscriptions,
            } => client
                .citi()
                .update_alert_subscriptions(customer, subscriptions, key)
                .await
                .map(|r| r.map(Answer::Alerts)),
            Write::CreateCustomer(input) => client
                .banking()
                .create(input, key)
                .await
                .map(|r| r.map(Answer::Customer)),
            Write::UpdateCustomer { id, input } => client
                .banking()
                .update(id, input, key)
                .await
                .map(|r| r.map(Answer::Customer)),
            Write::DeleteCustomer { id } => client
                .banking()
                .delete(id, key)
                .await
                .map(|r| r.map(Answer::Customer)),
            Write::PutImage { customer, image } => client
                .citi()
                .put_profile_image(customer, image, key)
                .await
                .map(|r| r.map(Answer::Image)),
            Write::DeleteImage { customer } => client
                .citi()
                .delete_profile_image(customer, key)
                .await
                .map(|r| r.map(|()| Answer::ImageDeleted)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_and_audit_names() {
        let w = Write::subscribe("c", "LOW_BALANCE", "SMS", Some(50.0));
        assert_eq!(w.action(), "alerts.subscribe");
        let Write::Alerts { subscriptions, .. } = &w else {
            panic!("{w:?}")
        };
        assert_eq!(
            serde_json::to_value(subscriptions).unwrap(),
            serde_json::json!({"subscriptions": [
                {"alertCode": "LOW_BALANCE", "action": "SUBSCRIBE", "channel": "SMS", "threshold": 50.0}
            ]})
        );
        assert_eq!(Write::unsubscribe("c", "X").action(), "alerts.unsubscribe");
        assert_eq!(Write::offer("c", "o", false).action(), "offer.decline");
        assert_eq!(Write::set_email("c", "a@b.com").scope(), "customers:write");
        assert_eq!(Write::offer("c", "o", true).scope(), "offers:write");
        let confirm = Write::ConfirmChange {
            customer: "c".into(),
            kind: ContactKind::Phone,
            flow: "f".into(),
            passcode: Passcode::new("123456"),
        };
        assert_eq!(confirm.action(), "update_phone.confirm");
        let shown = format!("{confirm:?} {}", serde_json::to_string(&confirm).unwrap());
        assert!(!shown.contains("123456"), "{shown}");
    }
}
