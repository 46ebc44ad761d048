//! Full-text search over published posts: title, summary, body text and
//! tag names, ranked by relevance, each hit with a highlighted snippet.
//! SQLite runs it on FTS5 (bm25), PostgreSQL on a weighted tsvector under a
//! GIN index (ts_rank, ts_headline); this module is the only place that
//! knows. The index is rewritten with every write that changes what the
//! public sees, in that write's transaction, so a search agrees with the
//! site the moment a write commits.

use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::sql_types::{BigInt, Double, Text};
use diesel::sqlite::Sqlite;
use longform_domain::search::{MARK_END, MARK_START, snippet_html};
use longform_domain::{Post, PostCard, PostId, PostStatus, SearchQuery, Slug, markdown};

use crate::db::AnyConnection;
use crate::error::StoreError;
use crate::listing::{ListingFilter, resolve_facets};
use crate::posts::{CardRow, cards, get};
use crate::rows::parse_id;
use crate::schema::{post_listings, posts};
use crate::store::Store;

/// PostgreSQL indexes the first this many bytes of a body's text (about
/// 40,000 words): a tsvector is capped at 1 MB.
const PG_MAX_BODY_BYTES: usize = 256 * 1024;
/// Column weights for SQLite's bm25: title, summary, body, tags. PostgreSQL
/// weighs the same fields A (title), B (tags), C (summary), D (body).
const BM25: &str = "bm25(search_index, 10.0, 4.0, 1.0, 6.0)";
/// The bonus of a post whose title alone matches: bm25 of a short field is
/// about the term's idf, a body's at most 2.2 times it, so four times puts
/// title matches first.
const TITLE_BONUS: &str = "4.0 * bm25(search_titles)";
/// SQLite ranks at most this many of the newest matches of the body index
/// and of the title index: ranking costs about 2 µs a match, so a query
/// that matches most of a 100,000-post blog still answers in milliseconds.
/// Queries narrower than this (nearly all) are ranked in full.
const RANK_CANDIDATES: i64 = 4000;
/// About this many words around the first match.
const SNIPPET_TOKENS: i64 = 24;

/// Which published posts to search among.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchFilter {
    pub tag: Option<Slug>,
    pub category: Option<Slug>,
    pub author: Option<Slug>,
}

/// Where a page of hits starts: after the hit with this score and id.
/// Scores are "lower is better" on both backends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SearchCursor {
    pub score: f64,
    pub id: PostId,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub card: PostCard,
    /// Body text around the match, HTML-escaped, matches in `<mark>`.
    pub snippet: String,
    pub score: f64,
}

impl SearchHit {
    pub fn cursor(&self) -> SearchCursor {
        SearchCursor { score: self.score, id: self.card.id }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchPage {
    pub hits: Vec<SearchHit>,
    pub next: Option<SearchCursor>,
}

/// What the index holds of one post.
struct Document {
    title: String,
    summary: String,
    body: String,
    tags: String,
}

impl Document {
    fn of(post: &Post) -> Self {
        Self {
            title: post.card.title.to_string(),
            summary: post.card.summary.clone(),
            body: markdown::plain_text(&post.body.markdown),
            tags: post.card.tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", "),
        }
    }
}

/// Bring the post's index entry in line with it: present with its current
/// text while it is public, absent otherwise.
pub(crate) fn refresh(conn: &mut AnyConnection, post: &Post) -> Result<(), StoreError> {
    let id = post.card.id.to_string();
    let public = post.card.status == PostStatus::Published && post.card.deleted_at.is_none();
    let document = public.then(|| Document::of(post));
    match conn {
        AnyConnection::Sqlite(c) => refresh_sqlite(c, &id, document.as_ref())?,
        AnyConnection::Postgresql(c) => refresh_pg(c, &id, document.as_ref())?,
    }
    Ok(())
}

fn refresh_sqlite(c: &mut SqliteConnection, id: &str, document: Option<&Document>) -> QueryResult<()> {
    for table in ["search_index", "search_titles"] {
        diesel::sql_query(format!(
            "DELETE FROM {table} WHERE rowid IN (SELECT id FROM search_documents WHERE post_id = ?)"
        ))
        .bind::<Text, _>(id)
        .execute(c)?;
    }
    let Some(doc) = document else {
        diesel::sql_query("DELETE FROM search_documents WHERE post_id = ?").bind::<Text, _>(id).execute(c)?;
        return Ok(());
    };
    diesel::sql_query("INSERT OR IGNORE INTO search_documents (post_id) VALUES (?)").bind::<Text, _>(id).execute(c)?;
    diesel::sql_query(
        "INSERT INTO search_index (rowid, title, summary, body, tags) \
         SELECT id, ?, ?, ?, ? FROM search_documents WHERE post_id = ?",
    )
    .bind::<Text, _>(&doc.title)
    .bind::<Text, _>(&doc.summary)
    .bind::<Text, _>(&doc.body)
    .bind::<Text, _>(&doc.tags)
    .bind::<Text, _>(id)
    .execute(c)?;
    diesel::sql_query("INSERT INTO search_titles (rowid, title) SELECT id, ? FROM search_documents WHERE post_id = ?")
        .bind::<Text, _>(&doc.title)
        .bind::<Text, _>(id)
        .execute(c)?;
    Ok(())
}

fn refresh_pg(c: &mut PgConnection, id: &str, document: Option<&Document>) -> QueryResult<()> {
    let Some(doc) = document else {
        diesel::sql_query("DELETE FROM search_documents WHERE post_id = $1").bind::<Text, _>(id).execute(c)?;
        return Ok(());
    };
    let body = truncate_bytes(&doc.body, PG_MAX_BODY_BYTES);
    diesel::sql_query(
        "INSERT INTO search_documents (post_id, body, document) VALUES ($1, $2, \
         setweight(to_tsvector('english', $3), 'A') || setweight(to_tsvector('english', $4), 'B') \
         || setweight(to_tsvector('english', $5), 'C') || setweight(to_tsvector('english', $6), 'D')) \
         ON CONFLICT (post_id) DO UPDATE SET body = EXCLUDED.body, document = EXCLUDED.document",
    )
    .bind::<Text, _>(id)
    .bind::<Text, _>(body)
    .bind::<Text, _>(words_only(&doc.title))
    .bind::<Text, _>(words_only(&doc.tags))
    .bind::<Text, _>(words_only(&doc.summary))
    .bind::<Text, _>(words_only(body))
    .execute(c)?;
    Ok(())
}

/// Text as FTS5's unicode61 tokenizer sees it: runs of letters and digits.
/// PostgreSQL's parser would keep `sync.Mutex` or `/proc/self` whole as a
/// host or path; split like this, a query for either finds the same words
/// on both backends.
fn words_only(text: &str) -> String {
    text.chars().map(|c| if c.is_alphanumeric() { c } else { ' ' }).collect()
}

fn truncate_bytes(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The published posts that carry the tag: its name is part of their text,
/// so they are reindexed after it is renamed or deleted.
pub(crate) fn tagged_posts(conn: &mut AnyConnection, tag_id: &str) -> Result<Vec<PostId>, StoreError> {
    post_listings::table
        .filter(post_listings::kind.eq("tag"))
        .filter(post_listings::key.eq(tag_id))
        .select(post_listings::post_id)
        .load::<String>(conn)?
        .iter()
        .map(|id| parse_id(id))
        .collect()
}

/// Bring each post's index entry in line with it.
pub(crate) fn reindex(conn: &mut AnyConnection, ids: &[PostId]) -> Result<(), StoreError> {
    for id in ids {
        let post = get(conn, *id)?;
        refresh(conn, &post)?;
    }
    Ok(())
}

/// Index every published post from scratch; returns how many. Run when the
/// search migration is applied to a database that already has posts.
pub fn rebuild(conn: &mut AnyConnection) -> Result<usize, StoreError> {
    let ids: Vec<PostId> = posts::table
        .filter(posts::status.eq(PostStatus::Published.as_str()))
        .filter(posts::deleted_at.is_null())
        .select(posts::id)
        .load::<String>(conn)?
        .iter()
        .map(|id| parse_id(id))
        .collect::<Result<_, _>>()?;
    reindex(conn, &ids)?;
    Ok(ids.len())
}

/// One bound value of a query assembled at run time.
enum Param {
    Text(String),
    Float(f64),
    Int(i64),
}

/// SQL text with its parameters, placeholders in the backend's style.
struct Statement {
    sql: String,
    params: Vec<Param>,
    numbered: bool,
}

impl Statement {
    fn new(conn: &AnyConnection) -> Self {
        Self { sql: String::new(), params: Vec::new(), numbered: matches!(conn, AnyConnection::Postgresql(_)) }
    }

    fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    /// Append a placeholder bound to `param`.
    fn bind(&mut self, param: Param) -> &mut Self {
        self.params.push(param);
        if self.numbered {
            let n = self.params.len();
            self.sql.push_str(&format!("${n}"));
        } else {
            self.sql.push('?');
        }
        self
    }

    fn load<R>(self, conn: &mut AnyConnection) -> Result<Vec<R>, StoreError>
    where
        R: QueryableByName<Sqlite> + QueryableByName<Pg> + 'static,
    {
        Ok(match conn {
            AnyConnection::Sqlite(c) => bind_all(diesel::sql_query(self.sql).into_boxed(), self.params).load(c)?,
            AnyConnection::Postgresql(c) => bind_all(diesel::sql_query(self.sql).into_boxed(), self.params).load(c)?,
        })
    }
}

fn bind_all<DB>(
    mut query: BoxedSqlQuery<'static, DB, SqlQuery>,
    params: Vec<Param>,
) -> BoxedSqlQuery<'static, DB, SqlQuery>
where
    DB: diesel::backend::Backend
        + diesel::sql_types::HasSqlType<Text>
        + diesel::sql_types::HasSqlType<Double>
        + diesel::sql_types::HasSqlType<BigInt>,
    String: diesel::serialize::ToSql<Text, DB>,
    f64: diesel::serialize::ToSql<Double, DB>,
    i64: diesel::serialize::ToSql<BigInt, DB>,
{
    for param in params {
        query = match param {
            Param::Text(v) => query.bind::<Text, _>(v),
            Param::Float(v) => query.bind::<Double, _>(v),
            Param::Int(v) => query.bind::<BigInt, _>(v),
        };
    }
    query
}

/// The query in FTS5's syntax: each term a quoted phrase (words are letters
/// and digits only, so nothing in them is syntax), `*` for a prefix, all
/// terms required.
fn fts5_query(query: &SearchQuery) -> String {
    let terms =
        query.terms().iter().map(|t| format!("\"{}\"{}", t.words().join(" "), if t.is_prefix() { "*" } else { "" }));
    terms.collect::<Vec<_>>().join(" ")
}

/// The query for `to_tsquery`: phrases as `<->`, prefixes as `:*`, all terms
/// required.
fn tsquery(query: &SearchQuery) -> String {
    let terms = query.terms().iter().map(|t| {
        let phrase = t.words().join(" <-> ");
        if t.is_prefix() { format!("{phrase}:*") } else { phrase }
    });
    terms.map(|t| format!("({t})")).collect::<Vec<_>>().join(" & ")
}

#[derive(QueryableByName)]
struct Ranked {
    #[diesel(sql_type = Text)]
    post_id: String,
    #[diesel(sql_type = Double)]
    score: f64,
}

#[derive(QueryableByName)]
struct Snippet {
    #[diesel(sql_type = Text)]
    post_id: String,
    #[diesel(sql_type = Text)]
    snippet: String,
}

/// Published posts matching `query`, best first, after `after`, at most
/// `limit`: one statement ranks the matches, one cuts the page's snippets,
/// then the page's cards.
pub fn search(
    conn: &mut AnyConnection,
    query: &SearchQuery,
    filter: &SearchFilter,
    after: Option<SearchCursor>,
    limit: u32,
) -> Result<SearchPage, StoreError> {
    search_within(conn, query, filter, after, limit, RANK_CANDIDATES)
}

/// [`search`], ranking at most `candidates` newest matches of each SQLite
/// index (PostgreSQL ranks every match).
pub fn search_within(
    conn: &mut AnyConnection,
    query: &SearchQuery,
    filter: &SearchFilter,
    after: Option<SearchCursor>,
    limit: u32,
    candidates: i64,
) -> Result<SearchPage, StoreError> {
    let listing = ListingFilter {
        tag: filter.tag.clone(),
        category: filter.category.clone(),
        author: filter.author.clone(),
        ..ListingFilter::default()
    };
    let Some(facets) = resolve_facets(conn, &listing)? else {
        return Ok(SearchPage { hits: Vec::new(), next: None });
    };
    let mut statement = ranked_matches(conn, query, candidates);
    for (facet, key) in facets {
        statement.push(" AND post_id IN (SELECT post_id FROM post_listings WHERE kind = ");
        statement.bind(Param::Text(facet.kind().to_owned())).push(" AND key = ").bind(Param::Text(key)).push(")");
    }
    if let Some(cursor) = after {
        statement.push(" AND (score > ").bind(Param::Float(cursor.score));
        statement.push(" OR (score = ").bind(Param::Float(cursor.score));
        statement.push(" AND post_id > ").bind(Param::Text(cursor.id.to_string())).push("))");
    }
    let limit = limit.clamp(1, crate::listing::MAX_PAGE_SIZE);
    statement.push(" ORDER BY score, post_id LIMIT ").bind(Param::Int(i64::from(limit) + 1));
    let mut ranked: Vec<Ranked> = statement.load(conn)?;
    let more = ranked.len() > limit as usize;
    ranked.truncate(limit as usize);
    let hits = hits(conn, query, ranked)?;
    let next = if more { hits.last().map(SearchHit::cursor) } else { None };
    Ok(SearchPage { hits, next })
}

/// `SELECT post_id, score FROM (...) hits WHERE 1 = 1`, ready for more
/// conditions: every match with its score, lower is better.
fn ranked_matches(conn: &AnyConnection, query: &SearchQuery, candidates: i64) -> Statement {
    let mut statement = Statement::new(conn);
    match conn {
        // Each index's newest matches, materialised once (as a join, SQLite
        // would run the title MATCH again for every body match); a title
        // match beyond the body's candidates still counts, on its bonus.
        AnyConnection::Sqlite(_) => statement
            .push("WITH titles AS MATERIALIZED (SELECT rowid AS doc, ")
            .push(TITLE_BONUS)
            .push(" AS score FROM search_titles WHERE search_titles MATCH ")
            .bind(Param::Text(fts5_query(query)))
            .push(" ORDER BY rowid DESC LIMIT ")
            .bind(Param::Int(candidates))
            .push("), body AS MATERIALIZED (SELECT rowid AS doc, ")
            .push(BM25)
            .push(" AS score FROM search_index WHERE search_index MATCH ")
            .bind(Param::Text(fts5_query(query)))
            .push(" ORDER BY rowid DESC LIMIT ")
            .bind(Param::Int(candidates))
            .push("), ranked AS (SELECT b.doc AS doc, b.score + coalesce(t.score, 0.0) AS score FROM body b")
            .push(" LEFT JOIN titles t ON t.doc = b.doc UNION ALL")
            .push(" SELECT doc, score FROM titles WHERE doc NOT IN (SELECT doc FROM body))")
            .push(" SELECT post_id, score FROM (SELECT d.post_id AS post_id, r.score AS score FROM ranked r")
            .push(" JOIN search_documents d ON d.id = r.doc) hits WHERE 1 = 1"),
        AnyConnection::Postgresql(_) => statement
            .push("SELECT post_id, score FROM (SELECT d.post_id AS post_id, (-ts_rank(d.document, q, 1))::float8 AS score")
            .push(" FROM search_documents d, to_tsquery('english', ")
            .bind(Param::Text(tsquery(query)))
            .push(") q WHERE d.document @@ q) hits WHERE 1 = 1"),
    };
    statement
}

/// The ranked posts as hits, in rank order, with snippets and cards.
fn hits(conn: &mut AnyConnection, query: &SearchQuery, ranked: Vec<Ranked>) -> Result<Vec<SearchHit>, StoreError> {
    if ranked.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = ranked.iter().map(|r| r.post_id.clone()).collect();
    let mut snippets: std::collections::HashMap<String, String> =
        snippets(conn, query, &ids)?.into_iter().map(|s| (s.post_id, snippet_html(&s.snippet))).collect();
    let rows = posts::table.filter(posts::id.eq_any(&ids)).select(CardRow::as_select()).load(conn)?;
    let mut cards: std::collections::HashMap<String, PostCard> =
        cards(conn, rows)?.into_iter().map(|c| (c.id.to_string(), c)).collect();
    Ok(ranked
        .into_iter()
        .filter_map(|r| {
            let card = cards.remove(&r.post_id)?;
            Some(SearchHit { card, snippet: snippets.remove(&r.post_id).unwrap_or_default(), score: r.score })
        })
        .collect())
}

fn snippets(conn: &mut AnyConnection, query: &SearchQuery, ids: &[String]) -> Result<Vec<Snippet>, StoreError> {
    let mut statement = Statement::new(conn);
    let close = match conn {
        AnyConnection::Sqlite(_) => {
            statement.push("SELECT d.post_id AS post_id, snippet(search_index, 2, ");
            statement.bind(Param::Text(MARK_START.into())).push(", ").bind(Param::Text(MARK_END.into()));
            statement.push(", '…', ").bind(Param::Int(SNIPPET_TOKENS));
            statement.push(") AS snippet FROM search_index JOIN search_documents d ON d.id = search_index.rowid ");
            statement.push("WHERE search_index MATCH ").bind(Param::Text(fts5_query(query)));
            statement.push(" AND search_index.rowid IN (SELECT id FROM search_documents WHERE post_id IN (");
            "))"
        }
        AnyConnection::Postgresql(_) => {
            let options = format!(
                "StartSel={MARK_START}, StopSel={MARK_END}, MaxWords={SNIPPET_TOKENS}, MinWords={}, MaxFragments=1",
                SNIPPET_TOKENS / 2
            );
            statement.push("SELECT d.post_id AS post_id, ts_headline('english', d.body, q, ");
            statement.bind(Param::Text(options)).push(") AS snippet FROM search_documents d, to_tsquery('english', ");
            statement.bind(Param::Text(tsquery(query))).push(") q WHERE d.post_id IN (");
            ")"
        }
    };
    for (i, id) in ids.iter().enumerate() {
        statement.push(if i == 0 { "" } else { ", " }).bind(Param::Text(id.clone()));
    }
    statement.push(close);
    statement.load(conn)
}

impl Store {
    pub async fn search(
        &self,
        query: SearchQuery,
        filter: SearchFilter,
        after: Option<SearchCursor>,
        limit: u32,
    ) -> Result<SearchPage, StoreError> {
        self.read(move |c| search(c, &query, &filter, after, limit)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_in_each_dialect() {
        let query = SearchQuery::parse("\"memory model\" sched* sync.Mutex").unwrap();
        assert_eq!(fts5_query(&query), "\"memory model\" \"sched\"* \"sync mutex\"");
        assert_eq!(tsquery(&query), "(memory <-> model) & (sched:*) & (sync <-> mutex)");
        assert_eq!(words_only("go:linkname /proc/self"), "go linkname  proc self");
        assert_eq!(truncate_bytes("héllo", 2), "h");
    }
}
