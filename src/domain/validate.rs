//! Field validation with messages that name the field. Used by the sandbox (server side)
//! and by the console's forms (as the agent types).

use std::fmt;

/// A validation failure for one named field.
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

/// A non-empty, trimmed, printable text of at most `max` characters.
pub fn text(field: &str, value: &str, max: usize) -> FieldResult<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(FieldError::new(field, "must not be empty"));
    }
    optional_text(field, v, max)
}

/// Like [`text`] but an empty value is allowed.
pub fn optional_text(field: &str, value: &str, max: usize) -> FieldResult<String> {
    let v = value.trim();
    if v.chars().count() > max {
        return Err(FieldError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if let Some(c) = v.chars().find(|c| c.is_control()) {
        return Err(FieldError::new(
            field,
            format!(
                "must not contain control characters (found U+{:04X})",
                c as u32
            ),
        ));
    }
    Ok(v.to_string())
}

/// A person's name part: letters, spaces, apostrophes, hyphens and dots.
pub fn name(field: &str, value: &str) -> FieldResult<String> {
    let v = text(field, value, 100)?;
    if !v.chars().all(|c| {
        c.is_alphabetic() || c == ' ' || c == '\'' || c == '-' || c == '.' || c == '\u{2019}'
    }) {
        return Err(FieldError::new(
            field,
            "may hold only letters, spaces, apostrophes, hyphens and dots",
        ));
    }
    Ok(v)
}

/// An email address: one `@`, a non-empty local part, a dotted domain, no spaces.
pub fn email(field: &str, value: &str) -> FieldResult<String> {
    let v = text(field, value, 254)?;
    let Some((local, domain)) = v.rsplit_once('@') else {
        return Err(FieldError::new(field, "must contain @"));
    };
    if local.is_empty() || local.len() > 64 {
        return Err(FieldError::new(field, "needs 1 to 64 characters before @"));
    }
    if v.chars().any(|c| c.is_whitespace()) || local.contains('@') {
        return Err(FieldError::new(
            field,
            "must not contain spaces or a second @",
        ));
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2
        || labels.iter().any(|l| {
            l.is_empty()
                || l.starts_with('-')
                || l.ends_with('-')
                || !l.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
    {
        return Err(FieldError::new(field, "needs a domain such as example.com"));
    }
    Ok(v.to_lowercase())
}

/// A date of birth in `YYYY-MM-DD`, not in the future, after 1900.
pub fn date_of_birth(field: &str, value: &str, today: chrono::NaiveDate) -> FieldResult<String> {
    let v = text(field, value, 10)?;
    let d = chrono::NaiveDate::parse_from_str(&v, "%Y-%m-%d")
        .map_err(|_| FieldError::new(field, "must be a date as YYYY-MM-DD"))?;
    if d > today {
        return Err(FieldError::new(field, "must not be in the future"));
    }
    if d < chrono::NaiveDate::from_ymd_opt(1900, 1, 1).expect("valid date") {
        return Err(FieldError::new(field, "must be after 1900-01-01"));
    }
    Ok(d.format("%Y-%m-%d").to_string())
}

/// A postcode: letters, digits, spaces and hyphens, 3 to 10 characters.
pub fn postcode(field: &str, value: &str) -> FieldResult<String> {
    let v = text(field, value, 10)?;
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
    fn emails() {
        assert!(email("e", "ada@example.com").is_ok());
        assert_eq!(email("e", " Ada@Example.COM ").unwrap(), "ada@example.com");
        assert_eq!(email("e", "nope").unwrap_err().message, "must contain @");
        assert!(email("e", "a@b").is_err());
        assert!(email("e", "a b@c.com").is_err());
        assert!(email("e", "a@-b.com").is_err());
        assert!(email("e", "a\u{1b}@b.com").is_err());
    }

    #[test]
    fn names_and_text() {
        assert!(name("given", "Zoë O'Brien-Smith").is_ok());
        assert!(name("given", "x\u{7}").is_err());
        assert_eq!(
            text("f", "   ", 5).unwrap_err().message,
            "must not be empty"
        );
        assert!(text("f", &"a".repeat(6), 5).is_err());
    }

    #[test]
    fn dates_and_digits() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        assert!(date_of_birth("dob", "1984-03-09", today).is_ok());
        assert!(date_of_birth("dob", "2030-01-01", today).is_err());
        assert!(date_of_birth("dob", "09/03/1984", today).is_err());
        assert!(digits("n", "0123456789", 10, 11).is_ok());
        assert!(digits("n", "012345678", 10, 11).is_err());
        assert!(digits("n", "01234a6789", 10, 11).is_err());
    }
}
