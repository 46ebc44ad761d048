//! Full-text search over published posts: title, summary, body text and
//! tag names, ranked by relevance, each hit with a highlighted snippet.
//! SQLite runs it on FTS5 (bm25), PostgreSQL on a weighted tsvector under
//! a GIN index (ts_rank, ts_headline). The index itself is kept by
//! [`crate::effects`].

use diesel::prelude::*;
use diesel::sql_types::{Double, Text};
use longform_domain::search::{MARK_END, MARK_START, snippet_html};
use longform_domain::{PostCard, PostId, SearchQuery};

use super::listings::resolve_facets;
use super::posts::cards_by_ids;
use crate::db::AnyConnection;
use crate::error::StoreError;
use crate::model::{ListingFilter, MAX_PAGE_SIZE, SearchCursor, SearchFilter, SearchHit, SearchPage};
use crate::sql::{Param, Statement};

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
pub(crate) const RANK_CANDIDATES: i64 = 4000;
/// About this many words around the first match.
const SNIPPET_TOKENS: i64 = 24;

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
pub(crate) fn search(
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
pub(crate) fn search_within(
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
    let limit = limit.clamp(1, MAX_PAGE_SIZE);
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
    let post_ids: Vec<PostId> = ids
        .iter()
        .map(|id| id.parse())
        .collect::<Result<_, _>>()
        .map_err(|_| StoreError::Corrupt("search document id".into()))?;
    let mut cards: std::collections::HashMap<String, PostCard> =
        cards_by_ids(conn, &post_ids)?.into_iter().map(|c| (c.id.to_string(), c)).collect();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_in_each_dialect() {
        let query = SearchQuery::parse("\"memory model\" sched* sync.Mutex").unwrap();
        assert_eq!(fts5_query(&query), "\"memory model\" \"sched\"* \"sync mutex\"");
        assert_eq!(tsquery(&query), "(memory <-> model) & (sched:*) & (sync <-> mutex)");
    }
}
