//! Phone number normalisation used for search and duplicate detection.

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
}
