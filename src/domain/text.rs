//! Text folding used for case- and accent-insensitive name search.

/// Lower-case and transliterate to plain letters, so a search typed without accents
/// finds the name with them: `Zoë` -> `zoe`, `Straße` -> `strasse`, `Łukasz` ->
/// `lukasz`, `Čapek` -> `capek`. Other scripts fold to their transliteration on both
/// sides of a search alike. Characters the transliteration does not know are kept.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.trim().chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
            continue;
        }
        match deunicode::deunicode_char(c) {
            Some(t) => out.push_str(&t.to_lowercase()),
            None => out.extend(c.to_lowercase()),
        }
    }
    out.trim_end().to_string()
}

/// Postcodes compare without case or spaces.
pub fn postcode_key(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn folds() {
        assert_eq!(super::fold(" Zoë O’Brien "), "zoe o'brien");
        assert_eq!(super::fold("Straße"), "strasse");
        assert_eq!(super::postcode_key("sw1a 1aa"), "SW1A1AA");
    }

    #[test]
    fn folds_every_latin_accent() {
        assert_eq!(
            super::fold("Łukasz Čapek Šťastný Žižek"),
            "lukasz capek stastny zizek"
        );
        // Typed decomposed or composed, a name folds the same.
        assert_eq!(super::fold("Jose\u{301}"), super::fold("Jos\u{e9}"));
        assert_eq!(super::fold("José"), "jose");
        // A prefix of a name folds to a prefix of its fold.
        let full = super::fold("शर्मा");
        assert!(!full.is_empty());
        assert!(full.starts_with(&super::fold("शर्")), "{full}");
    }
}
