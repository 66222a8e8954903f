//! Masking of personal data, one format per kind of value wherever it shows (screen,
//! bulk plan, audit):
//!
//! - phone: `+44 ••••••0123`: the country code when known, then a bullet for each digit
//!   of the national number but its last four (no trunk `0`, so `07700 900123` with
//!   country code 44 and `+447700900123` mask alike);
//! - email: `a•••@e•••.uk`;
//! - account number: `••••2620` (fixed width, so the length does not show).
//!
//! Free text whose digits are of no known kind (a server's message, a logged path)
//! keeps its shape with [`digits`].

use super::phone;

/// A phone as written: `+44 7700 900123` or `00447700900123` (country code known) ->
/// `+44 ••••••0123`; `07700900123` (no country code) -> `••••••0123`.
pub fn phone(value: &str) -> String {
    let trimmed = value.trim();
    let mut all: String = trimmed.chars().filter(|c| c.is_ascii_digit()).collect();
    let international = trimmed.starts_with('+') || all.starts_with("00");
    if all.starts_with("00") {
        all.drain(..2);
    }
    let national = phone::national(trimmed);
    let cc = if international {
        // What `national` dropped in front: the country code, then any trunk `0`.
        all.strip_suffix(national.as_str())
            .unwrap_or("")
            .trim_end_matches('0')
    } else {
        ""
    };
    if international && cc.is_empty() {
        // A country code the store does not know: all digits are the number.
        return masked("", &all);
    }
    masked(cc, &national)
}

/// A phone whose country calling code comes apart from it (Citi's parts, Relay's
/// contact methods, the add-phone form): `("44", "07700900123")` -> `+44 ••••••0123`.
/// An empty code masks as [`phone`] does.
pub fn phone_in(country_code: &str, value: &str) -> String {
    let cc: String = country_code
        .chars()
        .filter(|c| c.is_ascii_digit())
        .collect();
    let v = value.trim();
    if cc.is_empty() || v.starts_with('+') || v.starts_with("00") {
        return phone(v);
    }
    let digits: String = v.chars().filter(|c| c.is_ascii_digit()).collect();
    masked(&cc, &phone::national_of(&cc, "", &digits))
}

/// International digits without the `+` (bankingservice): `447700900123` ->
/// `+44 ••••••0123`.
pub fn phone_international(digits: &str) -> String {
    phone(&format!("+{}", digits.trim().trim_start_matches('+')))
}

fn masked(cc: &str, national: &str) -> String {
    let n = national.chars().count();
    let keep = n.min(4);
    let last: String = national.chars().skip(n - keep).collect();
    let prefix = if cc.is_empty() {
        String::new()
    } else {
        format!("+{cc} ")
    };
    format!("{prefix}{}{last}", "•".repeat(n - keep))
}

/// Digits of no known kind in free text: every digit but the last four becomes a
/// bullet and separators stay, so the shape stays readable: `07700900123` ->
/// `•••••••0123`.
pub fn digits(value: &str) -> String {
    tail(value, 4, |c| c.is_ascii_digit())
}

/// Account numbers keep their last four characters behind a fixed-width mask, so the
/// length does not show either: `4929123456782620` -> `••••2620`.
pub fn account(value: &str) -> String {
    let chars: Vec<char> = value
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let last: String = chars[chars.len().saturating_sub(4)..].iter().collect();
    format!("••••{last}")
}

/// `ada.quartermaine@example.com` -> `a•••@e•••.com`.
pub fn email(value: &str) -> String {
    let Some((local, domain)) = value.rsplit_once('@') else {
        return tail(value, 0, |_| true);
    };
    let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
    let (host, tld) = domain.rsplit_once('.').unwrap_or((domain, ""));
    let tld = if tld.is_empty() {
        String::new()
    } else {
        format!(".{tld}")
    };
    format!("{}•••@{}•••{}", first(local), first(host), tld)
}

/// Replace every `counts` character but the last `keep` with a bullet.
fn tail(value: &str, keep: usize, counts: impl Fn(char) -> bool) -> String {
    let total = value.chars().filter(|c| counts(*c)).count();
    let mut seen = 0;
    value
        .chars()
        .map(|c| {
            if counts(c) {
                seen += 1;
                if seen + keep > total { c } else { '•' }
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn masks() {
        assert_eq!(super::phone("07700900123"), "••••••0123");
        assert_eq!(super::phone("+44 7700 900123"), "+44 ••••••0123");
        assert_eq!(super::phone("+447700900123"), "+44 ••••••0123");
        assert_eq!(super::phone("00447700900123"), "+44 ••••••0123");
        assert_eq!(super::phone("+44 (0)7700 900123"), "+44 ••••••0123");
        assert_eq!(super::phone_in("44", "07700900123"), "+44 ••••••0123");
        assert_eq!(super::phone_in("+44", "7700900123"), "+44 ••••••0123");
        assert_eq!(super::phone_in("", "+447700900123"), "+44 ••••••0123");
        assert_eq!(super::phone_international("447700900123"), "+44 ••••••0123");
        assert_eq!(super::phone_in("1", "12025550199"), "+1 ••••••0199");
        assert_eq!(super::phone("+999 1234567"), "••••••4567");
        assert_eq!(super::phone("123"), "123");
        assert_eq!(super::phone(""), "");
        assert_eq!(super::digits("07700900123"), "•••••••0123");
        assert_eq!(super::account("GB12345678"), "••••5678");
        assert_eq!(super::account("4929123456782620"), "••••2620");
        assert_eq!(super::email("ada.q@example.com"), "a•••@e•••.com");
        assert_eq!(super::email("bad"), "•••");
    }
}
