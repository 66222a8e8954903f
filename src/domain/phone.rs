//! Phone numbers: normalisation for search and duplicate detection, and the forms each
//! API takes (Relay's 10 or 11 digits, bankingservice's international digits, Citi's
//! country code + area code + number, NewDay's UK mobile check).

use super::validate::{self, FieldError, FieldResult};

/// Country calling codes the store knows, longest first so `353` wins over `3`.
const COUNTRY_CODES: &[&str] = &["353", "61", "44", "31", "49", "33", "64", "1"];

/// The national significant number: digits only, no country code, no trunk `0`.
/// `+44 7700 900123`, `07700900123` and `00447700900123` all give `7700900123`.
pub fn national(input: &str) -> String {
    let trimmed = input.trim();
    let mut digits: String = trimmed.chars().filter(|c| c.is_ascii_digit()).collect();
    let international = trimmed.starts_with('+') || digits.starts_with("00");
    if digits.starts_with("00") {
        digits.drain(..2);
    }
    if international {
        if let Some(cc) = COUNTRY_CODES.iter().find(|cc| digits.starts_with(*cc)) {
            digits.drain(..cc.len());
        }
    } else if digits.len() == 11 && digits.starts_with('1') {
        // North American 1 + 10 digits.
        digits.drain(..1);
    }
    digits.trim_start_matches('0').to_string()
}

/// Format digits for display while typing: groups of 3-3-4 or 5-6 for 11-digit UK numbers.
pub fn format_typed(digits: &str) -> String {
    let d: String = digits.chars().filter(|c| c.is_ascii_digit()).collect();
    let groups: &[usize] = if d.len() == 11 && d.starts_with('0') {
        &[5, 6]
    } else {
        &[3, 3, 5]
    };
    let mut out = String::new();
    let mut rest = d.as_str();
    for (i, g) in groups.iter().enumerate() {
        if rest.is_empty() {
            break;
        }
        let take = if i + 1 == groups.len() {
            rest.len()
        } else {
            (*g).min(rest.len())
        };
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&rest[..take]);
        rest = &rest[take..];
    }
    out
}

/// Drop the separators people type in phone numbers: spaces, dots, hyphens, brackets.
pub fn strip_separators(v: &str) -> String {
    v.trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
        .collect()
}

macro_rules! digits_newtype {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

/// A number as Relay takes it: 10 or 11 digits (separators are dropped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayNumber(String);
digits_newtype!(RelayNumber);

impl RelayNumber {
    pub const MAX_DIGITS: usize = 11;
    /// As sent to Relay: digits only.
    pub fn parse(field: &str, value: &str) -> FieldResult<RelayNumber> {
        validate::digits(field, value, 10, Self::MAX_DIGITS).map(RelayNumber)
    }

    /// As a person types it: the separators are dropped first, then [`Self::parse`].
    pub fn typed(field: &str, value: &str) -> FieldResult<RelayNumber> {
        Self::parse(field, &strip_separators(value))
    }

    /// The national number Relay stores: no trunk `0`, no North American `1` prefix.
    pub fn national(&self, country_code: &CountryCode) -> String {
        national_of(country_code.as_str(), "", &self.0)
    }
}

/// A country calling code: 1 to 3 digits, not starting with 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountryCode(String);
digits_newtype!(CountryCode);

impl CountryCode {
    /// As a person types it (and as Citi takes it): a leading `+` is dropped first.
    pub fn typed(field: &str, value: &str) -> FieldResult<CountryCode> {
        Self::parse(field, value.trim().trim_start_matches('+'))
    }

    /// As Relay takes it: digits only.
    pub fn parse(field: &str, value: &str) -> FieldResult<CountryCode> {
        let v = validate::digits(field, value, 1, 3)?;
        if v.starts_with('0') {
            return Err(FieldError::new(field, "must not start with 0"));
        }
        Ok(CountryCode(v))
    }

    /// Relay's default.
    pub fn north_america() -> CountryCode {
        CountryCode("1".into())
    }
}

/// An international number as bankingservice takes it: digits with the country code
/// (`447700900123`); `+`, `00` and separators are dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InternationalPhone(String);
digits_newtype!(InternationalPhone);

impl InternationalPhone {
    /// As a person types it: separators are dropped first, then [`Self::parse`].
    pub fn typed(field: &str, value: &str) -> FieldResult<InternationalPhone> {
        Self::parse(field, &strip_separators(value))
    }

    /// As sent to bankingservice: digits, optionally after `+` or `00`.
    pub fn parse(field: &str, value: &str) -> FieldResult<InternationalPhone> {
        let d = value.trim();
        let d = d.strip_prefix('+').unwrap_or(d);
        let d = d.strip_prefix("00").unwrap_or(d);
        let digits = validate::digits(field, d, 8, 15)?;
        let national = national(&format!("+{digits}"));
        if digits.starts_with('0') || national.len() == digits.len() || national.len() < 6 {
            return Err(FieldError::new(
                field,
                "must be an international number with its country code, e.g. 447700900123",
            ));
        }
        Ok(InternationalPhone(digits))
    }

    /// (country code, national number).
    pub fn split(&self) -> (String, String) {
        let national = national(&format!("+{}", self.0));
        let cc = self.0[..self.0.len() - national.len()].to_string();
        (cc, national)
    }
}

/// The national significant number of a phone given as country code, area code and
/// number: no trunk `0`, no North American `1` prefix.
pub fn national_of(cc: &str, area: &str, number: &str) -> String {
    let d = format!("{area}{number}");
    if cc == "1" && d.len() == 11 && d.starts_with('1') {
        d[1..].to_string()
    } else {
        d.trim_start_matches('0').to_string()
    }
}

/// A phone in Citi's parts, normalised: the area code and number never carry a trunk
/// `0`, so area code + number is the national number the store searches on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartsPhone {
    pub country_code: String,
    pub area_code: String,
    pub number: String,
    pub extension: String,
}

impl PartsPhone {
    /// `field` names each part's field (`phones[0].areaCode`...) from its wire name:
    /// `phoneCountryCode`, `areaCode`, `phoneNumber`, `extension`.
    pub fn parse(
        field: impl Fn(&str) -> String,
        cc: &str,
        area: &str,
        number: &str,
        extension: &str,
    ) -> FieldResult<PartsPhone> {
        let cc = CountryCode::typed(&field("phoneCountryCode"), cc)?.0;
        let area = if area.trim().is_empty() {
            String::new()
        } else {
            validate::digits(&field("areaCode"), area, 1, 6)?
                .trim_start_matches('0')
                .to_string()
        };
        let mut number = validate::digits(&field("phoneNumber"), number, 3, 15)?;
        if area.is_empty() {
            number = national_of(&cc, "", &number);
        }
        let national = national_of(&cc, &area, &number);
        if national.len() < 6 || national.len() > 14 || cc.len() + national.len() > 15 {
            return Err(FieldError::new(
                field("phoneNumber"),
                "with the area code must be 6 to 14 digits, and at most 15 with the country code",
            ));
        }
        let extension = if extension.trim().is_empty() {
            String::new()
        } else {
            validate::digits(&field("extension"), extension, 1, 6)?
        };
        Ok(PartsPhone {
            country_code: cc,
            area_code: area,
            number,
            extension,
        })
    }

    pub fn national(&self) -> String {
        national_of(&self.country_code, &self.area_code, &self.number)
    }
}

/// Whether `p` is a UK mobile number (`07xxx xxxxxx`, `+44 7xxx`, `0044 7xxx`); the
/// reason in plain words when not.
pub fn uk_mobile(p: &str) -> Result<(), &'static str> {
    if !p.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c)) {
        return Err("may hold only digits, spaces, +, - and brackets");
    }
    let d: String = p.chars().filter(|c| c.is_ascii_digit()).collect();
    let uk = p.trim_start().starts_with("+44")
        || d.starts_with("0044")
        || (d.starts_with('0') && !d.starts_with("00"));
    if !uk {
        return Err("must be a UK number: 07..., +44 7... or 0044 7...");
    }
    let n = national(if d.starts_with('0') && !d.starts_with("00") {
        &d
    } else {
        p
    });
    if !n.starts_with('7') {
        return Err("must be a mobile number (07...)");
    }
    if n.len() != 10 {
        return Err("must have 11 digits as 07xxx xxxxxx");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn normalises() {
        assert_eq!(national("07700900123"), "7700900123");
        assert_eq!(national("+44 7700 900123"), "7700900123");
        assert_eq!(national("00447700900123"), "7700900123");
        assert_eq!(national("(212) 555-0100"), "2125550100");
        assert_eq!(national("12125550100"), "2125550100");
        assert_eq!(national("+61 412 345 678"), "412345678");
    }
    #[test]
    fn formats() {
        assert_eq!(format_typed("07700900123"), "07700 900123");
        assert_eq!(format_typed("2125550100"), "212 555 0100");
        assert_eq!(format_typed("2125"), "212 5");
    }

    #[test]
    fn forms() {
        assert_eq!(
            InternationalPhone::typed("phone", "+44 7700 900123")
                .unwrap()
                .as_str(),
            "447700900123"
        );
        assert_eq!(
            InternationalPhone::parse("phone", "00447700900123")
                .unwrap()
                .split(),
            ("44".to_string(), "7700900123".to_string())
        );
        assert!(InternationalPhone::parse("phone", "07700900123").is_err());
        assert!(InternationalPhone::parse("phone", "abc").is_err());
        assert_eq!(
            RelayNumber::typed("n", "07700 900-123").unwrap().as_str(),
            "07700900123"
        );
        assert!(RelayNumber::parse("n", "07700 900-123").is_err());
        assert!(InternationalPhone::parse("phone", "+44 7700 900123").is_err());
        assert!(RelayNumber::parse("n", "123").is_err());
        assert!(CountryCode::typed("cc", "+44").is_ok());
        assert!(CountryCode::parse("cc", "+44").is_err());
        assert!(CountryCode::parse("cc", "044").is_err());
        let p = PartsPhone::parse(|f| f.to_string(), "44", "", "07700900123", "").unwrap();
        assert_eq!(
            (p.number.as_str(), p.national()),
            ("7700900123", "7700900123".into())
        );
        let e = PartsPhone::parse(|f| format!("phones[0].{f}"), "44", "", "12", "").unwrap_err();
        assert_eq!(e.field, "phones[0].phoneNumber");
    }

    #[test]
    fn uk_mobiles() {
        assert!(uk_mobile("07700900123").is_ok());
        assert!(uk_mobile("+44 7700 900123").is_ok());
        assert!(uk_mobile("0044 7700 900123").is_ok());
        assert!(uk_mobile("02079460000").is_err());
        assert!(uk_mobile("0770090012").is_err());
        assert!(uk_mobile("+61 412 345 678").is_err());
        assert!(uk_mobile("0770O900123").is_err());
    }
}
