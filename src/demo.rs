//! The demo blog an empty database starts with: the blog Longform was made
//! for (its index is `../shared/demo-index.md` in the project's notes), as
//! ten essays in `demo/*.md`, newest first, and behind them a dozen posts
//! of the generated corpus, dated before the ten.

use chrono::{DateTime, Duration, TimeZone, Utc};
use longform_domain::frontmatter::{self, ImportedPost};
use longform_domain::slug::slugify;
use longform_domain::{Slug, Summary, Title};

use crate::corpus::{AUTHORS, post};
use crate::error::CliError;

/// The ten essays, newest first: file name and text.
pub const ESSAYS: [(&str, &str); 10] = [
    ("01-plausible-shapes.md", include_str!("../demo/01-plausible-shapes.md")),
    ("02-advisor-strategy.md", include_str!("../demo/02-advisor-strategy.md")),
    ("03-codegraph.md", include_str!("../demo/03-codegraph.md")),
    ("04-ai-memory.md", include_str!("../demo/04-ai-memory.md")),
    ("05-grep-not-rag.md", include_str!("../demo/05-grep-not-rag.md")),
    ("06-go-channels.md", include_str!("../demo/06-go-channels.md")),
    ("07-node-vs-go.md", include_str!("../demo/07-node-vs-go.md")),
    ("08-consistency-menu.md", include_str!("../demo/08-consistency-menu.md")),
    ("09-grpc-interceptors.md", include_str!("../demo/09-grpc-interceptors.md")),
    ("10-go-generics.md", include_str!("../demo/10-go-generics.md")),
];

/// How many corpus posts stand behind the ten, and by how many authors.
const CORPUS_POSTS: usize = 12;
const DEMO_AUTHORS: usize = 2;

/// The essays parsed, then the corpus posts moved to before the oldest essay.
pub fn posts() -> Result<Vec<ImportedPost>, CliError> {
    let mut posts = Vec::with_capacity(ESSAYS.len() + CORPUS_POSTS);
    for (file, text) in ESSAYS {
        let stem = file.trim_end_matches(".md");
        let parsed =
            frontmatter::parse(stem, text).map_err(|e| CliError::Invalid(format!("demo essay {file}: {e}")))?;
        posts.push(parsed);
    }
    // The corpus's newest post is 2026-06-20 09:00: a week before the
    // oldest essay instead, the rest keeping their spacing.
    let newest = Utc.with_ymd_and_hms(2026, 6, 20, 9, 0, 0).single().unwrap_or_default();
    let oldest_essay = Utc.with_ymd_and_hms(2026, 3, 18, 9, 0, 0).single().unwrap_or_default();
    let shift = newest - (oldest_essay - Duration::days(7));
    for i in 0..CORPUS_POSTS {
        let generated = post(i, DEMO_AUTHORS);
        let stem = generated.file_name.trim_end_matches(".md").to_owned();
        // The corpus names diagrams (/images/N.png) that the demo has no
        // files for: a frontend would show them broken.
        let text: String = generated.text.split_inclusive('\n').filter(|line| !line.contains("](/images/")).collect();
        let invalid = |e: &dyn std::fmt::Display| CliError::Invalid(format!("demo post {stem}: {e}"));
        let mut parsed = frontmatter::parse(&stem, &mend_articles(&text)).map_err(|e| invalid(&e))?;
        // Its titles are numbered, "(4)", to stay apart in a large corpus;
        // the demo's dozen are apart without.
        let title = parsed.draft.title.as_str().trim_end_matches(&format!(" ({})", i + 1)).to_owned();
        parsed.draft.slug = Some(Slug::parse(&slugify(&title)).map_err(|e| invalid(&e))?);
        parsed.draft.title = Title::parse(&title).map_err(|e| invalid(&e))?;
        // A summary is plain text: the corpus's `code` would show its backticks.
        if let Some(summary) = &parsed.draft.summary {
            parsed.draft.summary = Some(Summary::parse(&summary.as_str().replace('`', "")).map_err(|e| invalid(&e))?);
        }
        let earlier = |at: Option<DateTime<Utc>>| at.map(|at| at - shift);
        parsed.published_at = earlier(parsed.published_at);
        parsed.updated_at = earlier(parsed.updated_at);
        posts.push(parsed);
    }
    Ok(posts)
}

/// "a implicit" as "an implicit": the corpus's sentences put "a" before
/// any adjective. Acronyms and "u" words are left as they are.
fn mend_articles(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 256);
    let mut words = text.split_inclusive(' ').peekable();
    while let Some(word) = words.next() {
        let before_vowel = words.peek().is_some_and(|next| next.starts_with(['a', 'e', 'i', 'o']));
        let article = word.strip_suffix("a ").or_else(|| word.strip_suffix("A "));
        match article {
            Some(head) if before_vowel && (head.is_empty() || head.ends_with(['\n', '"'])) => {
                out.push_str(head);
                out.push_str(if word.ends_with("A ") { "An " } else { "an " });
            }
            _ => out.push_str(word),
        }
    }
    out
}

/// Fill an empty database with the demo blog, imported like any folder.
pub async fn load(store: &longform_persistence::Store) -> Result<usize, CliError> {
    if !store.posts().none_exist().await? {
        return Ok(0);
    }
    let posts = posts()?;
    let count = posts.len();
    let authors = AUTHORS
        .iter()
        .take(DEMO_AUTHORS)
        .map(|(name, slug, bio)| {
            let invalid = |e: longform_domain::FieldError| CliError::Invalid(e.to_string());
            Ok(longform_domain::NewAuthor {
                slug: longform_domain::Slug::parse(slug).map_err(|e| CliError::Invalid(e.to_string()))?,
                name: longform_domain::Name::parse(name).map_err(invalid)?,
                bio: Some(longform_domain::Description::parse(bio).map_err(invalid)?),
                avatar_url: None,
                website: None,
                links: Vec::new(),
                user_id: None,
                public: false,
            })
        })
        .collect::<Result<Vec<_>, CliError>>()?;
    let outcome = store.content().import(authors, posts, false).await?;
    if let Some(Err(e)) = outcome.posts.into_iter().find(Result::is_err) {
        return Err(CliError::Invalid(format!("demo content: {e}")));
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use longform_domain::PostContent;

    use super::*;

    /// The demo blog's index: the site description and, for each of the
    /// ten essays newest first, its date, reading time and summary.
    const INDEX: &str = include_str!("../demo/INDEX.md");

    /// The index's rows: date, minutes, summary.
    fn rows() -> Vec<(String, u32, String)> {
        INDEX
            .lines()
            .filter(|l| l.starts_with("| ") && l.as_bytes().get(2).is_some_and(u8::is_ascii_digit))
            .map(|l| {
                let cells: Vec<&str> = l.trim_matches('|').split(" | ").map(str::trim).collect();
                let minutes = cells[2].trim_end_matches(" min").parse().unwrap();
                (cells[1].to_owned(), minutes, cells[3].to_owned())
            })
            .collect()
    }

    #[test]
    fn the_index_has_ten_rows_and_the_description() {
        assert_eq!(rows().len(), 10);
        // The default description is the demo blog's (demo/INDEX.md's quote).
        assert!(INDEX.contains(&format!("> {}", crate::config::DEFAULT_SITE_DESCRIPTION)));
    }

    /// Every essay is what the index shows, comes out at its reading time,
    /// and is an essay of the kind the blog publishes: headings, code in
    /// several languages, a table and a footnote.
    #[test]
    fn the_ten_essays_match_the_index() {
        let mut problems = Vec::new();
        for ((file, text), (published, minutes, expected)) in ESSAYS.iter().zip(rows()) {
            let parsed = match frontmatter::parse(file.trim_end_matches(".md"), text) {
                Ok(parsed) => parsed,
                Err(e) => {
                    problems.push(format!("{file}: {e}"));
                    continue;
                }
            };
            let mut problem = |what: String| problems.push(format!("{file}: {what}"));
            let draft = &parsed.draft;
            let summary = draft.summary.as_ref().map(ToString::to_string).unwrap_or_default();
            if summary != expected {
                problem(format!("summary is {summary:?}"));
            }
            let date = parsed.published_at.map(|at| at.format("%Y-%m-%d").to_string()).unwrap_or_default();
            if date != published {
                problem(format!("published {date}, not {published}"));
            }
            if parsed.category.as_ref().map(ToString::to_string).as_deref() != Some("Blog") {
                problem("category is not Blog".into());
            }
            let rendered = PostContent::render(draft.markdown.as_str(), draft.summary.as_ref()).unwrap();
            if rendered.reading_time_minutes != minutes {
                let (low, high) = ((minutes - 1) * 250 + 1, minutes * 250);
                problem(format!(
                    "reads in {} min ({} words), not {minutes}: Longform counts {low}..={high} words (with no images) as {minutes} min",
                    rendered.reading_time_minutes, rendered.word_count
                ));
            }
            let markdown = draft.markdown.as_str();
            let title = draft.title.to_string();
            if title.contains('(') || title.len() < 12 {
                problem(format!("title {title:?}"));
            }
            if markdown.lines().filter(|l| l.starts_with("## ")).count() < 3 {
                problem("fewer than three ## headings".into());
            }
            let mut languages: Vec<&str> =
                markdown.lines().filter_map(|l| l.strip_prefix("```")).filter(|l| !l.trim().is_empty()).collect();
            languages.sort_unstable();
            languages.dedup();
            if languages.len() < 2 {
                problem(format!("code in fewer than two languages: {languages:?}"));
            }
            if !markdown.lines().any(|l| l.starts_with('|') && l.contains("---")) {
                problem("no table".into());
            }
            if !markdown.contains("[^") {
                problem("no footnote".into());
            }
            for slip in article_slips(markdown) {
                problem(format!("article slip? {slip:?}"));
            }
        }
        assert!(problems.is_empty(), "\n{}", problems.join("\n"));
    }

    /// "a atomic", "an bounded": an article before a lower-case word that
    /// takes the other one (acronyms such as "an SMT" are fine).
    fn article_slips(text: &str) -> Vec<String> {
        let words: Vec<&str> = text.split_whitespace().collect();
        let mut slips = Vec::new();
        for pair in words.windows(2) {
            let next = pair[1].trim_start_matches(|c: char| !c.is_alphanumeric());
            let Some(first) = next.chars().next().filter(char::is_ascii_lowercase) else { continue };
            let vowel = "aeio".contains(first);
            let exception =
                ["one", "once", "uni", "use", "usu", "uti", "eu", "hour", "honest"].iter().any(|e| next.starts_with(e));
            let article = pair[0].trim_start_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
            if (article == "a" && vowel && !exception) || (article == "an" && !vowel && !"uhx".contains(first)) {
                slips.push(pair.join(" "));
            }
        }
        slips
    }

    /// The posts behind the ten are the generated corpus's, but read as
    /// posts, not as a test fixture: no numbered titles, no article slips,
    /// and no images, which the demo has no files for.
    #[test]
    fn the_posts_behind_the_ten_read_as_posts() {
        let posts = posts().unwrap();
        let mut slugs: Vec<&str> = posts.iter().filter_map(|p| p.draft.slug.as_ref()).map(Slug::as_str).collect();
        slugs.sort_unstable();
        slugs.dedup();
        assert_eq!(slugs.len(), posts.len(), "every post has its own slug");
        for post in &posts {
            let title = post.draft.title.as_str();
            assert!(!title.ends_with(')'), "numbered title {title:?}");
            let summary = post.draft.summary.as_ref().map(ToString::to_string).unwrap_or_default();
            assert!(!summary.contains('`'), "a plain-text summary with Markdown's backticks: {summary:?}");
            let slips = article_slips(&format!("{title}\n{summary}\n{}", post.draft.markdown.as_str()));
            assert!(slips.is_empty(), "{title}: {slips:?}");
            let rendered = PostContent::render(post.draft.markdown.as_str(), None).unwrap();
            assert!(!rendered.html.contains("<img"), "{title}");
            assert!(post.feature_image_file.is_none() && post.draft.feature_image.is_none(), "{title}");
        }
    }

    #[test]
    fn the_corpus_posts_come_before_the_ten() {
        let posts = posts().unwrap();
        let oldest_essay = posts[..ESSAYS.len()].iter().filter_map(|p| p.published_at).min().unwrap();
        for post in &posts[ESSAYS.len()..] {
            assert!(post.published_at.unwrap() < oldest_essay, "{:?}", post.draft.title);
        }
    }
}
