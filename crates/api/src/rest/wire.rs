//! The JSON shapes of the public API, built from domain values. Each type
//! lists exactly what the public may see: an author here has no email, role
//! or account, because the type has no such field.

use chrono::{DateTime, Utc};
use longform_domain::{Author, Category, FeatureImage, Post, PostCard, Tag, TocEntry};
use longform_persistence::Counted;
use serde::Serialize;

use crate::site::Site;

#[derive(Debug, Serialize)]
pub struct TermRef {
    pub slug: String,
    pub name: String,
}

impl TermRef {
    fn tag(tag: &Tag) -> Self {
        Self { slug: tag.slug.to_string(), name: tag.name.to_string() }
    }

    fn category(category: &Category) -> Self {
        Self { slug: category.slug.to_string(), name: category.name.to_string() }
    }
}

#[derive(Debug, Serialize)]
pub struct AuthorRef {
    pub slug: String,
    pub name: String,
    pub avatar_url: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct FeatureImageJson {
    pub url: String,
    pub alt: Option<String>,
    /// Known when the image is an uploaded media item (else null): its
    /// size, type and length, and a `srcset` of its WebP renditions with
    /// the `sizes` the post HTML uses.
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub content_type: Option<String>,
    pub bytes: Option<u64>,
    pub srcset: Option<String>,
    pub sizes: Option<&'static str>,
}

impl FeatureImageJson {
    pub fn new(image: &FeatureImage, api_url: &str) -> Self {
        let url = image.address(api_url);
        let item = image.media.as_ref().map(|media| &media.item);
        let srcset = item.and_then(|item| item.srcset(&url));
        Self {
            width: item.and_then(|item| item.width),
            height: item.and_then(|item| item.height),
            content_type: item.map(|item| item.content_type.clone()),
            bytes: item.map(|item| item.bytes),
            sizes: srcset.as_ref().map(|_| longform_domain::media::IMAGE_SIZES),
            srcset,
            alt: image.alt.clone(),
            url,
        }
    }
}

/// A post as the blog index shows it: no body.
#[derive(Debug, Serialize)]
pub struct CardJson {
    pub id: String,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub published_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub reading_time_minutes: u32,
    pub word_count: u32,
    pub category: Option<TermRef>,
    pub primary_tag: Option<TermRef>,
    pub tags: Vec<TermRef>,
    pub authors: Vec<AuthorRef>,
    pub feature_image: Option<FeatureImageJson>,
    pub featured: bool,
    pub url: String,
}

impl CardJson {
    pub fn new(card: &PostCard, site: &Site) -> Self {
        Self {
            id: card.id.to_string(),
            slug: card.slug.to_string(),
            title: card.title.to_string(),
            summary: card.summary.clone(),
            published_at: card.published_at,
            updated_at: card.updated_at,
            reading_time_minutes: card.reading_time_minutes,
            word_count: card.word_count,
            category: card.category.as_ref().map(TermRef::category),
            primary_tag: card.primary_tag().map(TermRef::tag),
            tags: card.tags.iter().map(TermRef::tag).collect(),
            authors: card
                .authors
                .iter()
                .map(|a| AuthorRef {
                    slug: a.slug.to_string(),
                    name: a.name.to_string(),
                    avatar_url: a.avatar_url.as_ref().map(|u| u.as_str().to_owned()),
                })
                .collect(),
            feature_image: card.feature_image.as_ref().map(|image| FeatureImageJson::new(image, &site.api_url)),
            featured: card.featured,
            url: site.post_url(card.slug.as_str()),
        }
    }
}

/// A post as its article page shows it.
#[derive(Debug, Serialize)]
pub struct PostJson {
    #[serde(flatten)]
    pub card: CardJson,
    pub html: String,
    pub toc: Vec<TocEntry>,
    pub canonical_url: Option<String>,
    pub meta_title: Option<String>,
    pub meta_description: Option<String>,
    pub related: Vec<CardJson>,
}

impl PostJson {
    pub fn new(post: &Post, related: &[PostCard], site: &Site) -> Self {
        Self {
            card: CardJson::new(&post.card, site),
            html: crate::media::absolute_media(&post.body.html, &site.api_url).into_owned(),
            toc: post.body.toc.clone(),
            canonical_url: post.body.canonical_url.as_ref().map(|u| u.as_str().to_owned()),
            meta_title: post.body.meta_title.as_ref().map(ToString::to_string),
            meta_description: post.body.meta_description.as_ref().map(ToString::to_string),
            related: related.iter().map(|c| CardJson::new(c, site)).collect(),
        }
    }
}

/// A tag or a category with its published post count.
#[derive(Debug, Serialize)]
pub struct TermJson {
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
    pub post_count: i64,
    pub url: String,
}

impl TermJson {
    pub fn tag(counted: &Counted<Tag>, site: &Site) -> Self {
        let tag = &counted.item;
        Self {
            slug: tag.slug.to_string(),
            name: tag.name.to_string(),
            description: tag.description.as_ref().map(ToString::to_string),
            post_count: counted.published_posts,
            url: site.tag_url(tag.slug.as_str()),
        }
    }

    pub fn category(counted: &Counted<Category>, site: &Site) -> Self {
        let category = &counted.item;
        Self {
            slug: category.slug.to_string(),
            name: category.name.to_string(),
            description: category.description.as_ref().map(ToString::to_string),
            post_count: counted.published_posts,
            url: site.category_url(category.slug.as_str()),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct LinkJson {
    pub label: String,
    pub url: String,
}

/// An author's public profile.
#[derive(Debug, Serialize)]
pub struct AuthorJson {
    pub slug: String,
    pub name: String,
    pub bio: Option<String>,
    pub avatar_url: Option<String>,
    pub website: Option<String>,
    pub links: Vec<LinkJson>,
    pub post_count: i64,
    pub url: String,
}

impl AuthorJson {
    pub fn new(counted: &Counted<Author>, site: &Site) -> Self {
        let author = &counted.item;
        Self {
            slug: author.slug.to_string(),
            name: author.name.to_string(),
            bio: author.bio.as_ref().map(ToString::to_string),
            avatar_url: author.avatar_url.as_ref().map(|u| u.as_str().to_owned()),
            website: author.website.as_ref().map(|u| u.as_str().to_owned()),
            links: author
                .links
                .iter()
                .map(|l| LinkJson { label: l.label.to_string(), url: l.url.as_str().to_owned() })
                .collect(),
            post_count: counted.published_posts,
            url: site.author_url(author.slug.as_str()),
        }
    }
}
