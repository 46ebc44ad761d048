//! The `posts` row: what a card shows, what an article adds, and the
//! conversion of both into domain values. Reads, inserts and updates all
//! go through these types.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use longform_domain::media::MediaRef;
use longform_domain::{
    Author, Category, CategoryId, FeatureImage, FeatureMedia, MediaId, MetaDescription, MetaTitle, Post, PostBody,
    PostCard, PostContent, PostDraft, PostId, PostStatus, Slug, Tag, Title, TocEntry, UserId, WebUrl,
};

use super::{from_json, parse_optional, parse_value, saturating_i32, to_json};
use crate::error::StoreError;
use crate::schema::posts;
use crate::time::{from_db, to_db};

/// The columns a card shows.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = posts, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite), treat_none_as_null = true)]
pub(crate) struct CardRow {
    pub(crate) id: PostId,
    pub(crate) slug: String,
    pub(crate) title: String,
    pub(crate) summary: String,
    pub(crate) custom_summary: bool,
    pub(crate) word_count: i32,
    pub(crate) reading_time_minutes: i32,
    pub(crate) feature_image_url: Option<String>,
    pub(crate) feature_image_alt: Option<String>,
    pub(crate) status: String,
    pub(crate) created_at: NaiveDateTime,
    pub(crate) updated_at: NaiveDateTime,
    pub(crate) published_at: Option<NaiveDateTime>,
    pub(crate) category_id: Option<CategoryId>,
    pub(crate) featured: bool,
    pub(crate) version: i64,
    pub(crate) owner_id: Option<UserId>,
    pub(crate) deleted_at: Option<NaiveDateTime>,
    /// JSON: [`MediaFacts`].
    pub(crate) feature_image_media: Option<String>,
}

/// What `feature_image_media` holds: the feature image's media item as of
/// the post's last save.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct MediaFacts {
    id: MediaId,
    width: Option<u32>,
    height: Option<u32>,
    webp_widths: Vec<u32>,
    content_type: String,
    bytes: u64,
}

pub(crate) fn media_facts(image: Option<&FeatureImage>) -> Result<Option<String>, StoreError> {
    let Some(FeatureMedia { id, item }) = image.and_then(|image| image.media.as_ref()) else { return Ok(None) };
    let facts = MediaFacts {
        id: *id,
        width: item.width,
        height: item.height,
        webp_widths: item.webp_widths.clone(),
        content_type: item.content_type.clone(),
        bytes: item.bytes,
    };
    to_json(&facts).map(Some)
}

fn feature_media(json: Option<&str>) -> Result<Option<FeatureMedia>, StoreError> {
    let Some(json) = json else { return Ok(None) };
    let facts: MediaFacts = from_json("feature_image_media", json)?;
    let item = MediaRef {
        width: facts.width,
        height: facts.height,
        webp_widths: facts.webp_widths,
        content_type: facts.content_type,
        bytes: facts.bytes,
    };
    Ok(Some(FeatureMedia { id: facts.id, item }))
}

/// The columns an article adds.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = posts, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite), treat_none_as_null = true)]
pub(crate) struct BodyRow {
    pub(crate) markdown: String,
    pub(crate) html: String,
    pub(crate) toc: String,
    pub(crate) canonical_url: Option<String>,
    pub(crate) meta_title: Option<String>,
    pub(crate) meta_description: Option<String>,
}

/// A whole post row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = posts, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub(crate) struct PostRow {
    #[diesel(embed)]
    pub(crate) card: CardRow,
    #[diesel(embed)]
    pub(crate) body: BodyRow,
}

/// What a life-cycle move, the trash or its undoing change.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = posts, treat_none_as_null = true)]
pub(crate) struct LifecycleChange {
    pub(crate) status: String,
    pub(crate) published_at: Option<NaiveDateTime>,
    pub(crate) deleted_at: Option<NaiveDateTime>,
    pub(crate) updated_at: NaiveDateTime,
    pub(crate) version: i64,
}

impl LifecycleChange {
    pub(crate) fn of(card: &PostCard) -> Self {
        Self {
            status: card.status.as_str().to_owned(),
            published_at: card.published_at.map(to_db),
            deleted_at: card.deleted_at.map(to_db),
            updated_at: to_db(card.updated_at),
            version: card.version,
        }
    }
}

/// The taxonomy a card shows, resolved.
#[derive(Debug, Clone, Default)]
pub(crate) struct Terms {
    pub(crate) category: Option<Category>,
    pub(crate) tags: Vec<Tag>,
    pub(crate) authors: Vec<Author>,
}

impl CardRow {
    /// The next version, changed at `at`.
    pub(crate) fn touch(&mut self, at: DateTime<Utc>) {
        self.updated_at = to_db(at);
        self.version += 1;
    }

    pub(crate) fn into_card(self, terms: Terms) -> Result<PostCard, StoreError> {
        let feature_image = match self.feature_image_url {
            Some(url) => Some(FeatureImage {
                url: parse_value(WebUrl::parse_field("feature_image", &url))?,
                alt: self.feature_image_alt,
                media: feature_media(self.feature_image_media.as_deref())?,
            }),
            None => None,
        };
        Ok(PostCard {
            id: self.id,
            slug: parse_value(Slug::parse(&self.slug))?,
            title: parse_value(Title::parse(&self.title))?,
            summary: self.summary,
            custom_summary: self.custom_summary,
            word_count: u32::try_from(self.word_count).unwrap_or(0),
            reading_time_minutes: u32::try_from(self.reading_time_minutes).unwrap_or(1),
            feature_image,
            status: parse_value(self.status.parse::<PostStatus>())?,
            created_at: from_db(self.created_at),
            updated_at: from_db(self.updated_at),
            published_at: self.published_at.map(from_db),
            category: terms.category,
            tags: terms.tags,
            authors: terms.authors,
            featured: self.featured,
            version: self.version,
            owner: self.owner_id,
            deleted_at: self.deleted_at.map(from_db),
        })
    }
}

impl TryFrom<BodyRow> for PostBody {
    type Error = StoreError;
    fn try_from(body: BodyRow) -> Result<Self, StoreError> {
        let toc: Vec<TocEntry> = from_json("post toc", &body.toc)?;
        Ok(PostBody {
            markdown: body.markdown,
            html: body.html,
            toc,
            canonical_url: parse_optional(body.canonical_url, |s| WebUrl::parse_field("canonical_url", s))?,
            meta_title: parse_optional(body.meta_title, MetaTitle::parse)?,
            meta_description: parse_optional(body.meta_description, MetaDescription::parse)?,
        })
    }
}

impl PostRow {
    /// A new draft's row, version 1.
    pub(crate) fn new(
        id: PostId,
        draft: &PostDraft,
        content: &PostContent,
        slug: &Slug,
        owner: Option<UserId>,
        category: Option<CategoryId>,
        at: DateTime<Utc>,
    ) -> Result<Self, StoreError> {
        let at = to_db(at);
        let mut row = Self {
            card: CardRow {
                id,
                slug: String::new(),
                title: String::new(),
                summary: String::new(),
                custom_summary: false,
                word_count: 0,
                reading_time_minutes: 0,
                feature_image_url: None,
                feature_image_alt: None,
                status: PostStatus::Draft.as_str().to_owned(),
                created_at: at,
                updated_at: at,
                published_at: None,
                category_id: None,
                featured: false,
                version: 1,
                owner_id: owner,
                deleted_at: None,
                feature_image_media: None,
            },
            body: BodyRow {
                markdown: String::new(),
                html: String::new(),
                toc: String::new(),
                canonical_url: None,
                meta_title: None,
                meta_description: None,
            },
        };
        row.set_fields(draft, content, slug, category)?;
        Ok(row)
    }

    /// Replace the editable fields with the draft's (the life cycle and
    /// ownership stay).
    pub(crate) fn set_fields(
        &mut self,
        draft: &PostDraft,
        content: &PostContent,
        slug: &Slug,
        category: Option<CategoryId>,
    ) -> Result<(), StoreError> {
        let card = &mut self.card;
        card.slug = slug.as_str().to_owned();
        card.title = draft.title.as_str().to_owned();
        card.summary.clone_from(&content.summary);
        card.custom_summary = draft.summary.is_some();
        card.word_count = saturating_i32(content.word_count);
        card.reading_time_minutes = saturating_i32(content.reading_time_minutes);
        card.feature_image_url = draft.feature_image.as_ref().map(|f| f.url.as_str().to_owned());
        card.feature_image_alt = draft.feature_image.as_ref().and_then(|f| f.alt.clone());
        card.feature_image_media = media_facts(draft.feature_image.as_ref())?;
        card.featured = draft.featured;
        card.category_id = category;
        self.body = BodyRow {
            markdown: content.markdown.clone(),
            html: content.html.clone(),
            toc: to_json(&content.toc)?,
            canonical_url: draft.canonical_url.as_ref().map(|u| u.as_str().to_owned()),
            meta_title: draft.meta_title.as_ref().map(|t| t.as_str().to_owned()),
            meta_description: draft.meta_description.as_ref().map(|d| d.as_str().to_owned()),
        };
        Ok(())
    }

    pub(crate) fn into_post(self, terms: Terms) -> Result<Post, StoreError> {
        Ok(Post { card: self.card.into_card(terms)?, body: self.body.try_into()? })
    }
}

/// A post's row back from its domain value (the post was read from its
/// row, so nothing is lost): a command loads the post once and writes the
/// row it changed.
impl TryFrom<&Post> for PostRow {
    type Error = StoreError;
    fn try_from(post: &Post) -> Result<Self, StoreError> {
        let card = &post.card;
        Ok(Self {
            card: CardRow {
                id: card.id,
                slug: card.slug.to_string(),
                title: card.title.to_string(),
                summary: card.summary.clone(),
                custom_summary: card.custom_summary,
                word_count: saturating_i32(card.word_count),
                reading_time_minutes: saturating_i32(card.reading_time_minutes),
                feature_image_url: card.feature_image.as_ref().map(|f| f.url.as_str().to_owned()),
                feature_image_alt: card.feature_image.as_ref().and_then(|f| f.alt.clone()),
                status: card.status.as_str().to_owned(),
                created_at: to_db(card.created_at),
                updated_at: to_db(card.updated_at),
                published_at: card.published_at.map(to_db),
                category_id: card.category.as_ref().map(|c| c.id),
                featured: card.featured,
                version: card.version,
                owner_id: card.owner,
                deleted_at: card.deleted_at.map(to_db),
                feature_image_media: media_facts(card.feature_image.as_ref())?,
            },
            body: BodyRow {
                markdown: post.body.markdown.clone(),
                html: post.body.html.clone(),
                toc: to_json(&post.body.toc)?,
                canonical_url: post.body.canonical_url.as_ref().map(|u| u.as_str().to_owned()),
                meta_title: post.body.meta_title.as_ref().map(|t| t.as_str().to_owned()),
                meta_description: post.body.meta_description.as_ref().map(|d| d.as_str().to_owned()),
            },
        })
    }
}
