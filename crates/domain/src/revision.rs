//! Revisions: every change to a post keeps a copy of its Markdown and
//! metadata, who made it and when, so any earlier state can be restored.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::UserId;
use crate::post::{FeatureImage, Markdown, Post, PostDraft};
use crate::slug::Slug;
use crate::status::PostStatus;
use crate::values::{MetaDescription, MetaTitle, Summary, Title, WebUrl};

/// The metadata a revision keeps next to the Markdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevisionMetadata {
    pub slug: Slug,
    pub summary: Option<Summary>,
    pub status: String,
    pub category: Option<Slug>,
    pub tags: Vec<Slug>,
    pub authors: Vec<Slug>,
    pub feature_image_url: Option<WebUrl>,
    pub feature_image_alt: Option<String>,
    pub featured: bool,
    pub canonical_url: Option<WebUrl>,
    pub meta_title: Option<MetaTitle>,
    pub meta_description: Option<MetaDescription>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    pub number: u32,
    pub user_id: Option<UserId>,
    pub created_at: DateTime<Utc>,
    /// The last save folded into it (its creation when none was).
    pub updated_at: DateTime<Utc>,
    pub title: Title,
    pub markdown: String,
    pub metadata: RevisionMetadata,
}

impl RevisionMetadata {
    pub fn of(post: &Post) -> Self {
        let card = &post.card;
        Self {
            slug: card.slug.clone(),
            summary: card.custom_summary.then(|| Summary::parse(&card.summary).ok()).flatten(),
            status: card.status.as_str().to_owned(),
            category: card.category.as_ref().map(|c| c.slug.clone()),
            tags: card.tags.iter().map(|t| t.slug.clone()).collect(),
            authors: card.authors.iter().map(|a| a.slug.clone()).collect(),
            feature_image_url: card.feature_image.as_ref().map(|f| f.url.clone()),
            feature_image_alt: card.feature_image.as_ref().and_then(|f| f.alt.clone()),
            featured: card.featured,
            canonical_url: post.body.canonical_url.clone(),
            meta_title: post.body.meta_title.clone(),
            meta_description: post.body.meta_description.clone(),
        }
    }
}

impl Revision {
    /// The draft that puts this revision's content back (the status is not
    /// restored: restoring text never publishes or unpublishes).
    pub fn to_draft(&self) -> Result<PostDraft, crate::FieldError> {
        let meta = &self.metadata;
        Ok(PostDraft {
            title: self.title.clone(),
            slug: Some(meta.slug.clone()),
            summary: meta.summary.clone(),
            markdown: Markdown::parse(&self.markdown)?,
            feature_image: meta
                .feature_image_url
                .clone()
                .map(|url| FeatureImage::new(url, meta.feature_image_alt.clone())),
            featured: meta.featured,
            canonical_url: meta.canonical_url.clone(),
            meta_title: meta.meta_title.clone(),
            meta_description: meta.meta_description.clone(),
            category: meta.category.clone(),
            tags: meta.tags.clone(),
            authors: meta.authors.clone(),
        })
    }

    pub fn status(&self) -> Option<PostStatus> {
        self.metadata.status.parse().ok()
    }
}
