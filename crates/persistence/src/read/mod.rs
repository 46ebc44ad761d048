//! Reads: rows and queries, nothing written. Every effect, command and
//! repository above builds on these; none of them reaches up.

pub(crate) mod accounts;
pub(crate) mod admin;
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
