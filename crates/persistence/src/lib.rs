//! Longform's storage: Diesel on SQLite and PostgreSQL behind one async
//! API, with the embedded migrations of both backends.
//!
//! Layers, each using only those below it:
//! - [`facades`]: the async repositories other crates call (`store.posts()`, ...);
//! - `commands`: every write, one transaction each, loading a post once;
//! - `effects`: what a post change also touches (listings, search, revisions,
//!   change feed, webhook outbox), given the loaded post;
//! - `read`: rows and queries;
//! - the ground: connections and pools (`db`), the store's runners
//!   (`store`), the locks that serialise racing writers (`locks`), rows (`rows`), the schema, errors, time and the values the
//!   repositories take and give ([`model`]).

mod commands;
pub mod db;
mod effects;
pub mod error;
pub mod facades;
mod locks;
pub mod media_store;
pub mod migrations;
pub mod model;
mod read;
mod rows;
pub mod schema;
mod sql;
pub mod store;
mod time;
pub mod watch;
pub mod workers;

#[cfg(feature = "testing")]
pub mod testing;

pub use db::{AnyConnection, Backend, DatabaseUrl, PoolOptions};
pub use error::StoreError;
pub use model::*;
pub use rows::export;
pub use store::Store;
pub use time::{now, truncate};
