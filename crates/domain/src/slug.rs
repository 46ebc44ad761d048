//! URL slugs: the lowercase ASCII, hyphen-separated names of posts, tags,
//! categories and authors. `slugify` derives one from any text (transliterating
//! non-ASCII letters), `Slug::parse` accepts only what `slugify` could produce.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Longest slug accepted; long enough for a full essay title, short enough
/// for a URL and an index key.
pub const MAX_SLUG_LEN: usize = 120;

/// The longest suffix [`Slug::with_suffix`] adds: `-4294967295`.
const LONGEST_SUFFIX: usize = 11;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SlugError {
    #[error("must not be empty")]
    Empty,
    #[error("must be at most {MAX_SLUG_LEN} characters")]
    TooLong,
    #[error("may contain only lowercase ASCII letters, digits and single hyphens between them")]
    InvalidCharacters,
}

/// A validated slug: `[a-z0-9]+(-[a-z0-9]+)*`, at most [`MAX_SLUG_LEN`] bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);

impl Slug {
    pub fn parse(raw: &str) -> Result<Self, SlugError> {
        if raw.is_empty() {
            return Err(SlugError::Empty);
        }
        if raw.len() > MAX_SLUG_LEN {
            return Err(SlugError::TooLong);
        }
        let well_formed = raw
            .split('-')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
        if !well_formed {
            return Err(SlugError::InvalidCharacters);
        }
        Ok(Self(raw.to_owned()))
    }

    /// The slug derived from free text (a title, a name, a file name), or
    /// `None` when the text holds nothing sluggable (only punctuation, say).
    pub fn from_text(text: &str) -> Option<Self> {
        let slug = slugify(text);
        (!slug.is_empty()).then_some(Self(slug))
    }

    /// The slug for things whose name holds nothing sluggable.
    pub fn fallback() -> Self {
        Self("post".to_owned())
    }

    /// This slug with a numeric suffix (`go-channels-2`), kept within the
    /// length limit by trimming the base, never by cutting the suffix.
    pub fn with_suffix(&self, n: u32) -> Self {
        let suffix = format!("-{n}");
        let keep = MAX_SLUG_LEN.saturating_sub(suffix.len()).min(self.0.len());
        let base = self.0[..keep].trim_end_matches('-');
        Self(format!("{base}{suffix}"))
    }

    /// What every suffixed form of this slug begins with, to look up the
    /// taken ones by: `go-channels-` for `go-channels`, but for a slug so
    /// long that a suffix trims it, only the part no suffix ever trims
    /// (asking for `{self}-%` would miss the trimmed forms, and a writer
    /// would try the same taken slug again and again).
    pub fn suffix_stem(&self) -> String {
        if self.0.len() + LONGEST_SUFFIX <= MAX_SLUG_LEN {
            return format!("{}-", self.0);
        }
        // A trim may also drop the hyphen it ends on (slugs have no two in a row).
        self.0[..MAX_SLUG_LEN - LONGEST_SUFFIX - 1].to_owned()
    }

    /// The first of `self`, `self-2`, `self-3`, ... that `is_taken` rejects.
    pub fn first_free(&self, mut is_taken: impl FnMut(&Slug) -> bool) -> Self {
        if !is_taken(self) {
            return self.clone();
        }
        (2..).map(|n| self.with_suffix(n)).find(|candidate| !is_taken(candidate)).unwrap_or_else(|| self.clone())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Slug {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Slug {
    type Error = SlugError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Slug> for String {
    fn from(slug: Slug) -> Self {
        slug.0
    }
}

/// Lowercase ASCII words joined by single hyphens, at most [`MAX_SLUG_LEN`]
/// bytes and cut on a word boundary. Non-ASCII letters are transliterated
/// (`Tomás` -> `tomas`, `Straße` -> `strasse`); anything else separates words.
/// The result is empty when `text` has no letter or digit.
pub fn slugify(text: &str) -> String {
    let ascii = deunicode::deunicode(text);
    let mut out = String::with_capacity(ascii.len().min(MAX_SLUG_LEN));
    for word in ascii.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()) {
        let extra = usize::from(!out.is_empty()) + word.len();
        if out.len() + extra > MAX_SLUG_LEN {
            if out.is_empty() {
                out.push_str(&word[..MAX_SLUG_LEN].to_ascii_lowercase());
            }
            break;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&word.to_ascii_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn slugify_examples() {
        let cases = [
            (
                "Go Channels Are Synchronization Primitives, Not Queues",
                "go-channels-are-synchronization-primitives-not-queues",
            ),
            ("Memory That Fails Like a Cache", "memory-that-fails-like-a-cache"),
            ("  Tomás Álvarez  ", "tomas-alvarez"),
            ("Straße & Größe", "strasse-grosse"),
            ("C++ / Rust: async_await?", "c-rust-async-await"),
            ("sync.Mutex vs. RWMutex", "sync-mutex-vs-rwmutex"),
            ("eBPF", "ebpf"),
            ("!!!", ""),
            ("", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(slugify(input), expected, "slugify({input:?})");
        }
    }

    #[test]
    fn parse_rejects_malformed_slugs() {
        assert_eq!(Slug::parse(""), Err(SlugError::Empty));
        for bad in ["Go", "go--channels", "-go", "go-", "go channels", "go_channels", "tomás"] {
            assert_eq!(Slug::parse(bad), Err(SlugError::InvalidCharacters), "{bad:?}");
        }
        assert_eq!(Slug::parse(&"a".repeat(MAX_SLUG_LEN + 1)), Err(SlugError::TooLong));
        assert!(Slug::parse(&"a".repeat(MAX_SLUG_LEN)).is_ok());
    }

    #[test]
    fn first_free_appends_increasing_suffixes() {
        let base = Slug::parse("hello-world").unwrap();
        let taken = ["hello-world", "hello-world-2", "hello-world-3"];
        let free = base.first_free(|s| taken.contains(&s.as_str()));
        assert_eq!(free.as_str(), "hello-world-4");
        assert_eq!(base.first_free(|_| false), base);
    }

    #[test]
    fn the_stem_of_a_long_slug_is_what_no_suffix_trims() {
        let short = Slug::parse("hello-world").unwrap();
        assert_eq!(short.suffix_stem(), "hello-world-");
        let long = Slug::parse(&["word"; 24].join("-")).unwrap(); // 119 characters
        assert_eq!(long.with_suffix(2).as_str(), format!("{}-wor-2", ["word"; 23].join("-")));
        assert!(long.with_suffix(2).as_str().starts_with(&long.suffix_stem()));
        assert!(!long.with_suffix(2).as_str().starts_with(&format!("{long}-")), "why `{{slug}}-%` missed it");
    }

    #[test]
    fn suffix_stays_within_the_length_limit() {
        let long = Slug::parse(&"a".repeat(MAX_SLUG_LEN)).unwrap();
        let suffixed = long.with_suffix(12);
        assert!(suffixed.as_str().len() <= MAX_SLUG_LEN);
        assert!(suffixed.as_str().ends_with("-12"));
        assert!(Slug::parse(suffixed.as_str()).is_ok());
    }

    proptest! {
        #[test]
        fn slugify_output_is_empty_or_a_valid_slug(text in "\\PC{0,200}") {
            let slug = slugify(&text);
            prop_assert!(slug.is_empty() || Slug::parse(&slug).is_ok(), "{:?} -> {:?}", text, slug);
        }

        #[test]
        fn slugify_is_idempotent(text in "\\PC{0,200}") {
            let once = slugify(&text);
            prop_assert_eq!(slugify(&once), once.clone());
        }

        #[test]
        fn every_suffixed_form_begins_with_the_stem(
            raw in "[a-z0-9]{1,10}(-[a-z0-9]{1,10}){0,12}",
            n in prop_oneof![2_u32..20, Just(u32::MAX)],
        ) {
            prop_assume!(raw.len() <= MAX_SLUG_LEN);
            let slug = Slug::parse(&raw).unwrap();
            let suffixed = slug.with_suffix(n);
            prop_assert!(suffixed.as_str().starts_with(&slug.suffix_stem()), "{} {}", suffixed, slug.suffix_stem());
            prop_assert!(Slug::parse(suffixed.as_str()).is_ok());
        }

        #[test]
        fn valid_slugs_round_trip(slug in "[a-z0-9]{1,10}(-[a-z0-9]{1,10}){0,5}") {
            prop_assert_eq!(Slug::parse(&slug).map(String::from), Ok(slug));
        }
    }
}
