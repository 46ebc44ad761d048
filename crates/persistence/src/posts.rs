//! Posts: creation, edits with optimistic locking, life-cycle moves, and
//! the keyset-paginated listings of published posts. A page of cards costs
//! a fixed number of statements: one for the posts, one each for their
//! tags, authors and categories.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use longform_domain::{
    Category, FeatureImage, Lifecycle, MetaDescription, MetaTitle, Move, Post, PostBody, PostCard, PostContent,
    PostDraft, PostId, PostStatus, Slug, Title, TocEntry, UserId, WebUrl,
};

use crate::db::AnyConnection;
use crate::error::StoreError;
use crate::listing::{Keyset, ListingFilter, Page, count_published, list_published, refresh_listings, related};
use crate::rows::{parse_id, parse_optional, parse_value};
use crate::schema::{post_authors, post_tags, posts};
use crate::store::{Store, from_db, now, to_db};
use crate::taxonomy::{Missing, author_repo, authors_of, category_repo, tag_repo, tags_of};

#[derive(Queryable, Selectable)]
#[diesel(table_name = posts, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub(crate) struct CardRow {
    id: String,
    slug: String,
    title: String,
    summary: String,
    custom_summary: bool,
    word_count: i32,
    reading_time_minutes: i32,
    feature_image_url: Option<String>,
    feature_image_alt: Option<String>,
    status: String,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    published_at: Option<NaiveDateTime>,
    category_id: Option<String>,
    featured: bool,
    version: i64,
    owner_id: Option<String>,
    deleted_at: Option<NaiveDateTime>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = posts, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
struct BodyRow {
    markdown: String,
    html: String,
    toc: String,
    canonical_url: Option<String>,
    meta_title: Option<String>,
    meta_description: Option<String>,
}

fn card_from_row(row: CardRow, taxonomy: &mut Resolved) -> Result<PostCard, StoreError> {
    let feature_image = match row.feature_image_url {
        Some(url) => Some(FeatureImage {
            url: parse_value(WebUrl::parse_field("feature_image", &url))?,
            alt: row.feature_image_alt,
        }),
        None => None,
    };
    Ok(PostCard {
        id: parse_id(&row.id)?,
        slug: parse_value(Slug::parse(&row.slug))?,
        title: parse_value(Title::parse(&row.title))?,
        summary: row.summary,
        custom_summary: row.custom_summary,
        word_count: u32::try_from(row.word_count).unwrap_or(0),
        reading_time_minutes: u32::try_from(row.reading_time_minutes).unwrap_or(1),
        feature_image,
        status: parse_value(row.status.parse::<PostStatus>())?,
        created_at: from_db(row.created_at),
        updated_at: from_db(row.updated_at),
        published_at: row.published_at.map(from_db),
        category: row.category_id.and_then(|id| taxonomy.categories.get(&id).cloned()),
        tags: taxonomy.tags.remove(&row.id).unwrap_or_default(),
        authors: taxonomy.authors.remove(&row.id).unwrap_or_default(),
        featured: row.featured,
        version: row.version,
        owner: row.owner_id.as_deref().map(parse_id).transpose()?,
        deleted_at: row.deleted_at.map(from_db),
    })
}

/// The taxonomy of a batch of posts, loaded with one statement per kind.
struct Resolved {
    tags: HashMap<String, Vec<longform_domain::Tag>>,
    authors: HashMap<String, Vec<longform_domain::Author>>,
    categories: HashMap<String, Category>,
}

pub(crate) fn cards(conn: &mut AnyConnection, rows: Vec<CardRow>) -> Result<Vec<PostCard>, StoreError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut category_ids: Vec<String> = rows.iter().filter_map(|r| r.category_id.clone()).collect();
    category_ids.sort_unstable();
    category_ids.dedup();
    let mut resolved = Resolved {
        tags: tags_of(conn, &ids)?,
        authors: authors_of(conn, &ids)?,
        categories: if category_ids.is_empty() { HashMap::new() } else { category_repo::by_ids(conn, &category_ids)? },
    };
    rows.into_iter().map(|row| card_from_row(row, &mut resolved)).collect()
}

impl TryFrom<BodyRow> for PostBody {
    type Error = StoreError;
    fn try_from(body: BodyRow) -> Result<Self, StoreError> {
        let toc: Vec<TocEntry> =
            serde_json::from_str(&body.toc).map_err(|e| StoreError::Corrupt(format!("post toc: {e}")))?;
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

fn post_from_rows(conn: &mut AnyConnection, card: CardRow, body: BodyRow) -> Result<Post, StoreError> {
    let card = cards(conn, vec![card])?.pop().ok_or(StoreError::NotFound)?;
    Ok(Post { card, body: body.try_into()? })
}

/// The bodies of several posts in one statement (an index page that shows
/// full articles, a GraphQL list asking for `html`).
pub fn bodies(conn: &mut AnyConnection, ids: &[PostId]) -> Result<HashMap<PostId, PostBody>, StoreError> {
    let keys: Vec<String> = ids.iter().map(ToString::to_string).collect();
    posts::table
        .filter(posts::id.eq_any(&keys))
        .select((posts::id, BodyRow::as_select()))
        .load::<(String, BodyRow)>(conn)?
        .into_iter()
        .map(|(id, body)| Ok((parse_id(&id)?, body.try_into()?)))
        .collect()
}

pub fn get(conn: &mut AnyConnection, id: PostId) -> Result<Post, StoreError> {
    let (card, body) =
        posts::table.find(id.to_string()).select((CardRow::as_select(), BodyRow::as_select())).first(conn)?;
    post_from_rows(conn, card, body)
}

pub fn find_by_slug(conn: &mut AnyConnection, slug: &Slug) -> Result<Option<Post>, StoreError> {
    let found = posts::table
        .filter(posts::slug.eq(slug.as_str()))
        .filter(posts::deleted_at.is_null())
        .select((CardRow::as_select(), BodyRow::as_select()))
        .first(conn)
        .optional()?;
    found.map(|(card, body)| post_from_rows(conn, card, body)).transpose()
}

/// The first free slug among `base`, `base-2`, ... in one query.
fn free_slug(conn: &mut AnyConnection, base: &Slug) -> Result<Slug, StoreError> {
    let taken: Vec<String> = posts::table
        .filter(posts::slug.eq(base.as_str()).or(posts::slug.like(format!("{base}-%"))))
        .select(posts::slug)
        .load(conn)?;
    Ok(base.first_free(|candidate| taken.iter().any(|t| t == candidate.as_str())))
}

/// Each round of colliding writers lets at least one through, so this
/// bounds the writers deriving the same slug in the same instant.
const MAX_SLUG_ATTEMPTS: u32 = 64;

/// Create a draft. An explicit slug that is taken is a conflict on `slug`;
/// a derived one gets a -2, -3 suffix. Two writers deriving the same slug at
/// once (PostgreSQL) collide on the unique key: the loser retries with the
/// next free suffix.
pub fn create(
    conn: &mut AnyConnection,
    mut draft: PostDraft,
    missing: Missing,
    owner: Option<UserId>,
) -> Result<Post, StoreError> {
    draft.dedup_taxonomy();
    let content = draft.render();
    let id = match &draft.slug {
        Some(explicit) => insert_row(conn, &draft, &content, explicit, owner)?,
        None => {
            let base = draft.base_slug();
            let mut attempt = 0;
            loop {
                let slug = free_slug(conn, &base)?;
                match conn.transaction(|c| insert_row(c, &draft, &content, &slug, owner)) {
                    Err(StoreError::Conflict { field }) if field == "slug" && attempt < MAX_SLUG_ATTEMPTS => {
                        attempt += 1
                    }
                    other => break other?,
                }
            }
        }
    };
    set_taxonomy(conn, &id, &draft, missing)?;
    let post = get(conn, parse_id(&id)?)?;
    crate::editorial::record_revision(conn, &post, owner)?;
    crate::changelog::record(conn, post.card.id, crate::changelog::ChangeKind::Created)?;
    Ok(post)
}

fn insert_row(
    conn: &mut AnyConnection,
    draft: &PostDraft,
    content: &PostContent,
    slug: &Slug,
    owner: Option<UserId>,
) -> Result<String, StoreError> {
    let at = to_db(now());
    let toc = serde_json::to_string(&content.toc).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(diesel::insert_into(posts::table)
        .values((
            posts::id.eq(PostId::new().to_string()),
            posts::slug.eq(slug.as_str()),
            posts::title.eq(draft.title.as_str()),
            posts::summary.eq(&content.summary),
            posts::custom_summary.eq(draft.summary.is_some()),
            posts::markdown.eq(&content.markdown),
            posts::html.eq(&content.html),
            posts::toc.eq(toc),
            posts::word_count.eq(saturating_i32(content.word_count)),
            posts::reading_time_minutes.eq(saturating_i32(content.reading_time_minutes)),
            posts::feature_image_url.eq(draft.feature_image.as_ref().map(|f| f.url.as_str())),
            posts::feature_image_alt.eq(draft.feature_image.as_ref().and_then(|f| f.alt.as_deref())),
            posts::status.eq(PostStatus::Draft.as_str()),
            posts::created_at.eq(at),
            posts::updated_at.eq(at),
            posts::featured.eq(draft.featured),
            posts::canonical_url.eq(draft.canonical_url.as_ref().map(WebUrl::as_str)),
            posts::meta_title.eq(draft.meta_title.as_ref().map(MetaTitle::as_str)),
            posts::meta_description.eq(draft.meta_description.as_ref().map(MetaDescription::as_str)),
            posts::version.eq(1_i64),
            posts::owner_id.eq(owner.map(|o| o.to_string())),
        ))
        .returning(posts::id)
        .get_result(conn)?)
}

fn saturating_i32(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Replace the post's category, tags and authors with the draft's.
fn set_taxonomy(
    conn: &mut AnyConnection,
    post_id: &str,
    draft: &PostDraft,
    missing: Missing,
) -> Result<(), StoreError> {
    let category = match &draft.category {
        Some(slug) => category_repo::ensure(conn, std::slice::from_ref(slug), missing)?.pop(),
        None => None,
    };
    diesel::update(posts::table.find(post_id))
        .set(posts::category_id.eq(category.map(|c| c.id.to_string())))
        .execute(conn)?;
    // Row by row: Diesel's batch insert does not compile through the
    // two-backend connection, and a post has a handful of each.
    let tags = tag_repo::ensure(conn, &draft.tags, missing)?;
    diesel::delete(post_tags::table.filter(post_tags::post_id.eq(post_id))).execute(conn)?;
    for (tag, position) in tags.iter().zip(0..) {
        diesel::insert_into(post_tags::table)
            .values((
                post_tags::post_id.eq(post_id),
                post_tags::tag_id.eq(tag.id.to_string()),
                post_tags::position.eq::<i32>(position),
            ))
            .execute(conn)?;
    }
    let authors = author_repo::ensure(conn, &draft.authors, missing)?;
    diesel::delete(post_authors::table.filter(post_authors::post_id.eq(post_id))).execute(conn)?;
    for (author, position) in authors.iter().zip(0..) {
        diesel::insert_into(post_authors::table)
            .values((
                post_authors::post_id.eq(post_id),
                post_authors::author_id.eq(author.id.to_string()),
                post_authors::position.eq::<i32>(position),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The stored version, or `NotFound`.
pub(crate) fn current_version(conn: &mut AnyConnection, id: &str) -> Result<i64, StoreError> {
    Ok(posts::table.find(id).select(posts::version).first(conn)?)
}

pub(crate) fn check_version(current: i64, expected: Option<i64>) -> Result<(), StoreError> {
    match expected {
        Some(expected) if expected != current => Err(StoreError::VersionMismatch { expected, current }),
        _ => Ok(()),
    }
}

/// Replace a post's editable fields. `expected_version`, when given, must
/// match the stored one (else `VersionMismatch`, and nothing is written).
/// The slug changes only when the draft names one: a URL stays put when a
/// title is edited.
pub fn update(
    conn: &mut AnyConnection,
    id: PostId,
    mut draft: PostDraft,
    expected_version: Option<i64>,
    missing: Missing,
    by: Option<UserId>,
) -> Result<Post, StoreError> {
    let key = id.to_string();
    let current = current_version(conn, &key)?;
    check_version(current, expected_version)?;
    draft.dedup_taxonomy();
    let content = draft.render();
    let toc = serde_json::to_string(&content.toc).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let changed = diesel::update(posts::table.find(&key).filter(posts::version.eq(current)))
        .set((
            posts::title.eq(draft.title.as_str()),
            posts::summary.eq(&content.summary),
            posts::custom_summary.eq(draft.summary.is_some()),
            posts::markdown.eq(&content.markdown),
            posts::html.eq(&content.html),
            posts::toc.eq(toc),
            posts::word_count.eq(saturating_i32(content.word_count)),
            posts::reading_time_minutes.eq(saturating_i32(content.reading_time_minutes)),
            posts::feature_image_url.eq(draft.feature_image.as_ref().map(|f| f.url.as_str())),
            posts::feature_image_alt.eq(draft.feature_image.as_ref().and_then(|f| f.alt.as_deref())),
            posts::featured.eq(draft.featured),
            posts::canonical_url.eq(draft.canonical_url.as_ref().map(WebUrl::as_str)),
            posts::meta_title.eq(draft.meta_title.as_ref().map(MetaTitle::as_str)),
            posts::meta_description.eq(draft.meta_description.as_ref().map(MetaDescription::as_str)),
            posts::updated_at.eq(to_db(now())),
            posts::version.eq(current + 1),
        ))
        .execute(conn)?;
    if changed == 0 {
        // Another writer got in between our read and our write.
        return Err(StoreError::VersionMismatch { expected: current, current: current_version(conn, &key)? });
    }
    if let Some(slug) = &draft.slug {
        diesel::update(posts::table.find(&key)).set(posts::slug.eq(slug.as_str())).execute(conn)?;
    }
    set_taxonomy(conn, &key, &draft, missing)?;
    refresh_listings(conn, id)?;
    let post = get(conn, id)?;
    crate::editorial::record_revision(conn, &post, by)?;
    crate::changelog::record(conn, id, crate::changelog::ChangeKind::Updated)?;
    Ok(post)
}

/// Publish, schedule, unpublish or archive a post, per the domain's rules.
pub fn apply_move(
    conn: &mut AnyConnection,
    id: PostId,
    action: Move,
    expected_version: Option<i64>,
    by: Option<UserId>,
) -> Result<Post, StoreError> {
    let key = id.to_string();
    let (status, published_at, version): (String, Option<NaiveDateTime>, i64) =
        posts::table.find(&key).select((posts::status, posts::published_at, posts::version)).first(conn)?;
    check_version(version, expected_version)?;
    let lifecycle = Lifecycle { status: parse_value(status.parse())?, published_at: published_at.map(from_db) };
    let next = lifecycle.apply(action, now())?;
    let changed = diesel::update(posts::table.find(&key).filter(posts::version.eq(version)))
        .set((
            posts::status.eq(next.status.as_str()),
            posts::published_at.eq(next.published_at.map(to_db)),
            posts::updated_at.eq(to_db(now())),
            posts::version.eq(version + 1),
        ))
        .execute(conn)?;
    if changed == 0 {
        return Err(StoreError::VersionMismatch { expected: version, current: current_version(conn, &key)? });
    }
    refresh_listings(conn, id)?;
    let post = get(conn, id)?;
    crate::editorial::record_revision(conn, &post, by)?;
    crate::changelog::record(conn, id, crate::changelog::ChangeKind::of_status(post.card.status))?;
    Ok(post)
}

/// Whether the database holds no post at all (in any status, trash included).
pub fn none_exist(conn: &mut AnyConnection) -> Result<bool, StoreError> {
    Ok(posts::table.select(posts::id).first::<String>(conn).optional()?.is_none())
}

/// The async repository.
pub struct Posts<'a>(&'a Store);

impl Store {
    pub fn posts(&self) -> Posts<'_> {
        Posts(self)
    }
}

impl Posts<'_> {
    pub async fn create(&self, draft: PostDraft, missing: Missing) -> Result<Post, StoreError> {
        self.0.write(move |c| create(c, draft, missing, None)).await
    }

    pub async fn update(
        &self,
        id: PostId,
        draft: PostDraft,
        expected_version: Option<i64>,
        missing: Missing,
    ) -> Result<Post, StoreError> {
        self.0.write(move |c| update(c, id, draft, expected_version, missing, None)).await
    }

    pub async fn apply_move(
        &self,
        id: PostId,
        action: Move,
        expected_version: Option<i64>,
    ) -> Result<Post, StoreError> {
        self.0.write(move |c| apply_move(c, id, action, expected_version, None)).await
    }

    pub async fn get(&self, id: PostId) -> Result<Post, StoreError> {
        self.0.read(move |c| get(c, id)).await
    }

    pub async fn find_by_slug(&self, slug: Slug) -> Result<Option<Post>, StoreError> {
        self.0.read(move |c| find_by_slug(c, &slug)).await
    }

    pub async fn sitemap(&self) -> Result<Vec<crate::listing::SitemapEntry>, StoreError> {
        self.0.read(crate::listing::sitemap).await
    }

    pub async fn none_exist(&self) -> Result<bool, StoreError> {
        self.0.read(none_exist).await
    }

    pub async fn count_published(&self, filter: ListingFilter) -> Result<i64, StoreError> {
        self.0.read(move |c| count_published(c, &filter)).await
    }

    pub async fn related(&self, ids: Vec<PostId>, limit: usize) -> Result<HashMap<PostId, Vec<PostCard>>, StoreError> {
        self.0.read(move |c| related(c, &ids, limit)).await
    }

    pub async fn bodies(&self, ids: Vec<PostId>) -> Result<HashMap<PostId, PostBody>, StoreError> {
        self.0.read(move |c| bodies(c, &ids)).await
    }

    pub async fn list_published(
        &self,
        filter: ListingFilter,
        after: Option<Keyset>,
        limit: u32,
    ) -> Result<Page, StoreError> {
        self.0.read(move |c| list_published(c, &filter, after, limit)).await
    }

    /// A page of the listing and the listing's total, on one connection.
    pub async fn list_published_counted(
        &self,
        filter: ListingFilter,
        after: Option<Keyset>,
        limit: u32,
    ) -> Result<(Page, i64), StoreError> {
        self.0.read(move |c| Ok((list_published(c, &filter, after, limit)?, count_published(c, &filter)?))).await
    }
}
