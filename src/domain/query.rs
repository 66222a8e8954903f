//! The search box's little language: free text matches names by prefix; `phone:`,
//! `pc:`, `dob:`, `acct:`, `ref:` and `email:` pick a field.

/// What the search box asks for: every field a search may filter on. The client turns
/// it into the backend's search filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchQuery {
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub postcode: Option<String>,
    pub phone_number: Option<String>,
    pub date_of_birth: Option<String>,
    pub account_number: Option<String>,
    pub customer_ref: Option<String>,
    pub email_address: Option<String>,
}

/// The field prefixes, with what each searches, for completion and help.
pub const PREFIXES: &[(&str, &str)] = &[
    ("phone:", "phone number, any format"),
    ("pc:", "postcode"),
    ("dob:", "date of birth, YYYY-MM-DD"),
    ("acct:", "account number"),
    ("ref:", "customer reference"),
    ("email:", "email address"),
];

/// Parse the search box. One bare word is a family-name prefix; two or more are a
/// given-name prefix then a family-name prefix. Returns `None` when there is nothing
/// to search for yet.
pub fn parse(input: &str) -> Option<SearchQuery> {
    let mut f = SearchQuery::default();
    let mut words: Vec<&str> = Vec::new();
    let mut any = false;
    // A field value runs to the next field prefix, so `phone:+44 7700 900123` works.
    let mut rest = input.trim();
    while !rest.is_empty() {
        if let Some((prefix, _)) = PREFIXES
            .iter()
            .find(|(p, _)| rest.to_lowercase().starts_with(p))
        {
            let after = &rest[prefix.len()..];
            let end = PREFIXES
                .iter()
                .filter_map(|(p, _)| after.to_lowercase().find(&format!(" {p}")))
                .min()
                .unwrap_or(after.len());
            let value = after[..end].trim().to_string();
            rest = after[end..].trim_start();
            if value.is_empty() {
                continue;
            }
            any = true;
            match *prefix {
                "phone:" => f.phone_number = Some(value),
                "pc:" => f.postcode = Some(value),
                "dob:" => f.date_of_birth = Some(value),
                "acct:" => f.account_number = Some(value),
                "ref:" => f.customer_ref = Some(value.to_uppercase()),
                _ => f.email_address = Some(value),
            }
        } else {
            let (word, tail) = rest.split_once(' ').unwrap_or((rest, ""));
            words.push(word);
            rest = tail.trim_start();
        }
    }
    match words.as_slice() {
        [] => {}
        [family] => f.family_name = Some(family.to_string()),
        [given, family @ ..] => {
            f.given_name = Some(given.to_string());
            f.family_name = Some(family.join(" "));
        }
    }
    (any || !words.is_empty()).then_some(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn parses_fields_and_names() {
        let f = parse("quart").unwrap();
        assert_eq!(f.family_name.as_deref(), Some("quart"));
        let f = parse("ada quart").unwrap();
        assert_eq!(
            (f.given_name.as_deref(), f.family_name.as_deref()),
            (Some("ada"), Some("quart"))
        );
        let f = parse("phone:+44 7700 900123").unwrap();
        assert_eq!(f.phone_number.as_deref(), Some("+44 7700 900123"));
        let f = parse("pc:SW1A 1AA dob:1984-03-09").unwrap();
        assert_eq!(f.postcode.as_deref(), Some("SW1A 1AA"));
        assert_eq!(f.date_of_birth.as_deref(), Some("1984-03-09"));
        let f = parse("ref:cr00000001").unwrap();
        assert_eq!(f.customer_ref.as_deref(), Some("CR00000001"));
        assert!(parse("   ").is_none());
        assert!(parse("phone:").is_none());
    }
}
