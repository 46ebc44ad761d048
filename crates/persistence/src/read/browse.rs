//! Browsing what is public by a checked NQL filter ([`Filter`]), in an
//! allowlisted order, a page at a time by offset: Ghost's Content API.
//!
//! Each field of the allowlist maps to one column or one subquery written
//! here; values are bind parameters. Posts are those of the listing index
//! of the whole blog (published, out of the trash); tags and authors the
//! public ones. A post's tags and authors are those of published posts,
//! which are public by definition, so no filter can test anything about a
//! draft.
//!
//! Cost: a count and the page's ids, whatever the filter (it compiles to
//! one WHERE clause of at most
//! [`nql::MAX_COMPARISONS`](longform_domain::nql::MAX_COMPARISONS) tests),
//! then the page's cards and taxonomy (four statements) and, when asked,
//! its bodies (two). A filter cannot narrow the listing index the way the
//! REST API's facets do, so a count reads every published post's index
//! entry and, for a test on a post column, its row; offset paging stops at
//! [`MAX_BROWSE_DEPTH`](crate::model::MAX_BROWSE_DEPTH).

use std::collections::HashMap;

use diesel::dsl::{not, sql};
use diesel::expression::BoxableExpression;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use longform_domain::nql::{Direction, Filter, Op, PostField, TermField, Value};
use longform_domain::{Author, Post, PostId, Tag};

use super::posts::{bodies, cards_by_ids};
use crate::db::{AnyConnection, MultiBackend};
use crate::error::StoreError;
use crate::model::{BodiesTooLarge, Browse, Browsed, BrowsedPost, Counted};
use crate::rows::taxonomy::{AuthorRow, TagRow};
use crate::schema::{authors, listing_counts, post_authors, post_listings, post_tags, posts, tags};
use crate::time::to_db;

type Predicate<T> = Box<dyn BoxableExpression<T, MultiBackend, SqlType = Bool>>;

diesel::define_sql_function! {
    /// Characters in a text (both backends).
    fn length(text: diesel::sql_types::Text) -> diesel::sql_types::Integer;
}

/// A filter value where the compiler expected another kind: the checker
/// typed it, so this is a bug, not bad input.
fn mistyped(value: &Value) -> StoreError {
    StoreError::Corrupt(format!("a filter value of the wrong kind reached the query: {value:?}"))
}

fn text(value: &Value) -> Result<String, StoreError> {
    match value {
        Value::Text(text) => Ok(text.clone()),
        other => Err(mistyped(other)),
    }
}

/// `%text%`, `text%` or `%text`, lower-cased, `%` `_` `\` literal.
fn pattern(op: Op, value: &Value) -> Result<String, StoreError> {
    let escaped = super::escape_like(&text(value)?.to_lowercase());
    Ok(match op {
        Op::StartsWith => format!("{escaped}%"),
        Op::EndsWith => format!("%{escaped}"),
        _ => format!("%{escaped}%"),
    })
}

/// `column op values` for a column of the table; `$convert` turns a
/// [`Value`] into the column's Rust type. Patterns (`~`) compare in lower case.
macro_rules! column_test {
    ($table:ty, $column:expr, $op:expr, $values:expr, $convert:expr) => {{
        let values = $values.iter().map($convert).collect::<Result<Vec<_>, StoreError>>()?;
        let test: Predicate<$table> = match ($op, values.as_slice()) {
            (Op::Eq, [one]) => Box::new($column.eq(one.clone())),
            (Op::Eq, _) => Box::new($column.eq_any(values)),
            (Op::Gt, [one]) => Box::new($column.gt(one.clone())),
            (Op::Ge, [one]) => Box::new($column.ge(one.clone())),
            (Op::Lt, [one]) => Box::new($column.lt(one.clone())),
            (Op::Le, [one]) => Box::new($column.le(one.clone())),
            (op, _) => {
                return Err(StoreError::Corrupt(format!("{op:?} with {} values reached the query", values.len())));
            }
        };
        test
    }};
}

macro_rules! pattern_test {
    ($table:ty, $column:expr, $op:expr, $values:expr) => {{
        let [value] = $values else { return Err(StoreError::Corrupt("a pattern with several values".into())) };
        let test: Predicate<$table> = Box::new(super::lower($column).like(pattern($op, value)?).escape('\\'));
        test
    }};
}

fn constant<T: 'static>(value: bool) -> Predicate<T>
where
    diesel::dsl::AsExprOf<bool, Bool>: BoxableExpression<T, MultiBackend, SqlType = Bool>,
{
    Box::new(value.into_sql::<Bool>())
}

/// AND and OR of compiled tests; an empty AND is true, an empty OR false.
fn combine<T, F>(
    filter: &Filter<F>,
    test: &impl Fn(&F, Op, &[Value]) -> Result<Predicate<T>, StoreError>,
) -> Result<Predicate<T>, StoreError>
where
    diesel::dsl::AsExprOf<bool, Bool>: BoxableExpression<T, MultiBackend, SqlType = Bool>,
    T: diesel::QuerySource + 'static,
{
    Ok(match filter {
        Filter::Const(value) => constant(*value),
        Filter::And(terms) => {
            let mut out = constant(true);
            for term in terms {
                out = Box::new(out.and(combine(term, test)?));
            }
            out
        }
        Filter::Or(terms) => {
            let mut out = constant(false);
            for term in terms {
                out = Box::new(out.or(combine(term, test)?));
            }
            out
        }
        Filter::Test { field, op, negated, values } => {
            let tested = test(field, *op, values)?;
            if *negated { Box::new(not(tested)) } else { tested }
        }
    })
}

// ------------------------------------------------------------------ posts

/// The first of a post's tags (or authors): no row of the post before it.
const FIRST_TAG: &str = "NOT EXISTS (SELECT 1 FROM post_tags earlier WHERE earlier.post_id = post_tags.post_id AND earlier.position < post_tags.position)";
const FIRST_AUTHOR: &str = "NOT EXISTS (SELECT 1 FROM post_authors earlier \
     WHERE earlier.post_id = post_authors.post_id AND earlier.position < post_authors.position)";

/// A test on one post field, for a query over `$source` (the posts
/// alone, or the listing index joined to them): written once for both.
macro_rules! post_tests {
    ($name:ident, $source:ty) => {
        fn $name(field: &PostField, op: Op, values: &[Value]) -> Result<Predicate<$source>, StoreError> {
            type T = $source;
            let time = |v: &Value| match v {
                Value::Time(at) => Ok(to_db(*at)),
                other => Err(mistyped(other)),
            };
            let texts = || values.iter().map(text).collect::<Result<Vec<_>, _>>();
            let pattern = matches!(op, Op::Contains | Op::StartsWith | Op::EndsWith);
            Ok(match field {
                PostField::Id if pattern => pattern_test!(T, posts::id, op, values),
                PostField::Id => column_test!(T, posts::id, op, values, text),
                PostField::Slug if pattern => pattern_test!(T, posts::slug, op, values),
                PostField::Slug => column_test!(T, posts::slug, op, values, text),
                PostField::Title if pattern => pattern_test!(T, posts::title, op, values),
                PostField::Title => column_test!(T, posts::title, op, values, text),
                PostField::FeatureImage if values == [Value::Null] => Box::new(posts::feature_image_url.is_null()),
                PostField::FeatureImage if pattern => {
                    let [value] = values else {
                        return Err(StoreError::Corrupt("a pattern with several values".into()));
                    };
                    Box::new(
                        super::lower(posts::feature_image_url.assume_not_null())
                            .like(self::pattern(op, value)?)
                            .escape('\\'),
                    )
                }
                PostField::FeatureImage => {
                    column_test!(T, posts::feature_image_url.assume_not_null(), op, values, text)
                }
                PostField::Featured => column_test!(T, posts::featured, op, values, |v: &Value| match v {
                    Value::Bool(b) => Ok(*b),
                    other => Err(mistyped(other)),
                }),
                PostField::ReadingTime => {
                    column_test!(T, posts::reading_time_minutes, op, values, |v: &Value| match v {
                        Value::Int(n) => Ok(i32::try_from(*n).unwrap_or(if *n < 0 { i32::MIN } else { i32::MAX })),
                        other => Err(mistyped(other)),
                    })
                }
                PostField::PublishedAt => column_test!(T, posts::published_at.assume_not_null(), op, values, time),
                PostField::UpdatedAt => column_test!(T, posts::updated_at, op, values, time),
                PostField::CreatedAt => column_test!(T, posts::created_at, op, values, time),
                PostField::TagSlug => Box::new(
                    posts::id.eq_any(
                        post_tags::table
                            .inner_join(tags::table)
                            .filter(tags::slug.eq_any(texts()?))
                            .select(post_tags::post_id),
                    ),
                ),
                PostField::TagId => Box::new(
                    posts::id
                        .eq_any(post_tags::table.filter(post_tags::tag_id.eq_any(texts()?)).select(post_tags::post_id)),
                ),
                PostField::TagName => Box::new(
                    posts::id.eq_any(
                        post_tags::table
                            .inner_join(tags::table)
                            .filter(tags::name.eq_any(texts()?))
                            .select(post_tags::post_id),
                    ),
                ),
                PostField::PrimaryTag => Box::new(
                    posts::id.eq_any(
                        post_tags::table
                            .inner_join(tags::table)
                            .filter(tags::slug.eq_any(texts()?))
                            .filter(sql::<Bool>(FIRST_TAG))
                            .select(post_tags::post_id),
                    ),
                ),
                PostField::AuthorSlug => Box::new(
                    posts::id.eq_any(
                        post_authors::table
                            .inner_join(authors::table)
                            .filter(authors::slug.eq_any(texts()?))
                            .select(post_authors::post_id),
                    ),
                ),
                PostField::AuthorId => Box::new(posts::id.eq_any(
                    post_authors::table.filter(post_authors::author_id.eq_any(texts()?)).select(post_authors::post_id),
                )),
                PostField::AuthorName => Box::new(
                    posts::id.eq_any(
                        post_authors::table
                            .inner_join(authors::table)
                            .filter(authors::name.eq_any(texts()?))
                            .select(post_authors::post_id),
                    ),
                ),
                PostField::PrimaryAuthor => Box::new(
                    posts::id.eq_any(
                        post_authors::table
                            .inner_join(authors::table)
                            .filter(authors::slug.eq_any(texts()?))
                            .filter(sql::<Bool>(FIRST_AUTHOR))
                            .select(post_authors::post_id),
                    ),
                ),
                PostField::Visibility => return Err(StoreError::Corrupt("visibility reached the query".into())),
            })
        }
    };
}

post_tests!(post_test, ListedPosts);

/// The listing index joined to the posts it lists.
type ListedPosts = diesel::dsl::InnerJoinQuerySource<post_listings::table, posts::table>;

/// A page of public posts with the total matching; with their bodies
/// when `bodies_up_to` is given, unless the page's HTML is larger than it.
pub(crate) fn browse_posts(
    conn: &mut AnyConnection,
    browse: &Browse<PostField>,
    bodies_up_to: Option<i64>,
) -> Result<Result<Browsed<BrowsedPost>, BodiesTooLarge>, StoreError> {
    let Some(offset) = browse.offset() else {
        return Err(StoreError::Corrupt("a browse past its depth reached the query".into()));
    };
    let (cards, total) = page(conn, browse, offset)?;
    with_bodies(conn, cards, total, bodies_up_to)
}

/// A page of cards and the total matching. The public posts are those of
/// the listing index of the whole blog (published, out of the trash), so
/// newest first walks that index and skips rows by reading index entries
/// only; a filter or another order reads the posts' rows, which on SQLite
/// costs a trip through the overflow pages of a post's Markdown and HTML
/// for every column stored after them (all but id, slug, title, summary).
/// The ids come first, then the page's cards.
fn page(
    conn: &mut AnyConnection,
    browse: &Browse<PostField>,
    offset: u32,
) -> Result<(Vec<longform_domain::PostCard>, i64), StoreError> {
    let listed = || -> Result<_, StoreError> {
        let whole_blog = post_listings::kind.eq("all").and(post_listings::key.eq(""));
        let mut query = post_listings::table.inner_join(posts::table).filter(whole_blog).into_boxed();
        if let Some(filter) = &browse.filter {
            query = query.filter(combine(filter, &post_test)?);
        }
        Ok(query)
    };
    let total = match browse.filter {
        None => super::listings::published_count(conn, "all", "")?,
        Some(_) => listed()?.count().get_result(conn)?,
    };
    let mut query = listed()?.select(post_listings::post_id);
    let newest_first = matches!(browse.order.as_slice(), [] | [(PostField::PublishedAt, Direction::Desc)]);
    let order = if newest_first { &[][..] } else { browse.order.as_slice() };
    if newest_first {
        query = query.order((post_listings::published_at.desc(), post_listings::post_id.desc()));
    }
    for (field, direction) in order {
        let asc = *direction == Direction::Asc;
        query = match field {
            PostField::PublishedAt if asc => query.then_order_by(post_listings::published_at.asc()),
            PostField::PublishedAt => query.then_order_by(post_listings::published_at.desc()),
            PostField::UpdatedAt if asc => query.then_order_by(posts::updated_at.asc()),
            PostField::UpdatedAt => query.then_order_by(posts::updated_at.desc()),
            PostField::CreatedAt if asc => query.then_order_by(posts::created_at.asc()),
            PostField::CreatedAt => query.then_order_by(posts::created_at.desc()),
            PostField::Title if asc => query.then_order_by(posts::title.asc()),
            PostField::Title => query.then_order_by(posts::title.desc()),
            PostField::Slug if asc => query.then_order_by(posts::slug.asc()),
            PostField::Slug => query.then_order_by(posts::slug.desc()),
            PostField::Featured if asc => query.then_order_by(posts::featured.asc()),
            PostField::Featured => query.then_order_by(posts::featured.desc()),
            PostField::ReadingTime if asc => query.then_order_by(posts::reading_time_minutes.asc()),
            PostField::ReadingTime => query.then_order_by(posts::reading_time_minutes.desc()),
            PostField::Id if asc => query.then_order_by(post_listings::post_id.asc()),
            PostField::Id => query.then_order_by(post_listings::post_id.desc()),
            other => return Err(StoreError::Corrupt(format!("{other:?} is not a sort key"))),
        };
    }
    // Ties broken by id, the way the last key sorts, so pages never overlap.
    if !newest_first && !order.iter().any(|(f, _)| *f == PostField::Id) {
        let desc = order.last().is_some_and(|(_, d)| *d == Direction::Desc);
        query = if desc {
            query.then_order_by(post_listings::post_id.desc())
        } else {
            query.then_order_by(post_listings::post_id.asc())
        };
    }
    let ids: Vec<PostId> = query.offset(i64::from(offset)).limit(i64::from(browse.limit)).load(conn)?;
    let mut by_id: HashMap<PostId, longform_domain::PostCard> =
        cards_by_ids(conn, &ids)?.into_iter().map(|c| (c.id, c)).collect();
    Ok((ids.iter().filter_map(|id| by_id.remove(id)).collect(), total))
}

/// The page's cards, with their bodies when `bodies_up_to` is given and
/// their HTML together fits in it.
fn with_bodies(
    conn: &mut AnyConnection,
    cards: Vec<longform_domain::PostCard>,
    total: i64,
    bodies_up_to: Option<i64>,
) -> Result<Result<Browsed<BrowsedPost>, BodiesTooLarge>, StoreError> {
    let Some(budget) = bodies_up_to else {
        return Ok(Ok(Browsed { items: cards.into_iter().map(BrowsedPost::Card).collect(), total }));
    };
    let ids: Vec<PostId> = cards.iter().map(|c| c.id).collect();
    let sizes: Vec<i32> = if ids.is_empty() {
        Vec::new()
    } else {
        posts::table.filter(posts::id.eq_any(&ids)).select(length(posts::html)).load(conn)?
    };
    let bytes: i64 = sizes.iter().map(|n| i64::from(*n)).sum();
    if bytes > budget {
        return Ok(Err(BodiesTooLarge { bytes }));
    }
    let mut bodies = if ids.is_empty() { HashMap::new() } else { bodies(conn, &ids)? };
    let items = cards
        .into_iter()
        .map(|card| {
            let body = bodies.remove(&card.id).ok_or(StoreError::NotFound)?;
            Ok(BrowsedPost::Whole(Post { card, body }))
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(Ok(Browsed { items, total }))
}

// ------------------------------------------------------------------ tags and authors

/// Published post counts of these ids of one kind ("tag", "author").
fn counts_of(conn: &mut AnyConnection, kind: &str, ids: &[String]) -> Result<HashMap<String, i64>, StoreError> {
    Ok(listing_counts::table
        .filter(listing_counts::kind.eq(kind))
        .filter(listing_counts::key.eq_any(ids))
        .select((listing_counts::key, listing_counts::posts))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect())
}

/// One browse of tags or authors: written once for both tables.
macro_rules! browse_terms {
    ($name:ident, $table:ident, $row:ident, $ty:ty, $kind:literal) => {
        pub(crate) fn $name(
            conn: &mut AnyConnection,
            browse: &Browse<TermField>,
        ) -> Result<Browsed<Counted<$ty>>, StoreError> {
            type T = $table::table;
            let Some(offset) = browse.offset() else {
                return Err(StoreError::Corrupt("a browse past its depth reached the query".into()));
            };
            let test = |field: &TermField, op: Op, values: &[Value]| -> Result<Predicate<T>, StoreError> {
                let pattern = matches!(op, Op::Contains | Op::StartsWith | Op::EndsWith);
                Ok(match field {
                    TermField::Id if pattern => pattern_test!(T, $table::id, op, values),
                    TermField::Id => column_test!(T, $table::id, op, values, text),
                    TermField::Slug if pattern => pattern_test!(T, $table::slug, op, values),
                    TermField::Slug => column_test!(T, $table::slug, op, values, text),
                    TermField::Name if pattern => pattern_test!(T, $table::name, op, values),
                    TermField::Name => column_test!(T, $table::name, op, values, text),
                    TermField::Visibility => return Err(StoreError::Corrupt("visibility reached the query".into())),
                })
            };
            // Public: made public, or with a published post.
            let public = || -> Result<$table::BoxedQuery<'static, MultiBackend>, StoreError> {
                let with_posts = listing_counts::table
                    .filter(listing_counts::kind.eq($kind))
                    .filter(listing_counts::posts.gt(0))
                    .select(listing_counts::key);
                let mut query =
                    $table::table.filter($table::public.eq(true).or($table::id.eq_any(with_posts))).into_boxed();
                if let Some(filter) = &browse.filter {
                    query = query.filter(combine(filter, &test)?);
                }
                Ok(query)
            };
            let total: i64 = public()?.count().get_result(conn)?;
            let mut query = public()?.select($row::as_select());
            let order = if browse.order.is_empty() { &[(TermField::Name, Direction::Asc)][..] } else { &browse.order };
            for (field, direction) in order {
                query = match (field, direction) {
                    (TermField::Name, Direction::Asc) => query.then_order_by($table::name.asc()),
                    (TermField::Name, Direction::Desc) => query.then_order_by($table::name.desc()),
                    (TermField::Slug, Direction::Asc) => query.then_order_by($table::slug.asc()),
                    (TermField::Slug, Direction::Desc) => query.then_order_by($table::slug.desc()),
                    (TermField::Id, Direction::Asc) => query.then_order_by($table::id.asc()),
                    (TermField::Id, Direction::Desc) => query.then_order_by($table::id.desc()),
                    (other, _) => return Err(StoreError::Corrupt(format!("{other:?} is not a sort key"))),
                };
            }
            query = query.then_order_by($table::id.asc());
            let rows: Vec<$row> = query.offset(i64::from(offset)).limit(i64::from(browse.limit)).load(conn)?;
            let items: Vec<$ty> = rows.into_iter().map(<$ty>::try_from).collect::<Result<_, _>>()?;
            let ids: Vec<String> = items.iter().map(|t| t.id.to_string()).collect();
            let counts = counts_of(conn, $kind, &ids)?;
            let items = items
                .into_iter()
                .map(|item| {
                    let published_posts = counts.get(&item.id.to_string()).copied().unwrap_or(0);
                    Counted { item, published_posts }
                })
                .collect();
            Ok(Browsed { items, total })
        }
    };
}

browse_terms!(browse_tags, tags, TagRow, Tag, "tag");
browse_terms!(browse_authors, authors, AuthorRow, Author, "author");
