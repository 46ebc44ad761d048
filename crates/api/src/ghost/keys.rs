//! Content keys: `?key=` on every Ghost request, a live integration token
//! of the `content` scope. A key found valid is remembered for
//! [`KEY_TTL`], so that a cached answer costs no database read (one read
//! per request had the Ghost index at a quarter of the REST index's
//! rate). Revoking any token here forgets them all at once; another
//! replica stops accepting a revoked key within [`KEY_TTL`].

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use longform_domain::{Secret, TokenScope};

use super::error::GhostError;
use crate::AppState;
use crate::error::ApiError;

/// How long a key found valid is taken on trust.
pub const KEY_TTL: Duration = Duration::from_secs(5);
/// The most keys remembered; past it the memory starts over.
const MAX_KEYS: usize = 1_000;

/// Hashes of content keys found valid, and when.
#[derive(Default)]
pub struct KeyCache(RwLock<HashMap<String, Instant>>);

impl KeyCache {
    fn fresh(&self, hash: &str) -> bool {
        self.0.read().is_ok_and(|keys| keys.get(hash).is_some_and(|at| at.elapsed() < KEY_TTL))
    }

    fn remember(&self, hash: String) {
        if let Ok(mut keys) = self.0.write() {
            if keys.len() >= MAX_KEYS {
                keys.clear();
            }
            keys.insert(hash, Instant::now());
        }
    }

    /// Forget every key: a token was revoked.
    pub fn forget_all(&self) {
        if let Ok(mut keys) = self.0.write() {
            keys.clear();
        }
    }
}

/// `key` is a live content key (a missing one is not).
pub(super) async fn check(state: &AppState, key: Option<&str>) -> Result<(), GhostError> {
    let unknown = GhostError(ApiError::Unauthorized("Unknown Content API Key"));
    let Some(key) = key.filter(|k| k.len() >= 26 && k.len() <= 128) else { return Err(unknown) };
    let hash = Secret::presented(key).hash();
    if state.content_keys.fresh(&hash) {
        return Ok(());
    }
    match state.store.auth().use_api_token(hash.clone()).await? {
        Some(token) if token.scope == TokenScope::Content => {
            state.content_keys.remember(hash);
            Ok(())
        }
        _ => Err(unknown),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_remembered_for_a_while_and_forgotten_on_revocation() {
        let cache = KeyCache::default();
        assert!(!cache.fresh("a"));
        cache.remember("a".into());
        assert!(cache.fresh("a") && !cache.fresh("b"));
        cache.forget_all();
        assert!(!cache.fresh("a"));
        if let Ok(mut keys) = cache.0.write() {
            keys.insert("old".into(), Instant::now() - KEY_TTL);
        }
        assert!(!cache.fresh("old"), "past its time");
        for i in 0..=MAX_KEYS {
            cache.remember(i.to_string());
        }
        assert!(cache.0.read().is_ok_and(|keys| keys.len() <= MAX_KEYS));
    }
}
