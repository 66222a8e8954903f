//! Text from the backend is untrusted: before it reaches a widget, every control or
//! escape character is shown as visible escaped text and tabs are expanded.

use std::borrow::Cow;

/// Make `s` safe to draw: C0 and C1 controls, DEL and ESC become `\x1b`-style escapes,
/// tabs become spaces, bidi overrides become `\u{..}`. Returns the input unchanged (no
/// allocation) when it is already clean.
pub fn for_display(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\t' => out.push_str("    "),
            c if needs_escape(c) => {
                let n = c as u32;
                if n <= 0xff {
                    out.push_str(&format!("\\x{n:02x}"));
                } else {
                    out.push_str(&format!("\\u{{{n:04x}}}"));
                }
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    c.is_control() // C0, DEL, C1
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
}

#[cfg(test)]
mod tests {
    use super::for_display;
    #[test]
    fn escapes_everything_dangerous() {
        let hostile = "Ada\x1b]52;c;aGk=\x07\x1b[2J\x1bc\u{9b}31m\u{202e}";
        let shown = for_display(hostile);
        assert!(!shown.chars().any(|c| c.is_control()));
        assert_eq!(
            shown,
            "Ada\\x1b]52;c;aGk=\\x07\\x1b[2J\\x1bc\\x9b31m\\u{202e}"
        );
        assert_eq!(for_display("a\tb"), "a    b");
        assert!(matches!(
            for_display("plain"),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
