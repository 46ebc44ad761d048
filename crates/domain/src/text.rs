//! Characters no text field keeps: the ones XML 1.0 forbids (C0 controls
//! but tab, newline and carriage return; U+FFFE and U+FFFF). One in a post
//! would make RSS and Atom not well-formed for every subscriber, and
//! PostgreSQL refuses NUL outright, so they are removed on input.

use std::borrow::Cow;

/// Whether XML 1.0 (§2.2, `Char`) forbids `c` in a document. Rust strings
/// hold no surrogates, so these are all there are.
pub fn is_xml_forbidden(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
}

/// `raw` without the characters XML 1.0 forbids; borrowed when it has none.
pub fn without_forbidden(raw: &str) -> Cow<'_, str> {
    if raw.contains(is_xml_forbidden) {
        Cow::Owned(raw.chars().filter(|c| !is_xml_forbidden(*c)).collect())
    } else {
        Cow::Borrowed(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn forbidden_characters_go_and_the_rest_stay() {
        assert_eq!(without_forbidden("a\u{1}b\u{0}c\u{b}\u{c}\u{1f}\u{fffe}\u{ffff}d"), "abcd");
        let kept = "tab\there\nnew\r\u{7f}\u{85}\u{d7ff}\u{e000}\u{fffd}\u{10000}";
        assert!(matches!(without_forbidden(kept), Cow::Borrowed(s) if s == kept));
    }

    proptest! {
        #[test]
        fn nothing_forbidden_survives(raw in any::<String>()) {
            let clean = without_forbidden(&raw);
            prop_assert!(!clean.chars().any(is_xml_forbidden));
            prop_assert_eq!(clean.chars().count(), raw.chars().filter(|c| !is_xml_forbidden(*c)).count());
        }
    }
}
