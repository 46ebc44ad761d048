//! How much HTML a body may render to, counted as it is parsed, before
//! anything is sanitised.
//!
//! Rendering costs little; sanitising the HTML costs in proportion to its
//! elements and escaped characters, not to the Markdown's bytes: on the
//! machine of BENCHMARKS.md about 2 µs for each element (twice that for a
//! link or an image, whose URL is parsed; 6 µs for a heading, which also
//! gets an id and a place in the outline) and 0.7 µs for each
//! `<`, `>` or `&` the parser reads back as a character reference. Two bytes
//! of Markdown (`a\n\n`, `- a`, a padded table cell) can make one element,
//! so a body within the byte limit could take seconds. A body is therefore
//! refused when its markup exceeds [`MAX_MARKUP`] (an element counts
//! [`ELEMENT_COST`], an escaped character one) or it has more than
//! [`MAX_HEADINGS`] headings, which bounds sanitising to about 150 ms.
//!
//! A 30-minute essay uses about 1 % of the budget; a whole megabyte of
//! prose with code, about half.

use pulldown_cmark::{CodeBlockKind, Event, Tag};

/// Markup units a body may render to.
pub const MAX_MARKUP: u32 = 200_000;

/// Units one HTML element counts, against one for an escaped character.
pub const ELEMENT_COST: u32 = 3;

/// Headings a body may have: each is an element, an id and an outline entry.
pub const MAX_HEADINGS: u32 = 1_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverBudget {
    Headings,
    Markup,
}

impl OverBudget {
    /// Said to the writer, after the field name.
    pub fn explain(self) -> String {
        match self {
            Self::Headings => format!("has more than {MAX_HEADINGS} headings"),
            Self::Markup => format!(
                "renders to too much HTML: each element counts {ELEMENT_COST} (a link, an image or a footnote {}) \
                 and each `<`, `>` or `&` 1, at most {MAX_MARKUP} in all; split it into several posts",
                2 * ELEMENT_COST
            ),
        }
    }
}

/// Markup spent so far by one body's events.
#[derive(Default)]
pub(super) struct Budget {
    markup: u32,
    headings: u32,
}

impl Budget {
    /// Counts `event`, failing at the first unit over the budget.
    pub(super) fn spend(&mut self, event: &Event<'_>) -> Result<(), OverBudget> {
        let units = match event {
            Event::Start(Tag::Heading { .. }) => {
                self.headings += 1;
                if self.headings > MAX_HEADINGS {
                    return Err(OverBudget::Headings);
                }
                ELEMENT_COST
            }
            // A link or an image has a URL, which the sanitiser parses; text in
            // attributes is escaped as text is.
            Event::Start(Tag::Link { dest_url, title, .. } | Tag::Image { dest_url, title, .. }) => {
                (2 * ELEMENT_COST).saturating_add(escaped(dest_url)).saturating_add(escaped(title))
            }
            // A definition is a block and its label; a reference, a label and its link.
            Event::Start(Tag::FootnoteDefinition(label)) | Event::FootnoteReference(label) => {
                (2 * ELEMENT_COST).saturating_add(escaped(label))
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => ELEMENT_COST.saturating_add(escaped(info)),
            Event::Start(_) | Event::Rule | Event::HardBreak | Event::TaskListMarker(_) => ELEMENT_COST,
            Event::Text(text) | Event::Code(text) | Event::InlineMath(text) | Event::DisplayMath(text) => escaped(text),
            // Every `<` in raw HTML may open an element.
            Event::Html(html) | Event::InlineHtml(html) => {
                count(html, b'<').saturating_mul(ELEMENT_COST).saturating_add(count(html, b'&'))
            }
            Event::End(_) | Event::SoftBreak => 0,
        };
        self.markup = self.markup.saturating_add(units);
        if self.markup > MAX_MARKUP {
            return Err(OverBudget::Markup);
        }
        Ok(())
    }
}

fn escaped(text: &str) -> u32 {
    let n = text.bytes().filter(|b| matches!(b, b'<' | b'>' | b'&')).count();
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn count(text: &str, byte: u8) -> u32 {
    u32::try_from(text.bytes().filter(|b| *b == byte).count()).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::Parser;

    fn check(markdown: &str) -> Result<(), OverBudget> {
        let mut budget = Budget::default();
        Parser::new_ext(markdown, crate::markdown::options()).try_for_each(|event| budget.spend(&event))
    }

    fn repeat(piece: &str, times: usize) -> String {
        piece.repeat(times)
    }

    #[test]
    fn headings_are_capped_on_their_own() {
        assert_eq!(check(&repeat("# a\n", MAX_HEADINGS as usize)), Ok(()));
        assert_eq!(check(&repeat("# a\n", MAX_HEADINGS as usize + 1)), Err(OverBudget::Headings));
    }

    #[test]
    fn elements_count_whatever_makes_them() {
        let per = (MAX_MARKUP / ELEMENT_COST) as usize;
        // Each paragraph is one element.
        assert_eq!(check(&repeat("a\n\n", per)), Ok(()));
        assert_eq!(check(&repeat("a\n\n", per + 1)), Err(OverBudget::Markup));
        // A list is one element and each item another.
        assert_eq!(check(&repeat("- a\n", per)), Err(OverBudget::Markup));
        assert_eq!(check(&repeat("- a\n", per - 1)), Ok(()));
        // Raw HTML: every `<`.
        assert_eq!(check(&format!("<div>\n{}\n</div>", repeat("<b>", per))), Err(OverBudget::Markup));
    }

    #[test]
    fn padded_table_cells_count() {
        let columns = 500;
        let head = format!("|{}\n|{}\n", " h |".repeat(columns), "---|".repeat(columns));
        // Every short row is padded to 500 cells.
        let rows = (MAX_MARKUP / ELEMENT_COST) as usize / columns;
        assert_eq!(check(&format!("{head}{}", repeat("| x |\n", rows + 1))), Err(OverBudget::Markup));
        assert_eq!(check(&format!("{head}{}", repeat("| x |\n", rows / 2))), Ok(()));
    }

    #[test]
    fn escaped_characters_count_one_each() {
        let max = MAX_MARKUP as usize;
        // One paragraph (one element) of `&`: the element's units leave room for max - 3.
        assert_eq!(check(&repeat("&", max - ELEMENT_COST as usize)), Ok(()));
        assert_eq!(check(&repeat("&", max)), Err(OverBudget::Markup));
        assert_eq!(check(&format!("```\n{}\n```\n", repeat("<", max))), Err(OverBudget::Markup));
    }

    #[test]
    fn escaped_characters_in_attributes_count() {
        let max = MAX_MARKUP as usize;
        assert_eq!(check(&format!("[a](/{})", repeat("&", max))), Err(OverBudget::Markup));
        assert_eq!(check(&format!("![a](/ \"{}\")", repeat("<", max))), Err(OverBudget::Markup));
        assert_eq!(check(&format!("```{}\ncode\n```\n", repeat("&", max))), Err(OverBudget::Markup));
        assert_eq!(check(&format!("[a](/{})", repeat("&", max / 2))), Ok(()));
    }

    #[test]
    fn footnotes_count_label_and_link() {
        let refs = (MAX_MARKUP / (2 * ELEMENT_COST)) as usize;
        let body = format!("[^a]: note\n\n{}", repeat("[^a]", refs));
        assert_eq!(check(&body), Err(OverBudget::Markup));
    }

    #[test]
    fn prose_costs_nothing_but_its_paragraphs() {
        let essay = repeat("The scheduler parks the thread, and the waker unparks it.\n\n", 17_000);
        assert!(essay.len() > 1_000_000);
        assert_eq!(check(&essay), Ok(()));
    }
}
