//! Markdown files with YAML front matter, as static site generators (Hugo,
//! Jekyll, Zola, Astro, Eleventy) write them: what each key means, and the
//! post it describes. Keys are read generously (`date` for `published_at`,
//! `lastmod` for `updated_at`, `draft: true`, `categories: [...]`); values
//! are validated like any other input.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use yaml_rust2::{Yaml, YamlLoader};

use crate::post::{FeatureImage, Markdown, PostDraft};
use crate::slug::Slug;
use crate::status::PostStatus;
use crate::values::{Name, Summary, Title, WebUrl};

/// Why a file cannot be imported; shown next to its path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrontMatterError {
    #[error("the front matter is not valid YAML: {0}")]
    Yaml(String),
    #[error("the front matter is not a mapping of keys to values")]
    NotAMapping,
    #[error("the front matter has no title")]
    MissingTitle,
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
}

/// One file's post: its draft, its life-cycle facts, and the taxonomy by
/// the names the file uses (tags and categories are created under them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedPost {
    pub draft: PostDraft,
    pub status: PostStatus,
    pub published_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    pub category: Option<Name>,
    pub tags: Vec<Name>,
    /// A feature image given as a path relative to the file, and its alt
    /// text: the import uploads it.
    pub feature_image_file: Option<(String, Option<String>)>,
}

/// Split `---\n<yaml>\n---\n<body>`; a file without front matter is all body.
fn split(text: &str) -> (Option<&str>, &str) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(rest) = text.strip_prefix("---\n").or_else(|| text.strip_prefix("---\r\n")) else {
        return (None, text);
    };
    for (at, _) in rest.match_indices("\n---") {
        let after = &rest[at + 4..];
        if after.is_empty() || after.starts_with('\n') || after.starts_with("\r\n") {
            let body = after.trim_start_matches('\r').strip_prefix('\n').unwrap_or(after);
            return (Some(&rest[..at]), body);
        }
    }
    (None, text)
}

fn invalid(field: &'static str, reason: impl ToString) -> FrontMatterError {
    FrontMatterError::Invalid { field, reason: reason.to_string() }
}

/// A scalar as text (YAML reads `2026-03-10` or `42` as other types).
fn text(value: &Yaml) -> Option<String> {
    match value {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

fn strings(value: &Yaml) -> Vec<String> {
    match value {
        Yaml::Array(items) => items.iter().filter_map(text).collect(),
        other => text(other).into_iter().collect(),
    }
}

/// RFC 3339, `YYYY-MM-DD HH:MM[:SS]` (taken as UTC), or a bare date (midnight UTC).
pub fn parse_date(raw: &str) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(raw) {
        return Some(at.to_utc());
    }
    for format in ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"] {
        if let Ok(at) = NaiveDateTime::parse_from_str(raw, format) {
            return Some(at.and_utc());
        }
    }
    if let Ok(at) = DateTime::parse_from_str(raw, "%Y-%m-%d %H:%M:%S %z") {
        return Some(at.to_utc());
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok()?.and_hms_opt(0, 0, 0).map(|at| at.and_utc())
}

/// The first key present among `keys`.
fn get<'a>(map: &'a yaml_rust2::yaml::Hash, keys: &[&str]) -> Option<&'a Yaml> {
    keys.iter().find_map(|k| map.get(&Yaml::String((*k).to_owned()))).filter(|v| !matches!(v, Yaml::Null))
}

fn date(
    map: &yaml_rust2::yaml::Hash,
    keys: &[&str],
    field: &'static str,
) -> Result<Option<DateTime<Utc>>, FrontMatterError> {
    get(map, keys)
        .map(|v| text(v).and_then(|t| parse_date(&t)).ok_or_else(|| invalid(field, "is not a date")))
        .transpose()
}

fn status(map: &yaml_rust2::yaml::Hash) -> Result<PostStatus, FrontMatterError> {
    if let Some(raw) = get(map, &["status"]).and_then(text) {
        return raw.parse().map_err(|e: crate::FieldError| invalid("status", e.kind));
    }
    match get(map, &["draft"]) {
        Some(Yaml::Boolean(true)) => Ok(PostStatus::Draft),
        Some(Yaml::Boolean(false)) | None => Ok(PostStatus::Published),
        Some(_) => Err(invalid("draft", "must be true or false")),
    }
}

/// The post a file describes. `file_stem` names it when the front matter
/// has no slug.
pub fn parse(file_stem: &str, source: &str) -> Result<ImportedPost, FrontMatterError> {
    let (yaml, body) = split(source);
    let docs = YamlLoader::load_from_str(yaml.unwrap_or("")).map_err(|e| FrontMatterError::Yaml(e.to_string()))?;
    let empty = yaml_rust2::yaml::Hash::new();
    let map = match docs.first() {
        None | Some(Yaml::Null) => &empty,
        Some(Yaml::Hash(map)) => map,
        Some(_) => return Err(FrontMatterError::NotAMapping),
    };
    let title = get(map, &["title"]).and_then(text).ok_or(FrontMatterError::MissingTitle)?;
    let title = Title::parse(&title).map_err(|e| invalid("title", e.kind))?;
    let mut draft = PostDraft::new(title, Markdown::parse(body).map_err(|e| invalid("body", e.kind))?);
    let slug = get(map, &["slug"]).and_then(text).unwrap_or_else(|| crate::slug::slugify(file_stem));
    draft.slug = Some(Slug::parse(&slug).map_err(|e| invalid("slug", e))?);
    draft.summary = get(map, &["summary", "description", "excerpt"])
        .and_then(text)
        .map(|s| Summary::parse(&s).map_err(|e| invalid("summary", e.kind)))
        .transpose()?;
    let url = |field: &'static str, keys: &[&str]| {
        get(map, keys)
            .and_then(text)
            .map(|u| WebUrl::parse_field(field, &u).map_err(|e| invalid(field, e.kind)))
            .transpose()
    };
    let alt = get(map, &["feature_image_alt", "image_alt"])
        .and_then(text)
        .and_then(|alt| crate::AltText::parse(&alt).ok())
        .map(String::from);
    // A path relative to the file (`cover.jpg`) is for the import to upload.
    let feature_keys = ["feature_image", "image", "cover"];
    let mut feature_image_file = None;
    match get(map, &feature_keys).and_then(text) {
        Some(path) if crate::markdown::is_relative_path(&path) => feature_image_file = Some((path, alt)),
        _ => draft.feature_image = url("feature_image", &feature_keys)?.map(|url| FeatureImage::new(url, alt)),
    }
    draft.canonical_url = url("canonical_url", &["canonical_url", "canonical"])?;
    draft.featured = matches!(get(map, &["featured"]), Some(Yaml::Boolean(true)));
    draft.authors = get(map, &["authors", "author"])
        .map(strings)
        .unwrap_or_default()
        .iter()
        .filter_map(|a| Slug::from_text(a))
        .collect();
    let names = |raw: Vec<String>, field: &'static str| -> Result<Vec<Name>, FrontMatterError> {
        raw.iter().map(|n| Name::parse(n).map_err(|e| invalid(field, e.kind))).collect()
    };
    let tags = names(get(map, &["tags"]).map(strings).unwrap_or_default(), "tags")?;
    let category = match get(map, &["category"]).and_then(text) {
        Some(one) => Some(one),
        None => get(map, &["categories"]).map(strings).and_then(|all| all.into_iter().next()),
    };
    let category = category.map(|c| Name::parse(&c).map_err(|e| invalid("category", e.kind))).transpose()?;
    draft.tags = tags.iter().filter_map(|t| Slug::from_text(t.as_str())).collect();
    draft.category = category.as_ref().and_then(|c| Slug::from_text(c.as_str()));
    Ok(ImportedPost {
        status: status(map)?,
        published_at: date(map, &["published_at", "date", "pubDate", "publishDate"], "published_at")?,
        updated_at: date(map, &["updated_at", "lastmod", "updated", "modified"], "updated_at")?,
        draft,
        category,
        tags,
        feature_image_file,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const FILE: &str = "---\ntitle: \"Go Channels Are Not Queues\"\nslug: go-channels\ndescription: A summary.\ndate: 2026-05-12\nlastmod: 2026-05-13 10:30:00\ncategories: [Blog, Notes]\ntags: [Go Concurrency, memory-models]\nauthor: Mei Chen\nfeatured: true\n---\n# Heading\n\nBody text.\n";

    #[test]
    fn keys_and_their_aliases() {
        let post = parse("ignored", FILE).unwrap();
        assert_eq!(post.draft.title.as_str(), "Go Channels Are Not Queues");
        assert_eq!(post.draft.slug.as_ref().unwrap().as_str(), "go-channels");
        assert_eq!(post.draft.summary.as_ref().unwrap().as_str(), "A summary.");
        assert_eq!(post.published_at.unwrap().to_rfc3339(), "2026-05-12T00:00:00+00:00");
        assert_eq!(post.updated_at.unwrap().to_rfc3339(), "2026-05-13T10:30:00+00:00");
        assert_eq!(post.category.as_ref().unwrap().as_str(), "Blog");
        assert_eq!(post.draft.category.as_ref().unwrap().as_str(), "blog");
        let tags: Vec<&str> = post.draft.tags.iter().map(Slug::as_str).collect();
        assert_eq!(tags, ["go-concurrency", "memory-models"]);
        assert_eq!(post.tags[0].as_str(), "Go Concurrency");
        assert_eq!(post.draft.authors[0].as_str(), "mei-chen");
        assert!(post.draft.featured);
        assert_eq!(post.status, PostStatus::Published);
        assert_eq!(post.draft.markdown.as_str(), "# Heading\n\nBody text.\n");
    }

    #[test]
    fn slug_from_file_name_draft_flag_and_zones() {
        let post =
            parse("My First Post", "---\ntitle: Hello\ndraft: true\ndate: 2026-01-02T03:04:05+02:00\n---\nBody\n")
                .unwrap();
        assert_eq!(post.draft.slug.unwrap().as_str(), "my-first-post");
        assert_eq!(post.status, PostStatus::Draft);
        assert_eq!(post.published_at.unwrap().to_rfc3339(), "2026-01-02T01:04:05+00:00");
    }

    #[test]
    fn bad_files_say_why() {
        assert_eq!(
            parse("x", "---\ntitle: [unclosed\n---\nBody").unwrap_err().to_string().split(':').next(),
            Some("the front matter is not valid YAML")
        );
        assert_eq!(parse("x", "---\nslug: x\n---\nBody").unwrap_err(), FrontMatterError::MissingTitle);
        assert_eq!(parse("x", "No front matter at all.").unwrap_err(), FrontMatterError::MissingTitle);
        assert!(matches!(parse("x", "---\n- a\n- b\n---\n"), Err(FrontMatterError::NotAMapping)));
        let bad_date = parse("x", "---\ntitle: T\ndate: yesterday\n---\n").unwrap_err();
        assert_eq!(bad_date, FrontMatterError::Invalid { field: "published_at", reason: "is not a date".into() });
        let bad_status = parse("x", "---\ntitle: T\nstatus: live\n---\n").unwrap_err();
        assert!(matches!(bad_status, FrontMatterError::Invalid { field: "status", .. }));
    }

    proptest! {
        #[test]
        fn parse_never_panics(text in "\\PC{0,300}") {
            let _ = parse("file", &text);
            let _ = parse("file", &format!("---\n{text}\n---\nbody"));
        }
    }
}
