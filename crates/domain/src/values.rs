//! Small values that validate when built: once a `Title` or an `Email`
//! exists it is known to be well-formed, so nothing past the boundary handles
//! raw strings. Each `parse` names the field it refuses.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{FieldError, InvalidKind};

/// Without the characters XML forbids (removed), trimmed, non-empty, at
/// most `max` characters, and no other control characters (newlines only
/// where `multiline`).
fn bounded(field: &'static str, raw: &str, max: usize, multiline: bool) -> Result<String, FieldError> {
    let kept = crate::text::without_forbidden(raw);
    let text = kept.trim();
    if text.is_empty() {
        return Err(FieldError::new(field, InvalidKind::Empty));
    }
    if text.chars().count() > max {
        return Err(FieldError::new(field, InvalidKind::TooLong { max }));
    }
    let bad = |c: char| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t'));
    if text.chars().any(bad) {
        return Err(FieldError::new(field, InvalidKind::ControlCharacters));
    }
    Ok(text.to_owned())
}

macro_rules! text_value {
    ($(#[$doc:meta])* $name:ident, field = $field:literal, max = $max:literal, multiline = $ml:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub const MAX_CHARS: usize = $max;

            pub fn parse(raw: &str) -> Result<Self, FieldError> {
                bounded($field, raw, $max, $ml).map(Self)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl TryFrom<String> for $name {
            type Error = FieldError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }
    };
}

text_value!(
    /// A post title: one line.
    Title, field = "title", max = 300, multiline = false
);
text_value!(
    /// A person's, tag's or category's display name.
    Name, field = "name", max = 100, multiline = false
);
text_value!(
    /// An explicit post summary (the card text).
    Summary, field = "summary", max = 1000, multiline = true
);
text_value!(
    /// The `<title>` override for search engines.
    MetaTitle, field = "meta_title", max = 300, multiline = false
);
text_value!(
    /// The meta description override for search engines.
    MetaDescription, field = "meta_description", max = 500, multiline = true
);
text_value!(
    /// A feature image's alternative text: one line.
    AltText, field = "feature_image.alt", max = 1000, multiline = false
);
text_value!(
    /// An uploaded image's alternative text: one line.
    MediaAlt, field = "alt", max = 1000, multiline = false
);
text_value!(
    /// The caption shown under an uploaded image or file.
    Caption, field = "caption", max = 2000, multiline = true
);
text_value!(
    /// A short biography or description.
    Description, field = "description", max = 2000, multiline = true
);

/// An email address, normalised to lowercase. Deliberately permissive (one
/// `@`, a dotted domain, no spaces): the real test is that mail arrives.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let email = raw.trim().to_lowercase();
        let invalid = || FieldError::new("email", InvalidKind::Email);
        if email.is_empty() {
            return Err(FieldError::new("email", InvalidKind::Empty));
        }
        if email.len() > Self::MAX_LEN {
            return Err(FieldError::new("email", InvalidKind::TooLong { max: Self::MAX_LEN }));
        }
        let (local, domain) = email.split_once('@').ok_or_else(invalid)?;
        let domain_ok =
            domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.') && !domain.contains('@');
        if local.is_empty() || !domain_ok || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid());
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Email {
    // Emails are personal data: keep them out of debug logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Email(..)")
    }
}

impl TryFrom<String> for Email {
    type Error = FieldError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

/// An absolute http(s) URL, as for feature images, canonical URLs, avatars.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct WebUrl(String);

impl WebUrl {
    pub const MAX_LEN: usize = 2048;

    /// `field` names the input in the error, since URLs appear in many places.
    pub fn parse_field(field: &'static str, raw: &str) -> Result<Self, FieldError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(FieldError::new(field, InvalidKind::Empty));
        }
        if raw.len() > Self::MAX_LEN {
            return Err(FieldError::new(field, InvalidKind::TooLong { max: Self::MAX_LEN }));
        }
        match url::Url::parse(raw) {
            // Normalising can lengthen a URL (percent-encoding): check again.
            Ok(url) if url.as_str().len() > Self::MAX_LEN => {
                Err(FieldError::new(field, InvalidKind::TooLong { max: Self::MAX_LEN }))
            }
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => Ok(Self(url.into())),
            _ => Err(FieldError::new(field, InvalidKind::Url)),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for WebUrl {
    type Error = FieldError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse_field("url", &value)
    }
}

impl From<WebUrl> for String {
    fn from(value: WebUrl) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn titles_are_trimmed_and_bounded() {
        assert_eq!(Title::parse("  Memory Models  ").unwrap().as_str(), "Memory Models");
        assert_eq!(Title::parse("   ").unwrap_err().kind, InvalidKind::Empty);
        assert_eq!(Title::parse(&"x".repeat(301)).unwrap_err().kind, InvalidKind::TooLong { max: 300 });
        assert!(Title::parse(&"é".repeat(300)).is_ok(), "the limit counts characters, not bytes");
        assert_eq!(Title::parse("a\nb").unwrap_err().kind, InvalidKind::ControlCharacters);
        assert_eq!(Title::parse("a\u{7}b\u{0}").unwrap().as_str(), "ab", "what XML forbids is removed");
        assert_eq!(Title::parse("a\u{7f}b").unwrap_err().field, "title", "other control characters are refused");
        assert_eq!(Title::parse(" \u{1} ").unwrap_err().kind, InvalidKind::Empty);
        assert!(Summary::parse("line one\nline two").is_ok());
    }

    #[test]
    fn emails() {
        assert_eq!(Email::parse(" Jane.Doe@Example.COM ").unwrap().as_str(), "jane.doe@example.com");
        for bad in [
            "jane",
            "@example.com",
            "jane@",
            "jane@example",
            "jane@.com",
            "jane@com.",
            "ja ne@example.com",
            "a@b@c.com",
        ] {
            assert_eq!(Email::parse(bad).unwrap_err().kind, InvalidKind::Email, "{bad:?}");
        }
        assert_eq!(Email::parse("").unwrap_err().kind, InvalidKind::Empty);
        assert!(!format!("{:?}", Email::parse("jane@example.com").unwrap()).contains("jane"));
    }

    #[test]
    fn web_urls() {
        assert!(WebUrl::parse_field("canonical_url", "https://example.com/a?b=c").is_ok());
        let grows = format!("http://a/?{}", "\"".repeat(1000)); // 1010 bytes in, ~3010 once percent-encoded
        let err = WebUrl::parse_field("canonical_url", &grows).unwrap_err();
        assert_eq!(err.kind, InvalidKind::TooLong { max: WebUrl::MAX_LEN }, "normalising must not outgrow the limit");
        for bad in ["javascript:alert(1)", "data:text/html,x", "ftp://example.com", "/relative", "https://"] {
            let err = WebUrl::parse_field("canonical_url", bad).unwrap_err();
            assert_eq!((err.field, err.kind), ("canonical_url", InvalidKind::Url), "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn parsed_titles_are_trimmed_single_lines(raw in "\\PC{0,400}") {
            if let Ok(title) = Title::parse(&raw) {
                prop_assert_eq!(title.as_str(), title.as_str().trim());
                prop_assert!(!title.as_str().is_empty());
                prop_assert!(title.as_str().chars().count() <= Title::MAX_CHARS);
            }
        }

        #[test]
        fn email_parse_never_panics_and_normalises(raw in "\\PC{0,300}") {
            if let Ok(email) = Email::parse(&raw) {
                prop_assert_eq!(email.as_str().to_lowercase(), email.as_str());
                prop_assert!(email.as_str().contains('@'));
            }
        }
    }
}
