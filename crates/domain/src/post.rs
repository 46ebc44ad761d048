//! Posts: the essays themselves. `Post` is a stored post with everything a
//! reader or editor sees; `PostDraft` is a validated set of fields to create
//! or replace one with, built only from parsed values.

use chrono::{DateTime, Utc};

use crate::content::PostContent;
use crate::error::{FieldError, InvalidKind};
use crate::ids::{PostId, UserId};
use crate::markdown::TocEntry;
use crate::slug::Slug;
use crate::status::PostStatus;
use crate::taxonomy::{Author, Category, Tag};
use crate::values::{MetaDescription, MetaTitle, Summary, Title, WebUrl};

/// Largest Markdown source accepted: about 150,000 words, five times the
/// longest essay this CMS is for.
pub const MAX_MARKDOWN_BYTES: usize = 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeatureImage {
    pub url: WebUrl,
    pub alt: Option<String>,
    /// The uploaded media item its URL names, as it was when the post was
    /// last saved: its size, type and renditions. `None` for an image
    /// hosted elsewhere.
    pub media: Option<FeatureMedia>,
}

/// An uploaded media item shown as a feature image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeatureMedia {
    pub id: crate::MediaId,
    pub item: crate::media::MediaRef,
}

impl FeatureImage {
    /// An image at `url`, not yet matched with an uploaded item.
    pub fn new(url: WebUrl, alt: Option<String>) -> Self {
        Self { url, alt, media: None }
    }

    /// Its address: an upload's under `api_url`, the server's address now
    /// (the post may have been saved, or restored from, under another).
    pub fn address(&self, api_url: &str) -> String {
        match (&self.media, self.url.as_str().find("/media/")) {
            (Some(_), Some(at)) => format!("{api_url}{}", &self.url.as_str()[at..]),
            _ => self.url.as_str().to_owned(),
        }
    }

    /// Matched with the media item its URL names, if `catalog` has it.
    pub fn matched(mut self, catalog: &crate::media::Catalog) -> Self {
        self.media = crate::media::mentioned(self.url.as_str())
            .first()
            .and_then(|id| catalog.get(id).map(|item| FeatureMedia { id: *id, item: item.clone() }));
        self
    }
}

/// What a listing shows of a post: everything but the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostCard {
    pub id: PostId,
    pub slug: Slug,
    pub title: Title,
    /// The summary shown on cards: explicit or derived.
    pub summary: String,
    /// Whether `summary` was written by hand (else derived from the body).
    pub custom_summary: bool,
    pub word_count: u32,
    pub reading_time_minutes: u32,
    pub feature_image: Option<FeatureImage>,
    pub status: PostStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub category: Option<Category>,
    /// In order; the first is the primary tag.
    pub tags: Vec<Tag>,
    /// In order; the first is the primary author.
    pub authors: Vec<Author>,
    pub featured: bool,
    /// Grows by one on every change; the basis of optimistic locking.
    pub version: i64,
    /// The user who created it (ownership decides who may edit it).
    pub owner: Option<UserId>,
    /// Set while the post is in the trash.
    pub deleted_at: Option<DateTime<Utc>>,
}

impl PostCard {
    /// Whether the public may see it: published and not in the trash.
    pub fn is_public(&self) -> bool {
        self.status == PostStatus::Published && self.deleted_at.is_none()
    }

    /// What the role rules need to know about this post.
    pub fn facts(&self) -> crate::PostFacts {
        crate::PostFacts { owner: self.owner, status: self.status }
    }

    pub fn primary_tag(&self) -> Option<&Tag> {
        self.tags.first()
    }

    pub fn primary_author(&self) -> Option<&Author> {
        self.authors.first()
    }
}

/// What an article page shows beyond the card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostBody {
    pub markdown: String,
    pub html: String,
    pub toc: Vec<TocEntry>,
    pub canonical_url: Option<WebUrl>,
    pub meta_title: Option<MetaTitle>,
    pub meta_description: Option<MetaDescription>,
}

/// A stored post with its body and taxonomy resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Post {
    pub card: PostCard,
    pub body: PostBody,
}

/// Validated Markdown source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Markdown(String);

impl Markdown {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        if raw.len() > MAX_MARKDOWN_BYTES {
            return Err(FieldError::new("markdown", InvalidKind::TooLarge { max: MAX_MARKDOWN_BYTES }));
        }
        // NUL and the other characters XML forbids are removed, not refused:
        // pasted terminal output carries them, and no reader wants them.
        Ok(Self(crate::text::without_forbidden(raw).into_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The editable fields of a post, validated. Taxonomy is named by slug and
/// resolved (or created) by the store; the status moves through
/// [`crate::Lifecycle`], never by assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostDraft {
    pub title: Title,
    /// `None`: derive from the title, made unique with -2, -3 suffixes.
    pub slug: Option<Slug>,
    pub summary: Option<Summary>,
    pub markdown: Markdown,
    pub feature_image: Option<FeatureImage>,
    pub featured: bool,
    pub canonical_url: Option<WebUrl>,
    pub meta_title: Option<MetaTitle>,
    pub meta_description: Option<MetaDescription>,
    pub category: Option<Slug>,
    pub tags: Vec<Slug>,
    pub authors: Vec<Slug>,
}

impl PostDraft {
    /// A draft with only a title and a body; the rest at defaults.
    pub fn new(title: Title, markdown: Markdown) -> Self {
        Self {
            title,
            slug: None,
            summary: None,
            markdown,
            feature_image: None,
            featured: false,
            canonical_url: None,
            meta_title: None,
            meta_description: None,
            category: None,
            tags: Vec::new(),
            authors: Vec::new(),
        }
    }

    /// The slug to try first: the explicit one, else one from the title
    /// (a title of only punctuation falls back to "post").
    pub fn base_slug(&self) -> Slug {
        self.slug.clone().or_else(|| Slug::from_text(self.title.as_str())).unwrap_or_else(Slug::fallback)
    }

    pub fn render(&self) -> Result<PostContent, FieldError> {
        self.render_with(&crate::media::Catalog::new())
    }

    /// [`PostDraft::render`], with the media items the body shows.
    pub fn render_with(&self, catalog: &crate::media::Catalog) -> Result<PostContent, FieldError> {
        PostContent::render_with(self.markdown.as_str(), self.summary.as_ref(), catalog)
    }

    /// The media items the body and the feature image mention.
    pub fn mentioned_media(&self) -> Vec<crate::MediaId> {
        let mut ids = crate::media::mentioned(self.markdown.as_str());
        for id in self.feature_image.iter().flat_map(|f| crate::media::mentioned(f.url.as_str())) {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        ids
    }

    /// Tags, authors: duplicates would make "the first is primary" ambiguous
    /// and break unique keys, so they are dropped keeping the first place.
    pub fn dedup_taxonomy(&mut self) {
        dedup_keep_order(&mut self.tags);
        dedup_keep_order(&mut self.authors);
    }
}

fn dedup_keep_order(slugs: &mut Vec<Slug>) {
    let mut seen = std::collections::HashSet::new();
    slugs.retain(|slug| seen.insert(slug.clone()));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(title: &str) -> PostDraft {
        PostDraft::new(Title::parse(title).unwrap(), Markdown::parse("Body.").unwrap())
    }

    #[test]
    fn base_slug_prefers_explicit_then_title() {
        let mut d = draft("Go Channels Are Not Queues");
        assert_eq!(d.base_slug().as_str(), "go-channels-are-not-queues");
        d.slug = Some(Slug::parse("channels").unwrap());
        assert_eq!(d.base_slug().as_str(), "channels");
        assert_eq!(draft("???").base_slug().as_str(), "post");
    }

    #[test]
    fn taxonomy_duplicates_are_dropped_in_order() {
        let mut d = draft("T");
        d.tags = ["go", "runtime", "go"].map(|s| Slug::parse(s).unwrap()).to_vec();
        d.dedup_taxonomy();
        assert_eq!(d.tags.iter().map(Slug::as_str).collect::<Vec<_>>(), ["go", "runtime"]);
    }

    #[test]
    fn markdown_size_is_bounded() {
        assert!(Markdown::parse(&"a".repeat(MAX_MARKDOWN_BYTES)).is_ok());
        let err = Markdown::parse(&"a".repeat(MAX_MARKDOWN_BYTES + 1)).unwrap_err();
        assert_eq!(err.kind, InvalidKind::TooLarge { max: MAX_MARKDOWN_BYTES });
        assert_eq!(Markdown::parse("a\0b\u{1}c\u{ffff}\n").unwrap().as_str(), "abc\n", "XML-forbidden characters go");
    }
}
