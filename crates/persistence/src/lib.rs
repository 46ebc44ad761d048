//! Longform's storage: Diesel on SQLite and PostgreSQL behind one async
//! repository API, with the embedded migrations of both backends.

pub mod auth;
pub mod changelog;
pub mod changes;
pub mod db;
pub mod editorial;
pub mod error;
pub mod export;
pub mod import;
pub mod listing;
pub mod migrations;
pub mod outbox;
pub mod posts;
mod rows;
pub mod schedule;
pub mod schema;
pub mod search;
pub mod stats;
pub mod store;
pub mod taxonomy;
pub mod users;
pub mod webhooks;

#[cfg(feature = "testing")]
pub mod testing;

pub use db::{AnyConnection, Backend, DatabaseUrl, PoolOptions};
pub use editorial::{AdminFilter, CreatedKeyset};
pub use error::StoreError;
pub use listing::{Keyset, ListingFilter, MAX_PAGE_SIZE, Page};
pub use search::{SearchCursor, SearchFilter, SearchHit, SearchPage};
pub use store::{Store, now};
pub use taxonomy::{Counted, Missing};
