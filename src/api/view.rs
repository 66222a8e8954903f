//! One customer assembled from the families: NewDay for particulars, addresses,
//! accounts and contact; Citi for the keyed emails and phones, offers and segment;
//! Candescent for each contact method's consent and source; Citi alerts.
//!
//! The parts load concurrently and each keeps its own result, so the console can show
//! one pane's error while the others work.

use super::Reply;
use super::client::Client;
use super::error::ApiError;
use super::families::UserIdType;
use super::wire::{candescent, citi, newday};
use crate::domain::phone;

type Part<T> = Result<Reply<T>, ApiError>;

/// Everything the console shows for one customer.
#[derive(Debug, Clone)]
pub struct CustomerView {
    pub customer_id: String,
    /// NewDay: particulars, addresses, accounts, contact.
    pub customer: Part<newday::Customer>,
    /// Citi: emails and phones with their keys, offers, segment.
    pub profile: Part<citi::Profile>,
    /// Candescent: contact methods with consent, source, activation.
    pub contact_methods: Part<candescent::ContactMethods>,
    /// Citi: enrolled and eligible alerts.
    pub alerts: Part<citi::Alerts>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Phone,
    Email,
}

/// One phone or email, merged from every part that knows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactLine {
    pub channel: Channel,
    /// As the backend shows it: the national number for a phone, the address for an email.
    pub value: String,
    /// Country calling code, for phones.
    pub country_code: Option<String>,
    /// Citi `phoneType` (`MOBILE`, `HOME`...) for phones.
    pub kind: Option<String>,
    /// Citi `phoneKey` or `emailKey`: what a Citi update names to replace this one.
    pub citi_key: Option<i64>,
    pub preferred: bool,
    /// Relay consent (`written`, `express`, `stop`), from Candescent.
    pub consent: Option<String>,
    pub source: Option<String>,
    pub activated: Option<bool>,
    pub enrolled: Option<String>,
}

impl ContactLine {
    fn new(channel: Channel, value: String) -> Self {
        ContactLine {
            channel,
            value,
            country_code: None,
            kind: None,
            citi_key: None,
            preferred: false,
            consent: None,
            source: None,
            activated: None,
            enrolled: None,
        }
    }
}

impl Client {
    /// Load the four parts of a customer at once.
    pub async fn customer_view(&self, customer_id: &str) -> CustomerView {
        let (customer, profile, contact_methods, alerts) = tokio::join!(
            self.newday().get_customer(customer_id),
            self.citi().profile(customer_id),
            self.candescent()
                .contact_methods(customer_id, UserIdType::CustomerId),
            self.citi().alerts(customer_id, None),
        );
        CustomerView {
            customer_id: customer_id.to_string(),
            customer,
            profile,
            contact_methods,
            alerts,
        }
    }
}

impl CustomerView {
    /// "Mrs Ada L Quartermaine", from NewDay, else from the Citi profile.
    pub fn name(&self) -> Option<String> {
        let join = |parts: &[&str]| {
            parts
                .iter()
                .filter(|p| !p.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" ")
        };
        if let Ok(c) = &self.customer {
            let c = &c.value;
            return Some(join(&[
                &c.title,
                &c.given_name,
                &c.middle_name,
                &c.family_name,
            ]));
        }
        let p = &self.profile.as_ref().ok()?.value.customer_particulars;
        let n = p.names.first()?;
        Some(join(&[
            &p.prefix,
            &n.given_name,
            &n.middle_name,
            &n.surname,
            &p.suffix,
        ]))
    }

    /// Every phone and email: Candescent's contact methods (consent, source,
    /// activation) joined with Citi's keyed lists (key, type, preferred flag) on the
    /// number's digits or the address. Whatever part failed simply adds nothing.
    pub fn contacts(&self) -> Vec<ContactLine> {
        let profile = self.profile.as_ref().ok().map(|r| &r.value);
        let methods = self
            .contact_methods
            .as_ref()
            .map(|r| r.value.contact_methods.as_slice())
            .unwrap_or_default();
        let mut lines: Vec<ContactLine> = methods
            .iter()
            .map(|m| {
                let channel = if m.protocol == "EMAIL" {
                    Channel::Email
                } else {
                    Channel::Phone
                };
                ContactLine {
                    country_code: m.telephone_country_code.as_ref().map(ToString::to_string),
                    consent: m.consent_type.clone(),
                    source: m.client_source.clone(),
                    activated: Some(m.is_activated),
                    enrolled: Some(m.enrolled_date_time.clone()),
                    ..ContactLine::new(channel, m.contact_info.to_string())
                }
            })
            .collect();
        let Some(profile) = profile else {
            return lines;
        };
        for p in &profile.phones {
            let digits = phone::national(&format!("{}{}", p.area_code, p.phone_number));
            let found = lines.iter_mut().find(|l| {
                l.channel == Channel::Phone
                    && l.citi_key.is_none()
                    && phone::national(&l.value) == digits
                    && l.country_code
                        .as_deref()
                        .is_none_or(|c| c == p.phone_country_code)
            });
            let line = match found {
                Some(l) => l,
                None => {
                    lines.push(ContactLine {
                        country_code: Some(p.phone_country_code.clone()),
                        ..ContactLine::new(
                            Channel::Phone,
                            format!("{}{}", p.area_code, p.phone_number),
                        )
                    });
                    lines.last_mut().expect("just pushed")
                }
            };
            line.citi_key = p.phone_key;
            line.kind = Some(p.phone_type.clone());
        }
        for e in &profile.emails {
            let found = lines.iter_mut().find(|l| {
                l.channel == Channel::Email
                    && l.citi_key.is_none()
                    && l.value.eq_ignore_ascii_case(&e.email_address)
            });
            let line = match found {
                Some(l) => l,
                None => {
                    lines.push(ContactLine::new(Channel::Email, e.email_address.clone()));
                    lines.last_mut().expect("just pushed")
                }
            };
            line.citi_key = e.email_key;
            line.preferred = e.preferred_email_flag;
        }
        lines
    }

    /// The parts that failed, for a status line.
    pub fn errors(&self) -> Vec<(&'static str, &ApiError)> {
        [
            ("customer", self.customer.as_ref().err()),
            ("profile", self.profile.as_ref().err()),
            ("contact methods", self.contact_methods.as_ref().err()),
            ("alerts", self.alerts.as_ref().err()),
        ]
        .into_iter()
        .filter_map(|(n, e)| e.map(|e| (n, e)))
        .collect()
    }
}
