//! The listing index: one `post_listings` row per listing a public post
//! appears in (the whole blog, featured, its category, each tag, each
//! author), and each listing's post count in `listing_counts`. A change
//! writes only the rows that differ, so an edit that moves no listing
//! costs one statement.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use longform_domain::PostCard;

use crate::db::AnyConnection;
use crate::error::StoreError;
use crate::read::listings::listings_of;
use crate::schema::{listing_counts, post_listings};
use crate::sql::{Param, Statement};
use crate::time::to_db;

type Entry = (String, String, NaiveDateTime);

/// The listings `card` belongs to as it stands: none unless it is public.
fn wanted(card: &PostCard) -> Vec<Entry> {
    let (true, Some(published_at)) = (card.is_public(), card.published_at) else { return Vec::new() };
    let at = to_db(published_at);
    let mut keys: Vec<(&str, String)> = vec![("all", String::new())];
    if card.featured {
        keys.push(("featured", String::new()));
    }
    keys.extend(card.category.iter().map(|c| ("category", c.id.to_string())));
    keys.extend(card.tags.iter().map(|t| ("tag", t.id.to_string())));
    keys.extend(card.authors.iter().map(|a| ("author", a.id.to_string())));
    keys.into_iter().map(|(kind, key)| (kind.to_owned(), key, at)).collect()
}

/// Bring the post's listing rows and the listings' counts in line with it.
pub(crate) fn refresh(conn: &mut AnyConnection, card: &PostCard) -> Result<(), StoreError> {
    let current = listings_of(conn, card.id)?;
    let wanted = wanted(card);
    let gone: Vec<&Entry> = current.iter().filter(|e| !wanted.contains(e)).collect();
    let added: Vec<&Entry> = wanted.iter().filter(|e| !current.contains(e)).collect();
    if !gone.is_empty() {
        let mut delete = Statement::new(conn);
        delete.push("DELETE FROM post_listings WHERE post_id = ").bind(Param::Text(card.id.to_string()));
        delete.push(" AND (");
        for (i, (kind, key, _)) in gone.iter().enumerate() {
            delete.push(if i == 0 { "(kind = " } else { " OR (kind = " }).bind(Param::Text(kind.clone()));
            delete.push(" AND key = ").bind(Param::Text(key.clone())).push(")");
        }
        delete.push(")");
        delete.execute(conn)?;
    }
    if !added.is_empty() {
        let mut insert = Statement::new(conn);
        insert.push("INSERT INTO post_listings (kind, key, post_id, published_at) VALUES ");
        for (i, (kind, key, at)) in added.iter().enumerate() {
            insert.push(if i == 0 { "" } else { ", " });
            insert.row([
                Param::Text(kind.clone()),
                Param::Text(key.clone()),
                Param::Text(card.id.to_string()),
                Param::Time(*at),
            ]);
        }
        insert.execute(conn)?;
    }
    let mut deltas: Vec<(&str, &str, i64)> = Vec::new();
    for (entries, delta) in [(&gone, -1), (&added, 1)] {
        for (kind, key, _) in entries.iter() {
            match deltas.iter_mut().find(|(k, c, _)| k == kind && c == key) {
                Some(found) => found.2 += delta,
                None => deltas.push((kind, key, delta)),
            }
        }
    }
    deltas.retain(|(_, _, delta)| *delta != 0);
    count_changes(conn, &deltas)
}

/// Move each listing's post count by its delta, creating its row on first use.
fn count_changes(conn: &mut AnyConnection, deltas: &[(&str, &str, i64)]) -> Result<(), StoreError> {
    if deltas.is_empty() {
        return Ok(());
    }
    let mut upsert = Statement::new(conn);
    upsert.push("INSERT INTO listing_counts (kind, key, posts) VALUES ");
    for (i, (kind, key, delta)) in deltas.iter().enumerate() {
        upsert.push(if i == 0 { "" } else { ", " });
        upsert.row([Param::Text((*kind).to_owned()), Param::Text((*key).to_owned()), Param::Int(*delta)]);
    }
    upsert.push(" ON CONFLICT (kind, key) DO UPDATE SET posts = listing_counts.posts + excluded.posts");
    upsert.execute(conn)?;
    Ok(())
}

/// Forget a listing that no longer exists (a deleted tag, category or author).
pub(crate) fn drop_listing(conn: &mut AnyConnection, kind: &str, key: &str) -> Result<(), StoreError> {
    diesel::delete(post_listings::table.filter(post_listings::kind.eq(kind)).filter(post_listings::key.eq(key)))
        .execute(conn)?;
    diesel::delete(listing_counts::table.filter(listing_counts::kind.eq(kind)).filter(listing_counts::key.eq(key)))
        .execute(conn)?;
    Ok(())
}
