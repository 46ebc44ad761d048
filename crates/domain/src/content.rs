//! What a post's Markdown becomes: sanitised HTML, a table of contents, its
//! word count, its reading time and, when no summary is given, a derived one.

use crate::error::{FieldError, InvalidKind};
use crate::markdown::{self, TocEntry};
use crate::media::{self, Catalog};
use crate::values::Summary;

/// Reading speed for prose and code alike.
pub const WORDS_PER_MINUTE: u32 = 250;
/// Time a reader spends on the first image, as Ghost counts it; one second
/// less for each next one, never under [`MIN_SECONDS_PER_IMAGE`].
pub const FIRST_IMAGE_SECONDS: u32 = 12;
pub const MIN_SECONDS_PER_IMAGE: u32 = 3;

/// Seconds spent on `images` images: 12 + 11 + … + 4, then 3 each.
pub fn image_seconds(images: u32) -> u64 {
    let descending = images.min(FIRST_IMAGE_SECONDS - MIN_SECONDS_PER_IMAGE);
    let first = u64::from(FIRST_IMAGE_SECONDS);
    let sum: u64 = (0..u64::from(descending)).map(|i| first - i).sum();
    sum + u64::from(images - descending) * u64::from(MIN_SECONDS_PER_IMAGE)
}
/// Longest derived summary, in characters.
pub const SUMMARY_MAX_CHARS: usize = 280;

/// Reading time in whole minutes:
///
/// ```text
/// minutes = max(1, ceil(words / 250 wpm + image seconds / 60 s))
/// ```
///
/// where images count as Ghost counts them ([`image_seconds`]).
///
/// Code counts as words (readers of technical essays read it), so a listing
/// adds time like prose. Computed in integers (units of 1/250 s) so the
/// rounding is exact.
///
/// ```
/// use longform_domain::content::reading_time_minutes;
/// assert_eq!(reading_time_minutes(0, 0), 1);
/// assert_eq!(reading_time_minutes(250, 0), 1);
/// assert_eq!(reading_time_minutes(251, 0), 2);
/// assert_eq!(reading_time_minutes(244, 1), 2); // 58.56 s + 12 s
/// assert_eq!(reading_time_minutes(6000, 6), 25); // 24 min + 57 s of images (12 + 11 + … + 7)
/// assert_eq!(reading_time_minutes(6000, 7), 26); // and 6 s more
/// ```
pub fn reading_time_minutes(words: u32, images: u32) -> u32 {
    let units = u64::from(words) * 60 + image_seconds(images) * u64::from(WORDS_PER_MINUTE);
    let per_minute = 60 * u64::from(WORDS_PER_MINUTE);
    u32::try_from(units.div_ceil(per_minute)).unwrap_or(u32::MAX).max(1)
}

/// `text` cut to at most `max` characters on a word boundary, with an
/// ellipsis when anything was cut. A single overlong word is cut mid-word.
pub fn truncate_on_word(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let budget = max.saturating_sub(1); // room for the ellipsis
    let cut = text.char_indices().nth(budget).map_or(text.len(), |(i, _)| i);
    let head = &text[..cut];
    let on_boundary = text[cut..].starts_with(char::is_whitespace);
    let kept = match head.rfind(char::is_whitespace) {
        Some(space) if !on_boundary => &head[..space],
        _ => head,
    };
    format!("{}…", kept.trim_end_matches(|c: char| c.is_whitespace() || c.is_ascii_punctuation()))
}

/// A post's rendered Markdown and the figures derived from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostContent {
    pub markdown: String,
    pub html: String,
    pub toc: Vec<TocEntry>,
    pub word_count: u32,
    pub reading_time_minutes: u32,
    /// The explicit summary when one is given, else the first paragraph cut
    /// at [`SUMMARY_MAX_CHARS`] on a word boundary.
    pub summary: String,
}

impl PostContent {
    /// Fails on `markdown` when the body is over the markup budget
    /// ([`markdown::budget`]), before any of the costly work.
    pub fn render(markdown: &str, explicit_summary: Option<&Summary>) -> Result<Self, FieldError> {
        Self::render_with(markdown, explicit_summary, &Catalog::new())
    }

    /// [`PostContent::render`], with the images of media items in `catalog`
    /// given their size and responsive sources ([`media::responsive`]).
    pub fn render_with(
        markdown: &str,
        explicit_summary: Option<&Summary>,
        catalog: &Catalog,
    ) -> Result<Self, FieldError> {
        let rendered = markdown::render(markdown)
            .map_err(|over| FieldError::new("markdown", InvalidKind::Custom(over.explain())))?;
        let summary = match explicit_summary {
            Some(summary) => summary.as_str().to_owned(),
            None => truncate_on_word(&rendered.first_paragraph, SUMMARY_MAX_CHARS),
        };
        Ok(Self {
            markdown: markdown.to_owned(),
            reading_time_minutes: reading_time_minutes(rendered.word_count, rendered.image_count),
            html: if catalog.is_empty() { rendered.html } else { media::responsive(&rendered.html, catalog) },
            toc: rendered.toc,
            word_count: rendered.word_count,
            summary,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reading_time_rounds_up_and_counts_images() {
        assert_eq!(reading_time_minutes(1, 0), 1);
        assert_eq!(reading_time_minutes(500, 0), 2);
        assert_eq!(reading_time_minutes(501, 0), 3);
        assert_eq!(reading_time_minutes(0, 6), 1);
        assert_eq!(reading_time_minutes(0, 7), 2);
        assert_eq!(reading_time_minutes(3000, 0), 12);
        let most_seconds = 72 + (u64::from(u32::MAX) - 9) * 3;
        assert_eq!(
            reading_time_minutes(u32::MAX, u32::MAX),
            u32::try_from((u64::from(u32::MAX) * 60 + most_seconds * 250).div_ceil(15000)).unwrap()
        );
        let seconds: Vec<u64> = [0, 1, 2, 9, 10, 11].into_iter().map(image_seconds).collect();
        assert_eq!(seconds, [0, 12, 23, 72, 75, 78], "as Ghost counts them");
    }

    #[test]
    fn truncation_keeps_whole_words() {
        assert_eq!(truncate_on_word("short text", 280), "short text");
        assert_eq!(truncate_on_word("alpha beta gamma", 12), "alpha beta…");
        assert_eq!(truncate_on_word("alpha beta, gamma", 13), "alpha beta…");
        assert_eq!(truncate_on_word("supercalifragilistic", 6), "super…");
    }

    #[test]
    fn summary_is_explicit_else_first_paragraph() {
        let md = "# Heading\n\nThe **first** paragraph, with `code`.\n\nThe second.";
        let derived = PostContent::render(md, None).unwrap();
        assert_eq!(derived.summary, "The first paragraph, with code.");
        let explicit = Summary::parse("Hand-written.").unwrap();
        assert_eq!(PostContent::render(md, Some(&explicit)).unwrap().summary, "Hand-written.");
        let long = format!("{}\n", "word ".repeat(100));
        let cut = PostContent::render(&long, None).unwrap().summary;
        assert!(cut.chars().count() <= SUMMARY_MAX_CHARS && cut.ends_with("word…"), "{cut}");
    }

    proptest! {
        #[test]
        fn truncation_is_bounded_and_a_prefix(text in "\\PC{0,600}", max in 2usize..300) {
            let out = truncate_on_word(&text, max);
            prop_assert!(out.chars().count() <= max, "{:?}", out);
            let stem = out.trim_end_matches('…');
            prop_assert!(text.trim().starts_with(stem));
        }

        #[test]
        fn reading_time_grows_with_words(words in 0u32..1_000_000, images in 0u32..1000) {
            let t = reading_time_minutes(words, images);
            prop_assert!(t >= 1);
            // 250 more words are one more minute, except where the one-minute floor absorbed them.
            prop_assert!(reading_time_minutes(words + 250, images) > t || (t == 1 && words < 250));
        }
    }
}
