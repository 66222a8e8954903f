//! Email addresses: our own limits and plain-words messages first (the text rules, one
//! `@`, a local part of 1 to 64 characters, a dotted domain), then the `email_address`
//! crate's RFC 5322 / 6531 grammar for everything else. Stored lower-case.

use email_address::{EmailAddress, Options};

use super::validate::{self, FieldError, FieldResult};

/// Longest address (RFC 5321's path limit less the brackets).
pub const MAX_EMAIL: usize = 254;

/// A checked email address, lower-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub fn parse(field: &str, value: &str) -> FieldResult<Email> {
        let v = validate::text(field, value, MAX_EMAIL)?;
        let Some((local, domain)) = v.rsplit_once('@') else {
            return Err(FieldError::new(field, "must contain @"));
        };
        if local.is_empty() || local.chars().count() > 64 {
            return Err(FieldError::new(field, "needs 1 to 64 characters before @"));
        }
        if v.chars().any(char::is_whitespace) || local.contains('@') {
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
        if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
            return Err(FieldError::new(
                field,
                "must not start or end with a dot before @, or have two dots in a row",
            ));
        }
        // Quoted local parts are legal but no customer has one; every symbol the
        // grammar refuses (< > ( ) [ ] , ; : \ ") is refused here too.
        let options = Options::default()
            .with_minimum_sub_domains(2)
            .without_domain_literal();
        if local.contains('"') || EmailAddress::parse_with_options(&v, options).is_err() {
            return Err(FieldError::new(
                field,
                "may hold before @ only letters, digits and . _ % + - ' ! # $ & * / = ? ^ ` { | } ~",
            ));
        }
        Ok(Email(v.to_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<Email> for String {
    fn from(e: Email) -> String {
        e.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email(f: &str, v: &str) -> FieldResult<String> {
        Email::parse(f, v).map(String::from)
    }

    #[test]
    fn emails() {
        assert!(email("e", "ada@example.com").is_ok());
        assert_eq!(email("e", " Ada@Example.COM ").unwrap(), "ada@example.com");
        assert_eq!(email("e", "nope").unwrap_err().message, "must contain @");
        assert_eq!(
            email("e", "ada.new@").unwrap_err().message,
            "needs a domain such as example.com"
        );
        assert!(email("e", "a@b").is_err());
        assert!(email("e", "a b@c.com").is_err());
        assert!(email("e", "a@-b.com").is_err());
        assert!(email("e", "a\u{1b}@b.com").is_err());
        assert!(email("e", "o'brien+news@example.co.uk").is_ok());
        assert!(email("e", "zoë@exämple.com").is_ok());
    }

    #[test]
    fn hostile_addresses_are_refused_naming_the_field() {
        for bad in [
            "<script>alert(1)</script>@example.com",
            "a..b@example.com",
            ".a@example.com",
            "a.@example.com",
            "ada\u{202e}moc.elpmaxe@example.com",
            "ada\u{200b}@example.com",
            "\"a b\"@example.com",
            "a@[127.0.0.1]",
            "a,b@example.com",
        ] {
            let e = Email::parse("emailAddress", bad).unwrap_err();
            assert_eq!(e.field, "emailAddress", "{bad}");
        }
    }
}
