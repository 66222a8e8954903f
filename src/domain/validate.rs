//! The rules every text field shares, and the error that names the field. The typed
//! values (`email`, `phone`, `person`, `address`, `choice`, `alert`) build on these;
//! the sandbox, the CSV planner and the console's forms all call the same functions.

use std::fmt;

use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

/// A validation failure for one named field: `field` as the caller names it (a JSON
/// path, a CSV column, a form label), `message` the rule broken, in plain words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for FieldError {}

pub type FieldResult<T = ()> = Result<T, FieldError>;

/// Longest free-text value accepted anywhere (names, address lines...).
pub const MAX_TEXT: usize = 200;

/// Characters no text field may hold: controls (C0, DEL, C1), format characters
/// (bidirectional overrides and isolates, zero-width spaces and joiners, the byte-order
/// mark, soft hyphen), line and paragraph separators, private-use and unassigned code
/// points. None of them is visible, and several change how the text around them is
/// drawn.
pub fn forbidden(c: char) -> bool {
    matches!(
        c.general_category(),
        GeneralCategory::Control
            | GeneralCategory::Format
            | GeneralCategory::LineSeparator
            | GeneralCategory::ParagraphSeparator
            | GeneralCategory::PrivateUse
            | GeneralCategory::Surrogate
            | GeneralCategory::Unassigned
    )
}

/// A non-empty, trimmed, printable text of at most `max` characters, NFC-normalised.
pub fn text(field: &str, value: &str, max: usize) -> FieldResult<String> {
    let v = optional_text(field, value, max)?;
    if v.is_empty() {
        return Err(FieldError::new(field, "must not be empty"));
    }
    Ok(v)
}

/// Like [`text`] but an empty value is allowed.
pub fn optional_text(field: &str, value: &str, max: usize) -> FieldResult<String> {
    let v = value.trim();
    if let Some(c) = v.chars().find(|c| forbidden(*c)) {
        return Err(FieldError::new(
            field,
            format!(
                "must not contain control or invisible formatting characters (found U+{:04X})",
                c as u32
            ),
        ));
    }
    let v: String = v.nfc().collect();
    if v.chars().count() > max {
        return Err(FieldError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(v)
}

/// Digits only, between `min` and `max` of them.
pub fn digits(field: &str, value: &str, min: usize, max: usize) -> FieldResult<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(FieldError::new(field, "must not be empty"));
    }
    if !v.chars().all(|c| c.is_ascii_digit()) {
        return Err(FieldError::new(field, "must hold digits only"));
    }
    if v.len() < min || v.len() > max {
        return Err(FieldError::new(
            field,
            if min == max {
                format!("must be {min} digits")
            } else {
                format!("must be {min} to {max} digits")
            },
        ));
    }
    Ok(v.to_string())
}

/// One of a fixed set of values (case-sensitive), naming the choices when it is not.
/// The vocabularies the forms, the CSV and the server share are typed in
/// [`super::choice`]; this is for a handler's own small lists.
pub fn one_of(field: &str, value: &str, allowed: &[&str]) -> FieldResult<String> {
    if allowed.contains(&value) {
        Ok(value.to_string())
    } else {
        Err(FieldError::new(
            field,
            format!("must be one of {}", allowed.join(", ")),
        ))
    }
}

/// A customer id: 32 lower-case hex characters.
pub fn customer_id(field: &str, value: &str) -> FieldResult<String> {
    if value.len() == 32
        && value
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    {
        Ok(value.to_string())
    } else {
        Err(FieldError::new(
            field,
            "must be 32 lower-case hex characters",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_rules() {
        assert_eq!(
            text("f", "   ", 5).unwrap_err().message,
            "must not be empty"
        );
        assert!(text("f", &"a".repeat(6), 5).is_err());
        assert_eq!(text("f", "  Ada  ", 5).unwrap(), "Ada");
        for bad in [
            "x\u{7}",
            "a\tb",
            "Ad\u{202e}a",
            "Ad\u{200b}a",
            "Ad\u{2066}a",
            "Ad\u{feff}a",
            "Ad\u{2028}a",
            "Ad\u{e000}a",
            "Ad\u{ad}a",
        ] {
            let e = text("given", bad, 50).unwrap_err();
            assert_eq!(e.field, "given");
            assert!(e.message.starts_with("must not contain control"), "{bad:?}");
        }
        // NFC: a decomposed é counts (and is stored) as one character.
        assert_eq!(text("f", "Jose\u{301}", 4).unwrap(), "Jos\u{e9}");
    }

    #[test]
    fn digits_and_ids() {
        assert!(digits("n", "0123456789", 10, 11).is_ok());
        assert!(digits("n", "012345678", 10, 11).is_err());
        assert!(digits("n", "01234a6789", 10, 11).is_err());
        assert!(customer_id("c", "0123456789abcdef0123456789abcdef").is_ok());
        assert!(customer_id("c", "0123456789ABCDEF0123456789abcdef").is_err());
    }
}
