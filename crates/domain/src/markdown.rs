//! Post bodies: CommonMark with GFM tables, strikethrough, task lists and
//! footnotes, rendered to HTML that is safe to serve as is, together with what
//! a post derives from its body (outline, length, image count, lead paragraph).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::{Deserialize, Serialize};

use crate::slug::slugify;
use budget::{Budget, OverBudget};
use nesting::Nesting;

pub mod budget;
mod nesting;

/// One heading of a rendered body, for a table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TocEntry {
    pub level: u8,
    pub text: String,
    pub id: String,
}

/// A rendered body. `html` is sanitised; the rest is plain data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub html: String,
    /// Headings h1..h6 in document order; each `id` is the one in `html`.
    pub toc: Vec<TocEntry>,
    /// Words of prose and code (whitespace-separated tokens); markup, raw HTML
    /// and image alt text do not count.
    pub word_count: u32,
    /// Markdown images (`![alt](src)`); `<img>` in raw HTML is not counted.
    pub image_count: u32,
    /// Plain text of the first top-level paragraph that has any text, or "".
    pub first_paragraph: String,
}

/// Heading ids fall back to this when a heading has nothing sluggable.
const FALLBACK_HEADING_ID: &str = "section";

/// Footnote ids get this prefix so that `[^1]` cannot collide with a heading
/// such as `# 1`, and so the sanitiser can tell footnote ids from raw HTML ids.
const FOOTNOTE_ID_PREFIX: &str = "fn-";

/// Built once: an ammonia builder is a dozen hash sets, too costly per post.
static SANITISER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(sanitiser);

/// Renders markdown to sanitised HTML in one pass over the event stream, which
/// also yields the table of contents, word and image counts and the lead.
/// Fails, before sanitising anything, when the body is over the markup budget.
pub fn render(markdown: &str) -> Result<Rendered, OverBudget> {
    let mut scan = Scan::default();
    let html = unsanitised_html(markdown, &mut scan)?;
    Ok(Rendered {
        html: SANITISER.clean(&html).to_string(),
        toc: scan.toc,
        word_count: scan.words.count,
        image_count: scan.image_count,
        first_paragraph: scan.first_paragraph.unwrap_or_default(),
    })
}

/// The HTML pulldown-cmark writes, nested no deeper than [`nesting::MAX_DEPTH`]
/// so that the sanitiser's parser stays linear, and within [`budget`] so that
/// its work stays small, with `scan` filled in.
fn unsanitised_html<'a>(markdown: &'a str, scan: &mut Scan<'a>) -> Result<String, OverBudget> {
    let mut events = Events {
        parser: Parser::new_ext(markdown, options()),
        budget: Budget::default(),
        scan,
        nesting: Nesting::default(),
        ready: Vec::new(),
        over: None,
    };
    let mut html = String::with_capacity(markdown.len() + markdown.len() / 2);
    pulldown_cmark::html::push_html(&mut html, &mut events);
    match events.over {
        Some(over) => Err(over),
        None => Ok(table_alignment_as_attribute(html)),
    }
}

/// The parser's events as the HTML writer takes them, one at a time: counted
/// against the budget (stopping at the first over it), scanned, and nested
/// within bounds. Only a heading's events wait, until its text gives it an
/// id; buffering the whole body took 120-200 MB for 1 MiB of dense Markdown.
struct Events<'a, 's> {
    parser: Parser<'a>,
    budget: Budget,
    scan: &'s mut Scan<'a>,
    nesting: Nesting,
    /// Filtered events to hand out, last first.
    ready: Vec<Event<'a>>,
    over: Option<OverBudget>,
}

impl<'a> Iterator for Events<'a, '_> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        loop {
            if let Some(event) = self.ready.pop() {
                return Some(event);
            }
            let Some(event) = self.parser.next() else {
                // Every heading ends before the body does; held events would be a bug.
                if self.scan.events.is_empty() {
                    return None;
                }
                self.release();
                continue;
            };
            if let Err(over) = self.budget.spend(&event) {
                self.over = Some(over);
                return None;
            }
            self.scan.observe(event);
            if self.scan.heading.is_none() {
                self.release();
            }
        }
    }
}

impl Events<'_, '_> {
    fn release(&mut self) {
        for event in self.scan.events.drain(..) {
            self.nesting.filter(event, &mut self.ready);
        }
        self.ready.reverse();
    }
}

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS | Options::ENABLE_FOOTNOTES
}

/// State gathered while walking the events. A heading's events are held
/// back because its id depends on its text, which arrives after its start.
#[derive(Default)]
struct Scan<'a> {
    events: Vec<Event<'a>>,
    ids: HeadingIds,
    toc: Vec<TocEntry>,
    words: WordCounter,
    image_count: u32,
    /// Inside an image every text event is alt text, which is not prose.
    image_depth: u32,
    /// Block quotes, lists and footnotes: paragraphs inside them are not a lead.
    container_depth: u32,
    heading: Option<OpenHeading>,
    paragraph: Option<String>,
    first_paragraph: Option<String>,
}

struct OpenHeading {
    /// Index of the heading's start event in `Scan::events`.
    start: usize,
    text: String,
}

impl<'a> Scan<'a> {
    fn observe(&mut self, event: Event<'a>) {
        match &event {
            Event::Text(text) | Event::Code(text) => self.text(text),
            Event::SoftBreak | Event::HardBreak => self.line_break(),
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(*tag),
            _ => {}
        }
        self.events.push(namespace_footnote(event));
        if let Some(TagEnd::Heading(level)) = self.events.last().and_then(end_tag) {
            self.finish_heading(level);
        }
    }

    fn text(&mut self, text: &str) {
        if self.image_depth > 0 {
            return;
        }
        self.words.add(text);
        for sink in [self.heading.as_mut().map(|h| &mut h.text), self.paragraph.as_mut()].into_iter().flatten() {
            sink.push_str(text);
        }
    }

    fn line_break(&mut self) {
        self.words.boundary();
        for sink in [self.heading.as_mut().map(|h| &mut h.text), self.paragraph.as_mut()].into_iter().flatten() {
            sink.push(' ');
        }
    }

    fn start(&mut self, tag: &Tag<'_>) {
        match tag {
            Tag::Heading { .. } => {
                self.heading = Some(OpenHeading { start: self.events.len(), text: String::new() });
            }
            Tag::Paragraph if self.container_depth == 0 && self.first_paragraph.is_none() => {
                self.paragraph = Some(String::new());
            }
            // A nested image is only alt text of the outer one: one <img>.
            Tag::Image { .. } if self.image_depth == 0 => self.image_count += 1,
            Tag::BlockQuote(_) | Tag::List(_) | Tag::FootnoteDefinition(_) => self.container_depth += 1,
            _ => {}
        }
        if let Tag::Image { .. } = tag {
            self.image_depth += 1;
        }
        if !is_inline(tag) {
            self.words.boundary();
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph => self.finish_paragraph(),
            TagEnd::Image => self.image_depth = self.image_depth.saturating_sub(1),
            TagEnd::BlockQuote(_) | TagEnd::List(_) | TagEnd::FootnoteDefinition => {
                self.container_depth = self.container_depth.saturating_sub(1);
            }
            _ => {}
        }
        if !is_inline_end(tag) {
            self.words.boundary();
        }
    }

    /// Runs after the end event is buffered, so the start event is patched in place.
    fn finish_heading(&mut self, level: HeadingLevel) {
        let Some(open) = self.heading.take() else {
            return;
        };
        let text = collapse_whitespace(&open.text);
        let id = self.ids.allocate(&text);
        if let Some(Event::Start(Tag::Heading { id: slot, .. })) = self.events.get_mut(open.start) {
            *slot = Some(CowStr::from(id.clone()));
        }
        self.toc.push(TocEntry { level: level as u8, text, id });
    }

    /// An image-only paragraph makes a useless lead, so the search goes on.
    fn finish_paragraph(&mut self) {
        let Some(text) = self.paragraph.take() else {
            return;
        };
        let text = collapse_whitespace(&text);
        if !text.is_empty() {
            self.first_paragraph = Some(text);
        }
    }
}

fn end_tag(event: &Event<'_>) -> Option<TagEnd> {
    match event {
        Event::End(tag) => Some(*tag),
        _ => None,
    }
}

/// Inline tags do not separate words: `**bold**ness` is one word.
fn is_inline(tag: &Tag<'_>) -> bool {
    is_inline_end(tag.to_end())
}

/// Images do separate words: their alt text is not part of the prose around them.
fn is_inline_end(tag: TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
    )
}

fn namespace_footnote(event: Event<'_>) -> Event<'_> {
    match event {
        Event::FootnoteReference(name) => Event::FootnoteReference(footnote_id(&name)),
        Event::Start(Tag::FootnoteDefinition(name)) => Event::Start(Tag::FootnoteDefinition(footnote_id(&name))),
        other => other,
    }
}

fn footnote_id(name: &str) -> CowStr<'static> {
    CowStr::from(format!("{FOOTNOTE_ID_PREFIX}{name}"))
}

fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Counts whitespace-separated tokens across text events, which pulldown-cmark
/// splits mid-word at inline markup and entities (`**bold**ness`, `AT&amp;T`).
#[derive(Default)]
struct WordCounter {
    count: u32,
    /// The last text ended inside a word, so text that starts with a
    /// non-space character continues that word rather than starting one.
    mid_word: bool,
}

impl WordCounter {
    fn add(&mut self, text: &str) {
        let tokens = text.split_whitespace().count();
        let continues = self.mid_word && text.starts_with(|c: char| !c.is_whitespace());
        let new_words = tokens - usize::from(continues);
        self.count = self.count.saturating_add(u32::try_from(new_words).unwrap_or(u32::MAX));
        if !text.is_empty() {
            self.mid_word = text.ends_with(|c: char| !c.is_whitespace());
        }
    }

    fn boundary(&mut self) {
        self.mid_word = false;
    }
}

/// Hands out heading ids unique within one document: `intro`, `intro-2`, ...
#[derive(Default)]
struct HeadingIds {
    taken: HashSet<String>,
    /// Where to resume suffixing each base, so many equal headings stay linear.
    next_suffix: HashMap<String, u32>,
}

impl HeadingIds {
    fn allocate(&mut self, heading_text: &str) -> String {
        let mut base = slugify(heading_text);
        if base.is_empty() {
            base = FALLBACK_HEADING_ID.to_owned();
        }
        if self.taken.insert(base.clone()) {
            return base;
        }
        let next = self.next_suffix.entry(base.clone()).or_insert(2);
        loop {
            let candidate = format!("{base}-{next}");
            *next += 1;
            // `# A 2` then `# A` then `# A` must not hand out `a-2` twice.
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
        }
    }
}

/// pulldown-cmark aligns table cells with a `style` attribute, which the
/// sanitiser forbids; `align` keeps the author's alignment without allowing CSS.
fn table_alignment_as_attribute(html: String) -> String {
    if !html.contains(" style=\"text-align: ") {
        return html;
    }
    ["left", "center", "right"]
        .iter()
        .fold(html, |html, side| html.replace(&format!(" style=\"text-align: {side}\""), &format!(" align=\"{side}\"")))
}

/// Ammonia's defaults (no script, style, iframe, object, embed or form; no
/// event handlers or style attributes) narrowed to web and mail URLs, plus what
/// the markdown extensions emit: heading and footnote ids, task-list
/// checkboxes, footnote and code-language classes.
fn sanitiser() -> ammonia::Builder<'static> {
    let mut builder = ammonia::Builder::default();
    builder
        .add_tags(&["input", "section"])
        .add_clean_content_tags(&["iframe", "object", "embed", "form", "noscript", "template"])
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer"))
        .id_prefix(None)
        .add_tag_attributes("code", &["class"])
        .add_tag_attributes("div", &["class", "id"])
        .add_tag_attributes("sup", &["class"])
        .add_tag_attributes("input", &["checked"])
        // Forced, so raw HTML cannot smuggle in a live text box.
        .set_tag_attribute_value("input", "type", "checkbox")
        .set_tag_attribute_value("input", "disabled", "")
        .attribute_filter(filter_attribute);
    for heading in ["h1", "h2", "h3", "h4", "h5", "h6"] {
        builder.add_tag_attributes(heading, &["id"]);
    }
    builder
}

/// Classes are allowed only where the renderer puts them, and ids on `div`
/// only for footnotes, so raw HTML cannot restyle the page or clobber its ids.
fn filter_attribute<'u>(element: &str, attribute: &str, value: &'u str) -> Option<Cow<'u, str>> {
    match (element, attribute) {
        ("code", "class") => keep_classes(value, is_language_class),
        ("div" | "sup", "class") => keep_classes(value, is_footnote_class),
        ("div", "id") => value.starts_with(FOOTNOTE_ID_PREFIX).then_some(Cow::Borrowed(value)),
        _ => Some(Cow::Borrowed(value)),
    }
}

fn keep_classes<'u>(value: &'u str, allowed: fn(&str) -> bool) -> Option<Cow<'u, str>> {
    let kept: Vec<&str> = value.split_ascii_whitespace().filter(|class| allowed(class)).collect();
    (!kept.is_empty()).then(|| Cow::Owned(kept.join(" ")))
}

fn is_language_class(class: &str) -> bool {
    class.strip_prefix("language-").is_some_and(|language| {
        !language.is_empty()
            && language.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '#' | '.' | '-'))
    })
}

fn is_footnote_class(class: &str) -> bool {
    matches!(class, "footnote-reference" | "footnote-definition" | "footnote-definition-label")
}

/// The words of a body as plain text, for the search index: prose, code
/// and alt text, with a space wherever a block, break or image separates
/// them, and no markup or raw HTML. The search snippet markers are removed
/// so a body cannot forge a highlight.
pub fn plain_text(markdown: &str) -> String {
    let mut text = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Text(t) | Event::Code(t) => text.extend(t.chars().filter(|c| !crate::search::is_marker(*c))),
            Event::Start(tag) if !is_inline(&tag) => text.push(' '),
            Event::End(tag) if !is_inline_end(tag) => text.push(' '),
            Event::SoftBreak | Event::HardBreak | Event::Html(_) | Event::InlineHtml(_) => text.push(' '),
            _ => {}
        }
    }
    collapse_whitespace(&text)
}

/// A file a Markdown body refers to by a path relative to itself:
/// `![diagram](./img/queue.png)`, `[the paper](paper.pdf)`, or a reference
/// definition `[fig]: img/fig.svg`. What an import uploads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalFile {
    /// As written (percent-encoding and all).
    pub dest: String,
    /// Where `dest` sits in the source, to put the uploaded address there.
    pub at: std::ops::Range<usize>,
    /// An image (else a link, kept only for files of a media type's extension).
    pub image: bool,
}

/// Links only count when they name a file of these extensions; a link to
/// `./other-post.md` is a link.
const MEDIA_EXTENSIONS: [&str; 9] = ["png", "jpg", "jpeg", "gif", "webp", "avif", "svg", "pdf", "jfif"];

/// Whether `dest` is a path relative to the file: no scheme, not absolute,
/// not a fragment or a query of the page itself.
pub(crate) fn is_relative_path(dest: &str) -> bool {
    let scheme = dest.split(['/', '?', '#']).next().is_some_and(|first| first.contains(':'));
    !dest.is_empty() && !scheme && !dest.starts_with(['/', '#', '?', '\\'])
}

/// The files `markdown` refers to by relative paths, in order (code spans
/// and blocks are not Markdown, so not looked in).
pub fn local_files(markdown: &str) -> Vec<LocalFile> {
    // Every image, link or definition has one of these: most posts of an
    // import are not parsed a second time.
    if !markdown.contains("](") && !markdown.contains("]:") {
        return Vec::new();
    }
    let media_extension = |dest: &str| {
        let path = dest.split(['?', '#']).next().unwrap_or(dest).to_ascii_lowercase();
        path.rsplit_once('.').is_some_and(|(_, ext)| MEDIA_EXTENSIONS.contains(&ext))
    };
    // `dest` inside `source`: after a `](` (inline) or `]:` (a definition),
    // past blanks and an opening `<`; the last such place (the alt text
    // before it may spell the same path).
    let locate = |source: &std::ops::Range<usize>, dest: &str, opener: &str| {
        let slice = &markdown[source.clone()];
        slice
            .match_indices(opener)
            .filter_map(|(at, _)| {
                let after = at + opener.len();
                let rest = &slice[after..];
                let skipped = rest.len() - rest.trim_start().len();
                let start = after + skipped + usize::from(rest.trim_start().starts_with('<'));
                slice[start..].starts_with(dest).then(|| source.start + start..source.start + start + dest.len())
            })
            .last()
    };
    let parser = Parser::new_ext(markdown, options());
    let mut found: Vec<LocalFile> = Vec::new();
    for (_, definition) in parser.reference_definitions().iter() {
        let dest = definition.dest.to_string();
        if is_relative_path(&dest)
            && let Some(at) = locate(&definition.span, &dest, "]:")
        {
            found.push(LocalFile { image: media_extension(&dest), dest, at });
        }
    }
    for (event, source) in parser.into_offset_iter() {
        let (dest, image) = match event {
            Event::Start(Tag::Image { dest_url, .. }) => (dest_url, true),
            Event::Start(Tag::Link { dest_url, .. }) => (dest_url, false),
            _ => continue,
        };
        if !is_relative_path(&dest) || (!image && !media_extension(&dest)) {
            continue;
        }
        if let Some(at) = locate(&source, &dest, "](") {
            found.push(LocalFile { dest: dest.to_string(), at, image });
        }
    }
    // A definition used by no image and naming no media file is a link.
    found.retain(|file| file.image || media_extension(&file.dest));
    found.sort_by_key(|file| file.at.start);
    found.dedup_by_key(|file| file.at.start);
    found
}

/// `text` with each range replaced (ranges in order, not overlapping).
pub fn replace_ranges(text: &str, replacements: &[(std::ops::Range<usize>, String)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (range, with) in replacements {
        out.push_str(&text[at..range.start]);
        out.push_str(with);
        at = range.end;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {

    #[test]
    fn files_named_by_relative_paths_are_found_where_they_are_written() {
        let md = "![img/a.png](img/a.png \"img/a.png\")\n\n[paper](../papers/p.pdf) [post](./other.md) \
                  [site](https://x.example/b.png) ![abs](/media/x/y.png) ![top](#top)\n\n\
                  ![fig][f] `![code](c.png)`\n\n```\n![block](d.png)\n```\n\n[f]: <./figures/f one.svg>\n";
        let found = local_files(md);
        let dests: Vec<(&str, bool)> = found.iter().map(|f| (f.dest.as_str(), f.image)).collect();
        assert_eq!(dests, [("img/a.png", true), ("../papers/p.pdf", false), ("./figures/f one.svg", true)]);
        for file in &found {
            assert_eq!(&md[file.at.clone()], file.dest, "the range is the destination itself");
        }
        let first = found[0].at.start;
        assert_eq!(first, md.find("](img/a.png").unwrap() + 2, "not the alt text, not the title");
        let replaced: Vec<_> = found.iter().map(|f| (f.at.clone(), format!("/media/{}", f.dest.len()))).collect();
        let out = replace_ranges(md, &replaced);
        assert!(out.starts_with("![img/a.png](/media/9 \"img/a.png\")"), "{out}");
        assert!(out.contains("[f]: </media/19>") && out.contains("[post](./other.md)"), "{out}");
    }
    use super::*;
    use proptest::prelude::*;

    fn html(markdown: &str) -> String {
        render(markdown).unwrap().html
    }

    /// The serializer is a patched copy (third_party/html5ever): every escape
    /// it makes, in text and in attributes, next to characters it must keep.
    #[test]
    fn escaping_keeps_every_character() {
        let out = html("AT&T <b>&amp;</b> 90\u{b0} \u{a9} \u{a0}&<>\"'\n\n![a&b \"q\" \u{b0}](/x?a=1&b=2)");
        assert_eq!(
            out,
            "<p>AT&amp;T <b>&amp;</b> 90\u{b0} \u{a9} &nbsp;&amp;&lt;&gt;\"'</p>\n\
             <p><img src=\"/x?a=1&amp;b=2\" alt=\"a&amp;b &quot;q&quot; \u{b0}\"></p>\n"
        );
        let many = "&".repeat(10_000);
        assert_eq!(html(&many), format!("<p>{}</p>\n", "&amp;".repeat(10_000)));
    }

    #[test]
    fn plain_text_keeps_prose_and_code_without_markup() {
        let md = "# Fences\n\nUse `sync.Mutex`, *not*<br>raw **HTML**.\n\n```go\nmu.Lock()\n```\n\n- one\n- two\n\n![a diagram](x.png)\u{E000}";
        assert_eq!(plain_text(md), "Fences Use sync.Mutex, not raw HTML. mu.Lock() one two a diagram");
    }

    #[test]
    fn empty_input_renders_nothing() {
        let rendered = render("").unwrap();
        assert_eq!(rendered.html, "");
        assert!(rendered.toc.is_empty());
        assert_eq!((rendered.word_count, rendered.image_count), (0, 0));
        assert_eq!(rendered.first_paragraph, "");
    }

    #[test]
    fn tables_render_with_alignment_but_no_style() {
        let out = html("| a | b |\n|---|:-:|\n| 1 | 2 |\n");
        assert!(out.contains("<table>"), "{out}");
        assert!(out.contains("<th>a</th>"), "{out}");
        assert!(out.contains(r#"<td align="center">2</td>"#), "{out}");
        assert!(!out.contains("style="), "{out}");
    }

    #[test]
    fn strikethrough_renders() {
        assert!(html("~~gone~~ kept").contains("<del>gone</del> kept"));
    }

    #[test]
    fn task_lists_render_disabled_checkboxes() {
        let out = html("- [x] done\n- [ ] todo\n");
        assert_eq!(out.matches("<input").count(), 2, "{out}");
        assert_eq!(out.matches(r#"type="checkbox""#).count(), 2, "{out}");
        assert_eq!(out.matches(r#"disabled="""#).count(), 2, "{out}");
        assert_eq!(out.matches("checked").count(), 1, "{out}");
    }

    #[test]
    fn raw_html_inputs_become_disabled_checkboxes() {
        let out = html(r#"<input type="text" name="q" value="x">"#);
        assert!(out.contains(r#"type="checkbox""#), "{out}");
        assert!(out.contains(r#"disabled="""#), "{out}");
        assert!(!out.contains("text") && !out.contains("name="), "{out}");
    }

    #[test]
    fn footnotes_link_to_their_definitions() {
        let out = html("A claim[^1].\n\n[^1]: The source.\n");
        assert!(out.contains(r##"<sup class="footnote-reference"><a href="#fn-1""##), "{out}");
        assert!(out.contains(r#"<div class="footnote-definition" id="fn-1">"#), "{out}");
        assert!(out.contains(r#"<sup class="footnote-definition-label">1</sup>"#), "{out}");
    }

    #[test]
    fn dangerous_elements_are_removed_with_their_content() {
        let out = html(concat!(
            "<script>alert(1)</script>\n\n",
            "<iframe src=\"https://evil.example\">frame</iframe>\n\n",
            "<style>body { display: none }</style>\n\n",
            "<object data=\"x.swf\">obj</object><embed src=\"x.swf\">\n\n",
            "<form action=\"/steal\"><button>go</button></form>\n\n",
            "safe",
        ))
        .to_lowercase();
        for banned in [
            "<script", "alert(1)", "<iframe", "frame", "<style", "display", "<object", "obj", "<embed", "<form",
            "steal",
        ] {
            assert!(!out.contains(banned), "{banned} in {out}");
        }
        assert!(out.contains("safe"), "{out}");
    }

    #[test]
    fn event_handlers_are_removed() {
        let out = html("<img src=x onerror=alert(1)>");
        assert!(!out.contains("onerror"), "{out}");
        assert!(!out.contains("alert"), "{out}");
        assert!(out.contains(r#"<img src="x">"#), "{out}");
    }

    #[test]
    fn style_attributes_are_removed() {
        let out = html(r#"<p style="position: fixed">x</p>"#);
        assert_eq!(out.trim_end(), "<p>x</p>");
    }

    #[test]
    fn javascript_urls_are_removed() {
        for markdown in [
            "[x](javascript:alert(1))",
            "[x](JaVaScRiPt:alert(1))",
            "<a href=\"&#106;avascript:alert(1)\">x</a>",
            "<a href=\" javascript:alert(1)\">x</a>",
            "![x](javascript:alert(1))",
        ] {
            let out = html(markdown).to_lowercase();
            assert!(!out.contains("javascript:"), "{markdown} -> {out}");
            assert!(!out.contains("href=") && !out.contains("src="), "{markdown} -> {out}");
        }
    }

    #[test]
    fn data_image_sources_are_removed() {
        for markdown in
            ["![pixel](data:image/png;base64,iVBORw0KGgo=)", "<img src=\"data:image/svg+xml,<svg/onload=alert(1)>\">"]
        {
            let out = html(markdown);
            assert!(!out.contains("data:"), "{markdown} -> {out}");
            assert!(!out.contains("src="), "{markdown} -> {out}");
        }
    }

    #[test]
    fn only_web_and_mail_schemes_survive() {
        let out = html("[a](https://a.example) [b](http://b.example) [c](mailto:c@example.com) [d](ftp://d.example)");
        assert!(out.contains(r#"href="https://a.example""#), "{out}");
        assert!(out.contains(r#"href="http://b.example""#), "{out}");
        assert!(out.contains(r#"href="mailto:c@example.com""#), "{out}");
        assert!(!out.contains("ftp:"), "{out}");
    }

    #[test]
    fn relative_and_fragment_links_survive_with_rel() {
        let out = html("[post](/posts/ebpf) [top](#intro)");
        assert!(out.contains(r#"<a href="/posts/ebpf" rel="noopener noreferrer">post</a>"#), "{out}");
        assert!(out.contains(r##"<a href="#intro" rel="noopener noreferrer">top</a>"##), "{out}");
    }

    #[test]
    fn code_keeps_language_classes_only() {
        let out = html("```rust\nfn main() {}\n```\n");
        assert!(out.contains(r#"<pre><code class="language-rust">fn main() {}"#), "{out}");
        assert_eq!(html(r#"<code class="evil">x</code>"#).trim_end(), "<p><code>x</code></p>");
        let mixed = html(r#"<pre><code class="language-c++ evil language-x&quot;y">x</code></pre>"#);
        assert!(mixed.contains(r#"<code class="language-c++">"#), "{mixed}");
        let out = html(r#"<div class="evil" id="main">x</div><p class="evil">y</p>"#);
        assert_eq!(out.trim_end(), "<div>x</div><p>y</p>");
    }

    #[test]
    fn headings_get_unique_ids() {
        let out = html("# Hello World\n\n## Hello World\n\n## Hello World\n\n### !!!\n\n#### ?\n");
        for tag in [
            r#"<h1 id="hello-world">"#,
            r#"<h2 id="hello-world-2">"#,
            r#"<h2 id="hello-world-3">"#,
            r#"<h3 id="section">"#,
            r#"<h4 id="section-2">"#,
        ] {
            assert!(out.contains(tag), "{tag} not in {out}");
        }
    }

    #[test]
    fn suffixes_skip_ids_already_taken() {
        let ids: Vec<String> = render("# A 2\n\n# A\n\n# A\n").unwrap().toc.into_iter().map(|entry| entry.id).collect();
        assert_eq!(ids, ["a-2", "a", "a-3"]);
    }

    #[test]
    fn toc_lists_headings_as_plain_text() {
        let toc = render("# The *fast* `path`\n\nText.\n\n### Déjà [vu](/x)\n\n> ## Quoted\n").unwrap().toc;
        let entry = |level, text: &str, id: &str| TocEntry { level, text: text.to_owned(), id: id.to_owned() };
        assert_eq!(
            toc,
            [entry(1, "The fast path", "the-fast-path"), entry(3, "Déjà vu", "deja-vu"), entry(2, "Quoted", "quoted")]
        );
    }

    #[test]
    fn word_count_includes_code_and_excludes_markup() {
        let markdown = concat!(
            "# Title here\n\n",                                 // 2
            "Some **bold**ness and `inline code`.\n\n",         // Some, boldness, and, inline, code. = 5
            "```rust\nlet x = 1;\n```\n\n",                     // let, x, =, 1; = 4
            "    indented block\n\n",                           // 2
            "![many alt words](https://img.example/a.png)\n\n", // 0
            "<div>raw html</div>\n",                            // 0
        );
        assert_eq!(render(markdown).unwrap().word_count, 13);
    }

    #[test]
    fn image_count_counts_rendered_images() {
        let markdown = "![a](a.png) text ![b](b.png)\n\n[![badge](c.svg)](https://ci.example)\n\n![outer ![inner](d.png)](e.png)\n";
        let rendered = render(markdown).unwrap();
        assert_eq!(rendered.image_count, 4);
        assert_eq!(rendered.html.matches("<img").count(), 4, "{}", rendered.html);
    }

    #[test]
    fn first_paragraph_is_plain_text_of_the_lead() {
        let rendered =
            render("# Heading\n\n**bold** and `code`\nnext  [line](/x)[^n]\n\nSecond.\n\n[^n]: note\n").unwrap();
        assert_eq!(rendered.first_paragraph, "bold and code next line");
    }

    #[test]
    fn first_paragraph_skips_nested_and_image_only_paragraphs() {
        assert_eq!(
            render("> quoted\n\n- item\n\n![alt](a.png)\n\nReal lead.\n").unwrap().first_paragraph,
            "Real lead."
        );
        assert_eq!(render("## Only a heading\n\n```\ncode\n```\n").unwrap().first_paragraph, "");
    }

    /// Attribute names and values as ammonia serialises them: every `<` left
    /// in its output opens a tag and every value is double-quoted.
    fn attributes(html: &str) -> Vec<(String, String)> {
        let mut found = Vec::new();
        for tag in html.split('<').skip(1) {
            let mut rest = tag.split_once([' ', '>']).map_or("", |(_, rest)| rest);
            while let Some((name, after)) = rest.split_once("=\"") {
                let Some((value, after)) = after.split_once('"') else {
                    break;
                };
                found.push((name.trim().to_lowercase(), value.to_lowercase()));
                rest = after;
                if !rest.starts_with(' ') {
                    break;
                }
            }
        }
        found
    }

    #[test]
    fn attribute_scanner_sees_every_attribute() {
        let found = attributes(r#"<p><a href="/x" rel="noopener noreferrer">a=" b</a><img src="y" alt="&quot;"></p>"#);
        let names: Vec<&str> = found.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, ["href", "rel", "src", "alt"]);
    }

    fn hostile_markdown() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("<script>alert(1)</script>".to_owned()),
            Just("<SCRIPT src=x>".to_owned()),
            Just("[x](javascript:alert(1))".to_owned()),
            Just("<a href=\"jav&#x09;ascript:alert(1)\">".to_owned()),
            Just("<img src=x onerror=alert(1)>".to_owned()),
            Just("![a](data:text/html,<script>)".to_owned()),
            Just("javascript:".to_owned()),
            Just("```js\n".to_owned()),
            Just("[^1]".to_owned()),
            Just("[^1]: ".to_owned()),
            Just("| a | b |\n|---|---|\n".to_owned()),
            Just("- [x] ".to_owned()),
            "[#*`<>\\[\\]()!~|:\"'= \n-]{1,6}",
            "[a-zA-Z ]{1,10}",
        ];
        prop::collection::vec(piece, 0..30).prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #[test]
        fn render_never_panics_and_output_is_safe(markdown in prop_oneof![any::<String>(), hostile_markdown()]) {
            let rendered = render(&markdown).unwrap();
            let lower = rendered.html.to_lowercase();
            prop_assert!(!lower.contains("<script"), "{}", rendered.html);
            // Prose may mention `javascript:`; only attribute values are code.
            for (name, value) in attributes(&rendered.html) {
                prop_assert!(!name.starts_with("on") && name != "style", "{name} in {}", rendered.html);
                let squeezed: String = value.chars().filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control()).collect();
                prop_assert!(!squeezed.starts_with("javascript:") && !squeezed.starts_with("data:"), "{value}");
            }
        }

        #[test]
        fn link_urls_never_keep_a_javascript_scheme(prefix in "([a-z]{1,8} ){0,3}", text in "[a-z]{1,5}") {
            let out = html(&format!("{prefix}[{text}](javascript:alert(1)) <a href=\"javascript:x\">{text}</a>"));
            prop_assert!(!out.to_lowercase().contains("javascript:"), "{}", out);
        }
    }
}
