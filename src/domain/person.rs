//! A customer's name parts, company and date of birth.

use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};

use super::validate::{self, FieldError, FieldResult};

/// A person's name part (given or family name), NFC-normalised: letters of any script
/// with their combining marks (`José` typed decomposed, `शर्मा`), spaces, apostrophes,
/// hyphens and dots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub const MAX: usize = 100;

    pub fn parse(field: &str, value: &str) -> FieldResult<PersonName> {
        let v = validate::text(field, value, Self::MAX)?;
        let mut after_letter = false;
        for c in v.chars() {
            let ok = match c.general_category_group() {
                GeneralCategoryGroup::Letter => true,
                // A mark belongs to the letter before it.
                GeneralCategoryGroup::Mark => after_letter,
                _ => matches!(c, ' ' | '\'' | '-' | '.' | '\u{2019}'),
            };
            if !ok {
                return Err(FieldError::new(
                    field,
                    "may hold only letters, spaces, apostrophes, hyphens and dots",
                ));
            }
            after_letter = matches!(
                c.general_category_group(),
                GeneralCategoryGroup::Letter | GeneralCategoryGroup::Mark
            );
        }
        Ok(PersonName(v))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<PersonName> for String {
    fn from(v: PersonName) -> String {
        v.0
    }
}

/// A company name: any printable text up to 100 characters (empty clears it).
pub fn company(field: &str, value: &str) -> FieldResult<String> {
    validate::optional_text(field, value, 100)
}

/// A date of birth in `YYYY-MM-DD`, not in the future, after 1900.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateOfBirth(chrono::NaiveDate);

impl DateOfBirth {
    pub fn parse(field: &str, value: &str, today: chrono::NaiveDate) -> FieldResult<DateOfBirth> {
        let v = validate::text(field, value, 10)?;
        let d = chrono::NaiveDate::parse_from_str(&v, "%Y-%m-%d")
            .map_err(|_| FieldError::new(field, "must be a date as YYYY-MM-DD"))?;
        if d > today {
            return Err(FieldError::new(field, "must not be in the future"));
        }
        if d < chrono::NaiveDate::from_ymd_opt(1900, 1, 1).expect("valid date") {
            return Err(FieldError::new(field, "must be after 1900-01-01"));
        }
        Ok(DateOfBirth(d))
    }

    /// A date as a caller says it and an agent types it: `YYYY-MM-DD`, `DD/MM/YYYY`,
    /// `DD-MM-YYYY`, `DD.MM.YYYY`, `DD MM YYYY`, `DDMMYYYY` or `D Month YYYY` (`9 March
    /// 1984`, `9 Mar 1984`). For comparing, not storing: no range check.
    pub fn spoken(said: &str) -> Option<chrono::NaiveDate> {
        const FORMATS: [&str; 7] = [
            "%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %m %Y", "%d%m%Y", "%d %B %Y",
        ];
        FORMATS
            .iter()
            .find_map(|f| chrono::NaiveDate::parse_from_str(said.trim(), f).ok())
    }

    pub fn date(self) -> chrono::NaiveDate {
        self.0
    }
}

impl From<DateOfBirth> for String {
    fn from(v: DateOfBirth) -> String {
        v.0.format("%Y-%m-%d").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(f: &str, v: &str) -> FieldResult<String> {
        PersonName::parse(f, v).map(String::from)
    }

    #[test]
    fn names() {
        assert!(name("given", "Zoë O'Brien-Smith").is_ok());
        assert!(name("given", "x\u{7}").is_err());
        // Decomposed é is composed; Devanagari keeps its vowel signs and virama.
        assert_eq!(name("given", "Jose\u{301}").unwrap(), "Jos\u{e9}");
        assert!(name("family", "शर्मा").is_ok());
        assert!(name("family", "Łukasiewicz").is_ok());
        assert!(name("family", "O\u{2019}Neill").is_ok());
        for bad in [
            "\u{301}Jose",
            "Ada1",
            "Ada<b>",
            "Ada\u{202e}",
            "Ad\u{200b}a",
            "🙂",
        ] {
            assert_eq!(name("family", bad).unwrap_err().field, "family", "{bad:?}");
        }
        assert!(name("family", &"a".repeat(101)).is_err());
    }

    #[test]
    fn dates() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let dob = |v| DateOfBirth::parse("dob", v, today).map(String::from);
        assert_eq!(dob("1984-03-09").unwrap(), "1984-03-09");
        assert!(dob("2030-01-01").is_err());
        assert!(dob("09/03/1984").is_err());
        assert!(dob("1899-12-31").is_err());
        assert_eq!(
            DateOfBirth::spoken("09/03/1984"),
            chrono::NaiveDate::from_ymd_opt(1984, 3, 9)
        );
        assert!(DateOfBirth::spoken("March").is_none());
    }

    #[test]
    fn companies() {
        assert_eq!(company("company", "  ").unwrap(), "");
        assert!(company("company", "Acme\u{202e}").is_err());
        assert!(company("company", &"a".repeat(101)).is_err());
    }
}
