//! What the commands run on: the store, opened from the settings, and a
//! single-threaded tokio runtime for the one-shot commands (`serve` has
//! actix's own).

use longform_persistence::{PoolOptions, Store};
use secrecy::ExposeSecret;

use crate::config::Settings;
use crate::error::CliError;

pub fn open_store(settings: &Settings) -> Result<Store, CliError> {
    let options = PoolOptions { max_connections: settings.database_pool_size, ..PoolOptions::default() };
    Ok(Store::open(settings.database_url.expose_secret(), &options)?)
}

pub fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    Ok(tokio::runtime::Builder::new_current_thread().enable_all().build()?)
}
