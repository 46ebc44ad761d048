//! Search queries as readers type them, parsed into terms both backends'
//! full-text engines can run: words, "quoted phrases", `prefix*` and words
//! with code characters (`sync.Mutex`, `go:linkname`), which become phrases
//! of their parts, the way both engines split them when indexing. Also the
//! markers that snippets come back with, turned into safe HTML here.

use std::fmt;

/// A query longer than this (in characters) is refused, not truncated.
pub const MAX_QUERY_CHARS: usize = 200;
/// At most this many terms: each one is an index lookup.
pub const MAX_TERMS: usize = 12;

/// Why a query cannot run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SearchQueryError {
    #[error("must contain at least one word")]
    Empty,
    #[error("must be at most {MAX_QUERY_CHARS} characters")]
    TooLong,
    #[error("must have at most {MAX_TERMS} terms")]
    TooManyTerms,
}

/// One term: a word, or a phrase of words that must be adjacent, in order.
/// With `prefix`, the last word matches any word it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    words: Vec<String>,
    prefix: bool,
}

impl Term {
    /// Lower-case, letters and digits only: nothing any engine reads as syntax.
    pub fn words(&self) -> &[String] {
        &self.words
    }

    pub fn is_prefix(&self) -> bool {
        self.prefix
    }
}

/// A parsed query: every term must match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    terms: Vec<Term>,
}

impl SearchQuery {
    pub fn parse(raw: &str) -> Result<Self, SearchQueryError> {
        if raw.chars().count() > MAX_QUERY_CHARS {
            return Err(SearchQueryError::TooLong);
        }
        let terms: Vec<Term> = pieces(raw).into_iter().filter_map(term).collect();
        match terms.len() {
            0 => Err(SearchQueryError::Empty),
            n if n > MAX_TERMS => Err(SearchQueryError::TooManyTerms),
            _ => Ok(Self { terms }),
        }
    }

    pub fn terms(&self) -> &[Term] {
        &self.terms
    }
}

impl fmt::Display for SearchQuery {
    /// The canonical form, e.g. `"memory model" sched*`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, term) in self.terms.iter().enumerate() {
            let sep = if i == 0 { "" } else { " " };
            let star = if term.prefix { "*" } else { "" };
            match term.words.as_slice() {
                [word] => write!(f, "{sep}{word}{star}")?,
                words => write!(f, "{sep}\"{}\"{star}", words.join(" "))?,
            }
        }
        Ok(())
    }
}

/// What the reader typed, cut into quoted phrases and bare tokens. An
/// unclosed quote runs to the end.
fn pieces(raw: &str) -> Vec<(&str, bool)> {
    let mut pieces = Vec::new();
    for (i, part) in raw.split('"').enumerate() {
        if i % 2 == 1 {
            pieces.push((part, true));
        } else {
            pieces.extend(part.split_whitespace().map(|token| (token, false)));
        }
    }
    pieces
}

/// A piece as a term: its words, and a prefix when a bare token ends in `*`
/// right after a letter or digit (a lone `*` is no term at all).
fn term((text, quoted): (&str, bool)) -> Option<Term> {
    let prefix = !quoted && text.ends_with('*') && text.trim_end_matches('*').ends_with(char::is_alphanumeric);
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .map(|w| w.to_lowercase().chars().filter(|c| c.is_alphanumeric()).collect::<String>())
        .filter(|w| !w.is_empty())
        .collect();
    (!words.is_empty()).then_some(Term { words, prefix })
}

/// Where a snippet's highlight starts and ends, as the database returns it:
/// private-use characters that [`crate::markdown::plain_text`] strips from
/// every indexed body, so only the engine can place them.
pub const MARK_START: char = '\u{E000}';
pub const MARK_END: char = '\u{E001}';

pub fn is_marker(c: char) -> bool {
    c == MARK_START || c == MARK_END
}

/// A snippet as HTML: the text escaped, each highlight in `<mark>`.
pub fn snippet_html(marked: &str) -> String {
    let mut html = String::with_capacity(marked.len() + 32);
    let mut open = false;
    for c in marked.chars() {
        match c {
            MARK_START if !open => {
                html.push_str("<mark>");
                open = true;
            }
            MARK_END if open => {
                html.push_str("</mark>");
                open = false;
            }
            MARK_START | MARK_END => {}
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '&' => html.push_str("&amp;"),
            '"' => html.push_str("&quot;"),
            other => html.push(other),
        }
    }
    if open {
        html.push_str("</mark>");
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn canonical(raw: &str) -> String {
        SearchQuery::parse(raw).unwrap().to_string()
    }

    #[test]
    fn words_phrases_prefixes_and_code_tokens() {
        assert_eq!(canonical("Memory  Model"), "memory model");
        assert_eq!(canonical("\"memory model\" fences"), "\"memory model\" fences");
        assert_eq!(canonical("sched*"), "sched*");
        assert_eq!(canonical("sync.Mutex"), "\"sync mutex\"");
        assert_eq!(canonical("go:linkname runtime.Gosched*"), "\"go linkname\" \"runtime gosched\"*");
        assert_eq!(canonical("\"unclosed phrase"), "\"unclosed phrase\"");
        assert_eq!(canonical("* ** x"), "x");
        assert_eq!(canonical("Ünïcode"), "ünïcode");
    }

    #[test]
    fn empty_long_and_crowded_queries_are_refused() {
        for empty in ["", "   ", "\"\"", "*", "-- ::", "\""] {
            assert_eq!(SearchQuery::parse(empty), Err(SearchQueryError::Empty), "{empty:?}");
        }
        assert_eq!(SearchQuery::parse(&"a".repeat(MAX_QUERY_CHARS + 1)), Err(SearchQueryError::TooLong));
        assert!(SearchQuery::parse(&"a".repeat(MAX_QUERY_CHARS)).is_ok());
        let crowded = (0..=MAX_TERMS).map(|i| format!("w{i}")).collect::<Vec<_>>().join(" ");
        assert_eq!(SearchQuery::parse(&crowded), Err(SearchQueryError::TooManyTerms));
    }

    #[test]
    fn snippets_escape_text_and_balance_marks() {
        assert_eq!(
            snippet_html("a <b> & \u{E000}Vec<T>\u{E001} \"q\""),
            "a &lt;b&gt; &amp; <mark>Vec&lt;T&gt;</mark> &quot;q&quot;"
        );
        assert_eq!(snippet_html("\u{E001}x\u{E000}y"), "x<mark>y</mark>");
    }

    proptest! {
        #[test]
        fn every_parsed_word_is_plain(raw in "\\PC{0,200}") {
            if let Ok(query) = SearchQuery::parse(&raw) {
                for term in query.terms() {
                    prop_assert!(!term.words().is_empty());
                    for word in term.words() {
                        prop_assert!(!word.is_empty() && word.chars().all(char::is_alphanumeric));
                    }
                }
            }
        }

        #[test]
        fn snippet_html_never_carries_a_tag_but_mark(raw in "[a-z<>&\"\u{E000}\u{E001} ]{0,64}") {
            let html = snippet_html(&raw);
            let stripped = html.replace("<mark>", "").replace("</mark>", "");
            prop_assert!(!stripped.contains('<') && !stripped.contains('>'));
            prop_assert_eq!(html.matches("<mark>").count(), html.matches("</mark>").count());
        }
    }
}
