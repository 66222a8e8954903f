//! Postal addresses: bankingservice's parts (premise, sub-premise, building,
//! thoroughfare, locality, state, postal code, country).

use serde::{Deserialize, Deserializer};

use super::validate::{self, FieldError, FieldResult};

/// Longest house number or name.
pub const MAX_PREMISE: usize = 20;
pub const MAX_SUB_PREMISE: usize = 50;
/// Longest building, street, town or state.
pub const MAX_LINE: usize = 100;

/// One free-text part of an address, at most `max` characters (empty allowed).
pub fn line(field: &str, value: &str, max: usize) -> FieldResult<String> {
    validate::optional_text(field, value, max)
}

/// A postcode: letters, digits, spaces and hyphens, 3 to 10 characters; upper-case.
pub fn postcode(field: &str, value: &str) -> FieldResult<String> {
    let v = validate::text(field, value, 10)?;
    if v.len() < 3
        || !v
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
    {
        return Err(FieldError::new(
            field,
            "must be 3 to 10 letters, digits, spaces or hyphens",
        ));
    }
    Ok(v.to_uppercase())
}

/// An ISO 3166 alpha-2 country code; upper-case.
pub fn country(field: &str, value: &str) -> FieldResult<String> {
    let v = value.trim();
    if v.len() == 2 && v.chars().all(|c| c.is_ascii_alphabetic()) {
        Ok(v.to_ascii_uppercase())
    } else {
        Err(FieldError::new(
            field,
            "must be a two-letter ISO country code",
        ))
    }
}

/// Deserialise a text field that an API's own examples send as a number too
/// (bankingservice's `"premise": 58`): a string, an integer or a decimal, kept as text.
pub fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Text(String),
        Whole(i64),
        Number(f64),
    }
    Ok(match Option::<Either>::deserialize(d)? {
        None => None,
        Some(Either::Text(s)) => Some(s),
        Some(Either::Whole(n)) => Some(n.to_string()),
        Some(Either::Number(n)) => Some(n.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts() {
        assert_eq!(postcode("pc", "sw1a 1aa").unwrap(), "SW1A 1AA");
        assert!(postcode("pc", "S!").is_err());
        assert_eq!(country("c", "nl").unwrap(), "NL");
        assert!(country("c", "NLD").is_err());
        assert!(line("premise", &"9".repeat(21), MAX_PREMISE).is_err());
        assert!(line("street", "Kings\u{200b}way", MAX_LINE).is_err());
    }

    #[test]
    fn a_number_or_a_string() {
        #[derive(Deserialize)]
        struct A {
            #[serde(default, deserialize_with = "string_or_number")]
            premise: Option<String>,
        }
        let p = |j: &str| serde_json::from_str::<A>(j).map(|a| a.premise);
        assert_eq!(p(r#"{"premise": 58}"#).unwrap().as_deref(), Some("58"));
        assert_eq!(p(r#"{"premise": "58A"}"#).unwrap().as_deref(), Some("58A"));
        assert_eq!(p(r#"{"premise": null}"#).unwrap(), None);
        assert_eq!(p("{}").unwrap(), None);
        assert!(p(r#"{"premise": [1]}"#).is_err());
    }
}
