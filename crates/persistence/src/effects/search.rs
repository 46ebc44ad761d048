//! The search index: a public post's title, summary, body text and tag
//! names, absent for every other post. SQLite keeps it in two FTS5 tables
//! keyed by the integer id `search_documents` gives each post; PostgreSQL
//! in one weighted tsvector per post.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel::{PgConnection, SqliteConnection};
use longform_domain::{Post, markdown};

use crate::db::AnyConnection;
use crate::error::StoreError;

/// PostgreSQL indexes the first this many bytes of a body's text (about
/// 40,000 words): a tsvector is capped at 1 MB.
const PG_MAX_BODY_BYTES: usize = 256 * 1024;

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
    let document = post.card.is_public().then(|| Document::of(post));
    match conn {
        AnyConnection::Sqlite(c) => refresh_sqlite(c, &id, document.as_ref())?,
        AnyConnection::Postgresql(c) => refresh_pg(c, &id, document.as_ref())?,
    }
    Ok(())
}

#[derive(QueryableByName)]
struct DocumentId {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

fn refresh_sqlite(c: &mut SqliteConnection, id: &str, document: Option<&Document>) -> QueryResult<()> {
    let Some(doc) = document else {
        let gone: Option<DocumentId> =
            diesel::sql_query("DELETE FROM search_documents WHERE post_id = ? RETURNING id AS id")
                .bind::<Text, _>(id)
                .get_result(c)
                .optional()?;
        if let Some(gone) = gone {
            for table in ["search_index", "search_titles"] {
                diesel::sql_query(format!("DELETE FROM {table} WHERE rowid = ?"))
                    .bind::<BigInt, _>(gone.id)
                    .execute(c)?;
            }
        }
        return Ok(());
    };
    let DocumentId { id: rowid } = diesel::sql_query(
        "INSERT INTO search_documents (post_id) VALUES (?) \
         ON CONFLICT (post_id) DO UPDATE SET post_id = excluded.post_id RETURNING id AS id",
    )
    .bind::<Text, _>(id)
    .get_result(c)?;
    diesel::sql_query("INSERT OR REPLACE INTO search_index (rowid, title, summary, body, tags) VALUES (?, ?, ?, ?, ?)")
        .bind::<BigInt, _>(rowid)
        .bind::<Text, _>(&doc.title)
        .bind::<Text, _>(&doc.summary)
        .bind::<Text, _>(&doc.body)
        .bind::<Text, _>(&doc.tags)
        .execute(c)?;
    diesel::sql_query("INSERT OR REPLACE INTO search_titles (rowid, title) VALUES (?, ?)")
        .bind::<BigInt, _>(rowid)
        .bind::<Text, _>(&doc.title)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_split_as_both_engines_see_words() {
        assert_eq!(words_only("go:linkname /proc/self"), "go linkname  proc self");
        assert_eq!(truncate_bytes("héllo", 2), "h");
    }
}
