//! The fixed vocabularies the forms, the CSV planner and the server share: each list
//! is written here once. An API takes the canonical spelling only ([`Consent::parse`]);
//! what a person types (a CSV cell) may differ in case and surrounding spaces
//! ([`Consent::typed`]) and is sent in the canonical spelling.

use super::validate::{FieldError, FieldResult};

macro_rules! choice {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vm])* $variant),+
        }

        impl $name {
            /// Every value, in the order the forms offer them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// Every value's canonical spelling, in the same order.
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            /// The canonical spelling, as sent and stored.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// Where this value stands in [`Self::ALL`].
            pub fn index(self) -> usize {
                Self::ALL.iter().position(|v| *v == self).unwrap_or(0)
            }

            /// The value spelt exactly `raw`; the error names `field` and lists the
            /// choices.
            pub fn parse(field: &str, raw: &str) -> FieldResult<$name> {
                Self::find(field, raw, |v, raw| v == raw)
            }

            /// The value a person typed: any case, surrounding spaces ignored.
            pub fn typed(field: &str, raw: &str) -> FieldResult<$name> {
                Self::find(field, raw.trim(), |v, raw| v.eq_ignore_ascii_case(raw))
            }

            fn find(
                field: &str,
                raw: &str,
                same: impl Fn(&str, &str) -> bool,
            ) -> FieldResult<$name> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| same(v.as_str(), raw))
                    .ok_or_else(|| {
                        FieldError::new(
                            field,
                            format!("must be one of {}", Self::NAMES.join(", ")),
                        )
                    })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

choice! {
    /// Relay's consent for automated texts and calls to a number.
    Consent {
        Written => "written",
        Express => "express",
        Stop => "stop",
    }
}

choice! {
    /// Relay's type of phone line.
    PhoneType {
        Mobile => "mobile",
        Landline => "landline",
        Unknown => "unknown",
    }
}

choice! {
    /// Citi's (and the store's) type of a customer's phone.
    PhoneKind {
        Mobile => "MOBILE",
        Home => "HOME",
        Work => "WORK",
        Other => "OTHER",
    }
}

choice! {
    /// The channel an alert goes out on.
    Channel {
        Email => "EMAIL",
        Sms => "SMS",
        Push => "PUSH",
    }
}

impl PhoneType {
    /// The kind the store keeps a Relay phone as.
    pub fn kind(self) -> PhoneKind {
        match self {
            PhoneType::Mobile => PhoneKind::Mobile,
            PhoneType::Landline => PhoneKind::Home,
            PhoneType::Unknown => PhoneKind::Other,
        }
    }
}

impl Consent {
    /// Whether messages may be sent to a number with this consent.
    pub fn allows_contact(self) -> bool {
        self != Consent::Stop
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_parse_in_any_case_and_name_the_field() {
        assert_eq!(Consent::typed("c", " Express ").unwrap(), Consent::Express);
        assert!(Consent::parse("c", "Express").is_err());
        assert_eq!(Channel::typed("ch", "sms").unwrap().as_str(), "SMS");
        let e = Consent::parse("consent_type", "maybe").unwrap_err();
        assert_eq!(e.field, "consent_type");
        assert_eq!(e.message, "must be one of written, express, stop");
        assert_eq!(
            PhoneType::typed("t", "LANDLINE").unwrap().kind(),
            PhoneKind::Home
        );
        assert!(PhoneKind::parse("t", "FAX").is_err());
        assert_eq!(Channel::Push.index(), 2);
        assert_eq!(Consent::NAMES, ["written", "express", "stop"]);
    }
}
