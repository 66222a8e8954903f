//! Opening the contact dialog: which email or phone it replaces (the one under the
//! profile cursor, else the preferred one), found in the Citi profile.

use tui_input::Input;

use super::{Check, ContactDialog, Target};
use crate::api::wire::citi;
use crate::domain::{mask, phone};
use crate::tui::app::{App, Overlay};
use crate::tui::edit::{ContactKind, Submit};
use crate::tui::view::safe;

impl App {
    /// Open the update dialog for the open customer's selected (or preferred) email or
    /// phone. The caller of this has passed [`App::contact_edit_gate`].
    pub(crate) fn open_contact(&mut self, kind: ContactKind) {
        let Some(c) = &self.customer else { return };
        let Some(d) = c.details.ready() else { return };
        let profile = match c.profile.ready_or(
            "Wait for the Citi profile to load",
            &format!(
                "The Citi profile did not load, so the {} cannot be changed; r reloads",
                kind.noun()
            ),
        ) {
            Ok(p) => p,
            Err(notice) => {
                self.status.notice = Some(notice);
                return;
            }
        };
        // The field under the profile cursor, when it is of this kind.
        let selected = self
            .profile_fields()
            .get(self.profile_cursor)
            .map(|f| f.field.clone())
            .unwrap_or_default();
        // A field the agent picked that Citi does not list is refused rather than
        // silently swapped for another.
        let not_in_citi = |app: &mut App| {
            app.status.notice = Some(format!(
                "The selected {} is not in the Citi profile, so it cannot be changed here",
                kind.noun()
            ));
        };
        let target = match kind {
            ContactKind::Email => {
                let picked = selected
                    .strip_prefix("email:")
                    .and_then(|i| i.parse::<usize>().ok())
                    .and_then(|i| d.contact.email_addresses.get(i));
                let chosen = match picked {
                    Some(nd) => match profile
                        .emails
                        .iter()
                        .find(|e| e.email_address.eq_ignore_ascii_case(&nd.value))
                    {
                        Some(e) => Some(e),
                        None => return not_in_citi(self),
                    },
                    None => profile
                        .emails
                        .iter()
                        .find(|e| e.preferred_email_flag)
                        .or_else(|| profile.emails.first()),
                };
                match chosen {
                    Some(e) => Target {
                        key: e.email_key,
                        label: if e.preferred_email_flag {
                            "preferred email".into()
                        } else {
                            "email".into()
                        },
                        old_masked: mask::email(&safe(&e.email_address)),
                        old_norm: e.email_address.to_lowercase(),
                        phone_type: String::new(),
                        country_code: String::new(),
                        preferred: e.preferred_email_flag,
                    },
                    None => Target {
                        key: None,
                        label: "email (none yet: adds one)".into(),
                        old_masked: "none".into(),
                        old_norm: String::new(),
                        phone_type: String::new(),
                        country_code: String::new(),
                        preferred: true,
                    },
                }
            }
            ContactKind::Phone => {
                let national_of = |p: &citi::Phone| {
                    phone::national(&format!(
                        "+{}{}{}",
                        p.phone_country_code.trim_start_matches('+'),
                        p.area_code,
                        p.phone_number
                    ))
                };
                let picked = selected
                    .strip_prefix("phone:")
                    .and_then(|i| i.parse::<usize>().ok())
                    .and_then(|i| d.contact.phone_numbers.get(i));
                let chosen = match picked {
                    Some(nd) => {
                        let n = phone::national(&nd.value);
                        match profile.phones.iter().find(|p| national_of(p) == n) {
                            Some(p) => Some(p),
                            None => return not_in_citi(self),
                        }
                    }
                    None => profile
                        .phones
                        .iter()
                        .find(|p| p.phone_type == "MOBILE")
                        .or_else(|| profile.phones.first()),
                };
                match chosen {
                    Some(p) => Target {
                        key: p.phone_key,
                        label: format!("{} phone", safe(&p.phone_type.to_lowercase())),
                        old_masked: mask::phone_in(
                            &p.phone_country_code,
                            &safe(&format!("{}{}", p.area_code, p.phone_number)),
                        ),
                        old_norm: national_of(p),
                        phone_type: p.phone_type.clone(),
                        country_code: p.phone_country_code.trim_start_matches('+').to_string(),
                        preferred: false,
                    },
                    None => Target {
                        key: None,
                        label: "mobile phone (none yet: adds one)".into(),
                        old_masked: "none".into(),
                        old_norm: String::new(),
                        phone_type: "MOBILE".into(),
                        country_code: "44".into(),
                        preferred: false,
                    },
                }
            }
        };
        let name = safe(&format!("{} {}", d.given_name, d.family_name));
        self.overlay = Some(Overlay::Contact(Box::new(ContactDialog {
            kind,
            customer: c.id.clone(),
            name,
            target,
            input: Input::default(),
            check: Check::Empty,
            check_seq: 0,
            request: Submit::default(),
            passcode: None,
        })));
    }
}
