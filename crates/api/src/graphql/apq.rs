//! Automatic Persisted Queries (Apollo's protocol): a client sends
//! `extensions.persistedQuery {version: 1, sha256Hash}`, with the query
//! text the first time; later requests, GETs included, send the hash alone.
//! Queries are kept in memory, least recently used first out, bounded in
//! count and in bytes whatever clients send.

use std::num::NonZeroUsize;
use std::sync::Mutex;

use lru::LruCache;
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// Queries kept at most.
const MAX_ENTRIES: usize = 2048;
/// Query text kept at most, all entries together.
const MAX_BYTES: usize = 16 * 1024 * 1024;

/// The `persistedQuery` extension of a request.
#[derive(Debug, Deserialize)]
pub struct PersistedQuery {
    pub version: i64,
    #[serde(rename = "sha256Hash")]
    pub sha256_hash: String,
}

/// Why a persisted query could not be used.
#[derive(Debug, PartialEq, Eq)]
pub enum ApqError {
    /// The hash is not known (yet): the client sends the query with it.
    NotFound,
    /// A version other than 1, or a hash that is not the query's.
    Invalid(&'static str),
}

struct Entries {
    map: LruCache<String, String>,
    bytes: usize,
}

pub struct PersistedQueries {
    entries: Mutex<Entries>,
}

impl Default for PersistedQueries {
    fn default() -> Self {
        let map = LruCache::new(NonZeroUsize::new(MAX_ENTRIES).unwrap_or(NonZeroUsize::MIN));
        Self { entries: Mutex::new(Entries { map, bytes: 0 }) }
    }
}

pub fn sha256_hex(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

impl PersistedQueries {
    /// The query to run: `query` itself (registered under its hash), or the
    /// one registered under the hash when the request has no query.
    pub fn resolve(&self, persisted: &PersistedQuery, query: Option<String>) -> Result<String, ApqError> {
        if persisted.version != 1 {
            return Err(ApqError::Invalid("only version 1 of persistedQuery is supported"));
        }
        let hash = persisted.sha256_hash.to_ascii_lowercase();
        match query {
            Some(query) => {
                if sha256_hex(&query) != hash {
                    return Err(ApqError::Invalid("provided sha does not match query"));
                }
                self.insert(hash, query.clone());
                Ok(query)
            }
            None => self.get(&hash).ok_or(ApqError::NotFound),
        }
    }

    fn get(&self, hash: &str) -> Option<String> {
        let mut entries = self.entries.lock().ok()?;
        entries.map.get(hash).cloned()
    }

    fn insert(&self, hash: String, query: String) {
        let Ok(mut entries) = self.entries.lock() else { return };
        if query.len() > MAX_BYTES || entries.map.contains(&hash) {
            return;
        }
        entries.bytes += query.len();
        if let Some((_, evicted)) = entries.map.push(hash, query) {
            entries.bytes -= evicted.len();
        }
        while entries.bytes > MAX_BYTES {
            let Some((_, evicted)) = entries.map.pop_lru() else { break };
            entries.bytes -= evicted.len();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ext(hash: &str) -> PersistedQuery {
        PersistedQuery { version: 1, sha256_hash: hash.to_owned() }
    }

    #[test]
    fn a_hash_works_once_registered_with_its_query() {
        let store = PersistedQueries::default();
        let query = "{ posts { totalCount } }";
        let hash = sha256_hex(query);
        assert_eq!(store.resolve(&ext(&hash), None), Err(ApqError::NotFound));
        assert_eq!(store.resolve(&ext(&hash), Some(query.into())).unwrap(), query);
        assert_eq!(store.resolve(&ext(&hash.to_uppercase()), None).unwrap(), query);
    }

    #[test]
    fn wrong_hashes_and_versions_are_refused() {
        let store = PersistedQueries::default();
        let wrong = sha256_hex("{ other }");
        assert!(matches!(store.resolve(&ext(&wrong), Some("{ posts }".into())), Err(ApqError::Invalid(_))));
        assert_eq!(store.resolve(&ext(&wrong), None), Err(ApqError::NotFound), "nothing was registered");
        let v2 = PersistedQuery { version: 2, sha256_hash: sha256_hex("{ a }") };
        assert!(matches!(store.resolve(&v2, Some("{ a }".into())), Err(ApqError::Invalid(_))));
    }

    #[test]
    fn known_sha256() {
        assert_eq!(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }
}
