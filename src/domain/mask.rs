//! Masking of personal data: at most the last four characters of a phone, email local
//! part or account number are shown.

/// `07700900123` -> `•••••••0123`; keeps separators so the shape stays readable.
pub fn phone(value: &str) -> String {
    tail(value, 4, |c| c.is_ascii_digit())
}

/// The last four digits behind a fixed-width mask, for tables: `••••0123`.
pub fn short(value: &str) -> String {
    let digits: Vec<char> = value.chars().filter(|c| c.is_ascii_digit()).collect();
    let last: String = digits[digits.len().saturating_sub(4)..].iter().collect();
    format!("••••{last}")
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
        assert_eq!(super::phone("07700900123"), "•••••••0123");
        assert_eq!(super::phone("+44 7700 900123"), "+•• •••• ••0123");
        assert_eq!(super::account("GB12345678"), "••••5678");
        assert_eq!(super::account("4929123456782620"), "••••2620");
        assert_eq!(super::email("ada.q@example.com"), "a•••@e•••.com");
        assert_eq!(super::email("bad"), "•••");
        assert_eq!(super::short("+44 7700 900123"), "••••0123");
    }
}
