//! The search box's little language, forgiving of how a caller says things: free text
//! matches names by prefix (two words in either order), a bare phone number, date or
//! postcode searches by that field; `phone:`, `pc:`, `dob:`, `acct:`, `ref:` and
//! `email:` pick a field. What cannot be a search is refused in a sentence.

use super::person::DateOfBirth;
use super::phone;
use super::text::postcode_key;

/// What the search box asks for: every field a search may filter on. The client turns
/// it into the backend's search filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchQuery {
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    /// Two words, each a prefix of the given or the family name, in either order.
    pub name_words: Option<[String; 2]>,
    /// A whole postcode: matched ignoring case and spaces.
    pub postcode: Option<String>,
    /// The start of a postcode (an outward code such as `SW1A`), at least 2 characters.
    pub postcode_prefix: Option<String>,
    pub phone_number: Option<String>,
    /// `YYYY-MM-DD`.
    pub date_of_birth: Option<String>,
    pub account_number: Option<String>,
    /// The last four digits of an account number.
    pub account_last_four: Option<String>,
    pub customer_ref: Option<String>,
    pub email_address: Option<String>,
}

/// The field prefixes, with what each searches, for completion and help.
pub const PREFIXES: &[(&str, &str)] = &[
    ("phone:", "phone number, any format"),
    ("pc:", "postcode, or its first 2 or more characters"),
    (
        "dob:",
        "date of birth: 09/03/1984, 9 March 1984 or 1984-03-09",
    ),
    ("acct:", "account number, or its last 4 digits"),
    ("ref:", "customer reference"),
    ("email:", "email address"),
];

/// The query that lists the back-office directory (bankingservice's customers, oldest
/// first) in the results table instead of searching.
pub const DIRECTORY: &str = "dir:";

/// Whether `input` asks for the directory: `None` when it is not `dir:`, `Err` with a
/// sentence when it is `dir:` with more after it (the directory cannot be filtered).
pub fn directory(input: &str) -> Option<Result<(), String>> {
    let t = input.trim();
    let head = t.get(..DIRECTORY.len())?;
    if !head.eq_ignore_ascii_case(DIRECTORY) {
        return None;
    }
    let rest = t[DIRECTORY.len()..].trim();
    Some(if rest.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "The directory lists every customer, oldest first, and cannot be filtered: type {DIRECTORY} alone, or search without it."
        ))
    })
}

/// What text without a field prefix searches, for help.
pub const FREE_TEXT: &str = "name prefix (two words: either order), phone, date or postcode";

/// The shortest postcode prefix searched: one letter would match a whole region.
pub const POSTCODE_PREFIX_MIN: usize = 2;

/// A phone number as a search key: its national significant digits. One rule for the
/// search box and the server: 6 to 15 digits, no letters, at most 20 characters typed.
pub fn phone_key(typed: &str) -> Result<String, String> {
    let t = typed.trim();
    if t.chars().any(char::is_alphabetic) {
        return Err(format!(
            "“{t}” is not a phone number: it has letters in it."
        ));
    }
    let n = phone::national(t);
    if !(6..=15).contains(&n.len()) || t.chars().count() > 20 {
        return Err(format!(
            "“{t}” is not a phone number: a phone number has 6 to 15 digits."
        ));
    }
    Ok(n)
}

/// A postcode prefix as a search key (upper case, no spaces), at least
/// [`POSTCODE_PREFIX_MIN`] characters.
pub fn postcode_prefix_key(typed: &str) -> Result<String, String> {
    let k = postcode_key(typed);
    if k.chars().count() < POSTCODE_PREFIX_MIN {
        return Err(format!(
            "A postcode search needs at least {POSTCODE_PREFIX_MIN} characters, such as SW1A."
        ));
    }
    Ok(k)
}

/// Four digits: an account's last four.
pub fn is_last_four(v: &str) -> bool {
    v.len() == 4 && v.bytes().all(|b| b.is_ascii_digit())
}

/// A UK outward code: `A9`, `A99`, `AA9`, `AA99`, `A9A`, `AA9A` (no spaces, any case).
fn is_outward(w: &str) -> bool {
    let b = w.as_bytes();
    let letters = b.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    if !(1..=2).contains(&letters) || b.len() < letters + 1 || b.len() > letters + 2 {
        return false;
    }
    let rest = &b[letters..];
    rest[0].is_ascii_digit() && rest[1..].iter().all(|c| c.is_ascii_alphanumeric())
}

/// A UK inward code: `9AA`.
fn is_inward(w: &str) -> bool {
    let b = w.as_bytes();
    b.len() == 3 && b[0].is_ascii_digit() && b[1..].iter().all(|c| c.is_ascii_alphabetic())
}

/// A whole UK postcode, with or without its space.
fn is_full_postcode(v: &str) -> bool {
    let k = postcode_key(v);
    k.len() >= 5 && k.is_char_boundary(k.len() - 3) && {
        let (out, inw) = k.split_at(k.len() - 3);
        is_outward(out) && is_inward(inw)
    }
}

/// Only what a written phone number holds: digits, spaces, `+`, `-`, `.`, `(`, `)`.
fn looks_like_phone(v: &str) -> bool {
    v.chars().any(|c| c.is_ascii_digit())
        && v.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '.' | '(' | ')'))
}

/// A date of birth as typed (`09/03/1984`, `9 March 1984`, `1984-03-09`...), as
/// `YYYY-MM-DD`, checked as the server checks it.
fn date_key(typed: &str, today: chrono::NaiveDate) -> Result<String, String> {
    let t = typed.trim();
    let Some(d) = DateOfBirth::spoken(t) else {
        return Err(format!(
            "“{t}” is not a date; try 09/03/1984 or 9 March 1984."
        ));
    };
    let iso = d.format("%Y-%m-%d").to_string();
    DateOfBirth::parse("dob", &iso, today)
        .map(String::from)
        .map_err(|e| format!("{iso} cannot be a date of birth: it {}.", e.message))
}

/// A search the backend refused (its 400), in a sentence: the server's message names
/// a field as `filter.phoneNumber: ...`; the agent reads "phone number".
pub fn refusal(server_message: &str) -> String {
    let (field, why) = server_message
        .split_once(": ")
        .map_or(("", server_message), |(f, w)| (f, w));
    let field = field.strip_prefix("filter.").unwrap_or(field);
    let mut words = String::new();
    for c in field.chars() {
        if c.is_ascii_uppercase() {
            words.push(' ');
        }
        words.push(c.to_ascii_lowercase());
    }
    let why = why.trim().trim_end_matches('.');
    if words.is_empty() || words.contains(|c: char| !c.is_ascii_alphabetic() && c != ' ') {
        format!("The backend refused this search: {why}.")
    } else {
        format!("The backend refused this search: the {words} {why}.")
    }
}

/// Parse the search box as of today. `Ok(None)`: nothing to search for yet. `Err`: a
/// sentence saying why the input cannot be a search.
pub fn parse(input: &str) -> Result<Option<SearchQuery>, String> {
    parse_at(input, chrono::Local::now().date_naive())
}

/// [`parse`] with the date that bounds a date of birth.
pub fn parse_at(input: &str, today: chrono::NaiveDate) -> Result<Option<SearchQuery>, String> {
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
                "phone:" => {
                    phone_key(&value)?;
                    f.phone_number = Some(value);
                }
                "pc:" if is_full_postcode(&value) => f.postcode = Some(value),
                "pc:" => f.postcode_prefix = Some(postcode_prefix_key(&value)?),
                "dob:" => f.date_of_birth = Some(date_key(&value, today)?),
                "acct:" if is_last_four(&value) => f.account_last_four = Some(value),
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
    if !words.is_empty() {
        bare(&words.join(" "), &words, today, &mut f)?;
        any = true;
    }
    Ok(any.then_some(f))
}

/// Text without a field prefix: a date, a phone number, a postcode or names.
fn bare(
    text: &str,
    words: &[&str],
    today: chrono::NaiveDate,
    f: &mut SearchQuery,
) -> Result<(), String> {
    let all_digits = text.bytes().all(|b| b.is_ascii_digit());
    // Slashes are only ever a date's; a failed date among them is still said as one.
    if (!all_digits && DateOfBirth::spoken(text).is_some()) || text.contains('/') {
        f.date_of_birth = Some(date_key(text, today)?);
    } else if looks_like_phone(text) {
        if is_last_four(text) {
            return Err(format!(
                "Too short for a phone number; an account's last four: acct:{text}."
            ));
        }
        phone_key(text)?;
        f.phone_number = Some(text.to_string());
    } else if is_full_postcode(text) {
        f.postcode = Some(text.to_string());
    } else if let [w] = words
        && is_outward(w)
    {
        f.postcode_prefix = Some(postcode_key(w));
    } else {
        match words {
            [] => {}
            [family] => f.family_name = Some(family.to_string()),
            [a, b] => f.name_words = Some([a.to_string(), b.to_string()]),
            [given, family @ ..] => {
                f.given_name = Some(given.to_string());
                f.family_name = Some(family.join(" "));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2026, 12, 2).unwrap()
    }

    fn q(input: &str) -> SearchQuery {
        parse_at(input, today())
            .unwrap_or_else(|e| panic!("{input}: {e}"))
            .unwrap_or_else(|| panic!("{input}: nothing to search"))
    }

    fn refused(input: &str) -> String {
        parse_at(input, today()).expect_err(input)
    }

    #[test]
    fn dir_alone_asks_for_the_directory_and_dir_with_more_is_refused_in_words() {
        assert_eq!(directory("dir:"), Some(Ok(())));
        assert_eq!(directory("  DIR:  "), Some(Ok(())));
        assert_eq!(directory("smith"), None);
        assert_eq!(directory("di"), None);
        assert_eq!(directory("é"), None);
        let why = directory("dir: smith").unwrap().unwrap_err();
        assert!(why.contains("cannot be filtered"), "{why}");
    }

    #[test]
    fn parses_fields_and_names() {
        let f = q("quart");
        assert_eq!(f.family_name.as_deref(), Some("quart"));
        let f = q("ada mary quart");
        assert_eq!(
            (f.given_name.as_deref(), f.family_name.as_deref()),
            (Some("ada"), Some("mary quart"))
        );
        let f = q("phone:+44 7700 900123");
        assert_eq!(f.phone_number.as_deref(), Some("+44 7700 900123"));
        let f = q("pc:SW1A 1AA dob:1984-03-09");
        assert_eq!(f.postcode.as_deref(), Some("SW1A 1AA"));
        assert_eq!(f.date_of_birth.as_deref(), Some("1984-03-09"));
        let f = q("ref:cr00000001");
        assert_eq!(f.customer_ref.as_deref(), Some("CR00000001"));
        assert_eq!(parse_at("   ", today()), Ok(None));
        assert_eq!(parse_at("phone:", today()), Ok(None));
    }

    #[test]
    fn two_words_are_names_in_either_order() {
        for input in ["Quartermaine Ada", "ada quart"] {
            let f = q(input);
            let [a, b] = f.name_words.clone().expect(input);
            assert_eq!(format!("{a} {b}"), input);
            assert_eq!((f.given_name, f.family_name), (None, None));
        }
    }

    #[test]
    fn a_bare_phone_number_in_any_written_form() {
        for input in [
            "07700 900123",
            "07700900123",
            "+44 7700 900123",
            "(0)7700-900123",
            "+44 (0)7700 900123",
            "0044 7700 900 123",
            "07700.900.123",
        ] {
            let f = q(input);
            assert_eq!(f.phone_number.as_deref(), Some(input));
            assert_eq!(phone_key(input).as_deref(), Ok("7700900123"), "{input}");
        }
    }

    #[test]
    fn a_bare_date_searches_by_date_of_birth() {
        for input in [
            "09/03/1984",
            "9/3/1984",
            "9 March 1984",
            "9 mar 1984",
            "1984-03-09",
            "09-03-1984",
            "dob:9 March 1984",
            "dob:09/03/1984",
        ] {
            assert_eq!(
                q(input).date_of_birth.as_deref(),
                Some("1984-03-09"),
                "{input}"
            );
        }
    }

    #[test]
    fn postcodes_whole_and_by_prefix() {
        assert_eq!(q("SW1A").postcode_prefix.as_deref(), Some("SW1A"));
        assert_eq!(q("sw1a").postcode_prefix.as_deref(), Some("SW1A"));
        assert_eq!(q("M1").postcode_prefix.as_deref(), Some("M1"));
        assert_eq!(q("SW1A 1AA").postcode.as_deref(), Some("SW1A 1AA"));
        assert_eq!(q("sw1a1aa").postcode.as_deref(), Some("sw1a1aa"));
        assert_eq!(q("pc:SW").postcode_prefix.as_deref(), Some("SW"));
        assert_eq!(q("pc:sw1a 1").postcode_prefix.as_deref(), Some("SW1A1"));
        assert_eq!(q("pc:SW1A 1AA").postcode.as_deref(), Some("SW1A 1AA"));
        // A word without digits is a name, never a postcode.
        assert_eq!(q("Sw").family_name.as_deref(), Some("Sw"));
    }

    #[test]
    fn account_last_four() {
        assert_eq!(q("acct:0123").account_last_four.as_deref(), Some("0123"));
        assert_eq!(
            q("acct:12345678").account_number.as_deref(),
            Some("12345678")
        );
    }

    #[test]
    fn a_refused_search_in_words() {
        assert_eq!(
            refusal("filter.phoneNumber: must be a phone number of 6 to 15 digits"),
            "The backend refused this search: the phone number must be a phone number of 6 to 15 digits."
        );
        assert_eq!(
            refusal("unknown field `nameWords`"),
            "The backend refused this search: unknown field `nameWords`."
        );
    }

    #[test]
    fn what_cannot_be_a_search_says_so_in_a_sentence() {
        for (input, says) in [
            ("phone:0", "6 to 15 digits"),
            ("phone:07700 9OO123", "letters"),
            ("0770", "acct:0770"),
            ("pc:S", "at least 2 characters"),
            ("dob:31/02/1984", "not a date"),
            ("dob:1 March 2030", "future"),
            ("31/02/1984", "not a date"),
            ("0770 0900 1234 5678 9", "6 to 15 digits"),
        ] {
            let e = refused(input);
            assert!(e.contains(says), "{input}: {e}");
            assert!(e.ends_with('.'), "{input}: {e}");
            assert!(!e.contains("filter."), "{input}: {e}");
        }
    }
}
