//! Reads: rows and queries, nothing written. Every effect, command and
//! repository above builds on these; none of them reaches up.

pub(crate) mod accounts;
pub(crate) mod admin;
pub(crate) mod browse;
pub(crate) mod changes;
pub(crate) mod export;
pub(crate) mod listings;
pub(crate) mod media;
pub(crate) mod outbox;
pub(crate) mod posts;
pub(crate) mod revisions;
pub(crate) mod schedule;
pub(crate) mod search;
pub(crate) mod sitemap;
pub(crate) mod stats;
pub(crate) mod taxonomy;
pub(crate) mod webhooks;

diesel::define_sql_function! {
    /// Lower case, as both backends spell it (ASCII only on SQLite).
    fn lower(text: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// `%`, `_` and `\` matched as themselves in a LIKE pattern escaped by `\`.
pub(crate) fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
