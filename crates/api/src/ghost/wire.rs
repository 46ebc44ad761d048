//! The JSON shapes of Ghost's Content API, built from domain values. Each
//! type lists exactly what Ghost's public answer holds: what Longform does
//! not have is `null`, never missing, and nothing else is there (an author
//! has no email, because the type has no such field).

use chrono::{DateTime, Utc};
use longform_domain::{Author, Post, PostCard, Tag};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::site::Site;

/// `2026-06-20T05:00:00.000+00:00`, as Ghost writes times.
pub fn time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3f+00:00").to_string()
}

#[derive(Debug, Serialize)]
pub struct Count {
    pub posts: i64,
}

#[derive(Debug, Serialize)]
pub struct GhostTag {
    pub id: String,
    pub name: String,
    pub slug: String,
    pub description: Option<String>,
    pub feature_image: Option<String>,
    pub visibility: &'static str,
    pub og_image: Option<String>,
    pub og_title: Option<String>,
    pub og_description: Option<String>,
    pub twitter_image: Option<String>,
    pub twitter_title: Option<String>,
    pub twitter_description: Option<String>,
    pub meta_title: Option<String>,
    pub meta_description: Option<String>,
    pub codeinjection_head: Option<String>,
    pub codeinjection_foot: Option<String>,
    pub canonical_url: Option<String>,
    pub accent_color: Option<String>,
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<Count>,
}

impl GhostTag {
    pub fn new(tag: &Tag, count: Option<i64>, site: &Site) -> Self {
        Self {
            id: tag.id.to_string(),
            name: tag.name.to_string(),
            slug: tag.slug.to_string(),
            description: tag.description.as_ref().map(ToString::to_string),
            feature_image: None,
            visibility: "public",
            og_image: None,
            og_title: None,
            og_description: None,
            twitter_image: None,
            twitter_title: None,
            twitter_description: None,
            meta_title: None,
            meta_description: None,
            codeinjection_head: None,
            codeinjection_foot: None,
            canonical_url: None,
            accent_color: None,
            url: site.tag_url(tag.slug.as_str()),
            count: count.map(|posts| Count { posts }),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct GhostAuthor {
    pub id: String,
    pub name: String,
    pub slug: String,
    pub profile_image: Option<String>,
    pub cover_image: Option<String>,
    pub bio: Option<String>,
    pub website: Option<String>,
    pub location: Option<String>,
    pub facebook: Option<String>,
    pub twitter: Option<String>,
    pub meta_title: Option<String>,
    pub meta_description: Option<String>,
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<Count>,
}

impl GhostAuthor {
    pub fn new(author: &Author, count: Option<i64>, site: &Site) -> Self {
        Self {
            id: author.id.to_string(),
            name: author.name.to_string(),
            slug: author.slug.to_string(),
            profile_image: author.avatar_url.as_ref().map(|u| u.as_str().to_owned()),
            cover_image: None,
            bio: author.bio.as_ref().map(ToString::to_string),
            website: author.website.as_ref().map(|u| u.as_str().to_owned()),
            location: None,
            facebook: None,
            twitter: None,
            meta_title: None,
            meta_description: None,
            url: site.author_url(author.slug.as_str()),
            count: count.map(|posts| Count { posts }),
        }
    }
}

/// What a post answer includes beyond the default fields.
#[derive(Debug, Clone, Copy, Default)]
pub struct PostExtras {
    pub tags: bool,
    pub authors: bool,
    pub html: bool,
    pub plaintext: bool,
    /// Ghost's editor documents, asked for in `formats`: always `null`.
    pub mobiledoc: bool,
    pub lexical: bool,
}

#[derive(Debug, Serialize)]
pub struct GhostPost {
    pub id: String,
    pub uuid: String,
    pub title: String,
    pub slug: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plaintext: Option<String>,
    /// Longform's posts are Markdown, in neither of Ghost's editors'
    /// documents: asked for, each is `null`, as Ghost answers for a post
    /// written in its other editor (a frontend then renders `html`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mobiledoc: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lexical: Option<Option<String>>,
    pub comment_id: String,
    pub feature_image: Option<String>,
    pub feature_image_alt: Option<String>,
    pub feature_image_caption: Option<String>,
    pub featured: bool,
    pub visibility: &'static str,
    pub created_at: String,
    pub updated_at: String,
    pub published_at: Option<String>,
    pub custom_excerpt: Option<String>,
    pub codeinjection_head: Option<String>,
    pub codeinjection_foot: Option<String>,
    pub custom_template: Option<String>,
    pub canonical_url: Option<String>,
    pub url: String,
    pub excerpt: String,
    pub reading_time: u32,
    pub access: bool,
    pub comments: bool,
    pub og_image: Option<String>,
    pub og_title: Option<String>,
    pub og_description: Option<String>,
    pub twitter_image: Option<String>,
    pub twitter_title: Option<String>,
    pub twitter_description: Option<String>,
    pub meta_title: Option<String>,
    pub meta_description: Option<String>,
    pub email_subject: Option<String>,
    pub frontmatter: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<GhostTag>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_tag: Option<Option<GhostTag>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authors: Option<Vec<GhostAuthor>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_author: Option<Option<GhostAuthor>>,
}

impl GhostPost {
    /// `post` is the whole post when HTML or plain text was asked for.
    pub fn new(card: &PostCard, post: Option<&Post>, extras: PostExtras, site: &Site) -> Self {
        let body = post.map(|p| &p.body);
        let tags = || card.tags.iter().map(|t| GhostTag::new(t, None, site));
        let authors = || card.authors.iter().map(|a| GhostAuthor::new(a, None, site));
        Self {
            id: card.id.to_string(),
            uuid: card.id.to_string(),
            title: card.title.to_string(),
            slug: card.slug.to_string(),
            html: body
                .filter(|_| extras.html)
                .map(|b| crate::media::absolute_media(&b.html, &site.api_url).into_owned()),
            plaintext: body.filter(|_| extras.plaintext).map(|b| longform_domain::markdown::plain_text(&b.markdown)),
            mobiledoc: extras.mobiledoc.then_some(None),
            lexical: extras.lexical.then_some(None),
            comment_id: card.id.to_string(),
            feature_image: card.feature_image.as_ref().map(|image| image.address(&site.api_url)),
            feature_image_alt: card.feature_image.as_ref().and_then(|image| image.alt.clone()),
            feature_image_caption: None,
            featured: card.featured,
            visibility: "public",
            created_at: time(card.created_at),
            updated_at: time(card.updated_at),
            published_at: card.published_at.map(time),
            custom_excerpt: card.custom_summary.then(|| card.summary.clone()),
            codeinjection_head: None,
            codeinjection_foot: None,
            custom_template: None,
            canonical_url: body.and_then(|b| b.canonical_url.as_ref()).map(|u| u.as_str().to_owned()),
            url: site.post_url(card.slug.as_str()),
            excerpt: card.summary.clone(),
            reading_time: card.reading_time_minutes,
            access: true,
            comments: false,
            og_image: None,
            og_title: None,
            og_description: None,
            twitter_image: None,
            twitter_title: None,
            twitter_description: None,
            meta_title: body.and_then(|b| b.meta_title.as_ref()).map(ToString::to_string),
            meta_description: body.and_then(|b| b.meta_description.as_ref()).map(ToString::to_string),
            email_subject: None,
            frontmatter: None,
            tags: extras.tags.then(|| tags().collect()),
            primary_tag: extras.tags.then(|| tags().next()),
            authors: extras.authors.then(|| authors().collect()),
            primary_author: extras.authors.then(|| authors().next()),
        }
    }
}

/// `value` (an object) with only the `fields` asked for, and always its id.
pub fn only(value: Value, fields: Option<&[String]>) -> Value {
    let (Some(fields), Value::Object(map)) = (fields, &value) else { return value };
    let kept: Map<String, Value> =
        map.iter().filter(|(k, _)| *k == "id" || fields.contains(k)).map(|(k, v)| (k.clone(), v.clone())).collect();
    Value::Object(kept)
}

#[derive(Debug, Serialize)]
pub struct NavigationItem {
    pub label: String,
    pub url: String,
}

#[derive(Debug, Serialize)]
pub struct GhostSettings {
    pub title: String,
    pub description: String,
    pub logo: Option<String>,
    pub icon: Option<String>,
    pub accent_color: Option<String>,
    pub cover_image: Option<String>,
    pub facebook: Option<String>,
    pub twitter: Option<String>,
    pub lang: String,
    pub locale: String,
    pub timezone: &'static str,
    pub codeinjection_head: Option<String>,
    pub codeinjection_foot: Option<String>,
    pub navigation: Vec<NavigationItem>,
    pub secondary_navigation: Vec<NavigationItem>,
    pub meta_title: Option<String>,
    pub meta_description: Option<String>,
    pub og_image: Option<String>,
    pub og_title: Option<String>,
    pub og_description: Option<String>,
    pub twitter_image: Option<String>,
    pub twitter_title: Option<String>,
    pub twitter_description: Option<String>,
    pub members_support_address: Option<String>,
    pub url: String,
}

impl GhostSettings {
    pub fn new(site: &Site) -> Self {
        Self {
            title: site.title.clone(),
            description: site.description.clone(),
            logo: None,
            icon: None,
            accent_color: None,
            cover_image: None,
            facebook: None,
            twitter: None,
            lang: site.language.clone(),
            locale: site.language.clone(),
            timezone: "Etc/UTC",
            codeinjection_head: None,
            codeinjection_foot: None,
            navigation: Vec::new(),
            secondary_navigation: Vec::new(),
            meta_title: None,
            meta_description: None,
            og_image: None,
            og_title: None,
            og_description: None,
            twitter_image: None,
            twitter_title: None,
            twitter_description: None,
            members_support_address: None,
            url: format!("{}/", site.base_url),
        }
    }
}
