//! Public reads served from memory. An entry remembers the store
//! generation it was built at; any write through the store moves the
//! generation, so every older entry is stale at once: no stale read after a
//! publish, edit, unpublish or delete on this node. Every public answer
//! carries a strong ETag (a hash of its bytes), and `If-None-Match` gets a
//! 304 without a body.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};

/// Entries, and bytes of bodies, kept before the cache starts over: bounds
/// memory whatever the variety of query strings clients send and however
/// long the articles (a 30-minute essay is about 60 KB of JSON).
const MAX_ENTRIES: usize = 4096;
const MAX_BYTES: usize = 24 * 1024 * 1024;

/// One cached answer.
#[derive(Debug, Clone)]
pub struct Cached {
    pub status: StatusCode,
    pub content_type: HeaderValue,
    pub body: Bytes,
    pub etag: HeaderValue,
    /// Extra headers to replay (a `Link` to feeds, say).
    pub headers: Vec<(header::HeaderName, HeaderValue)>,
}

impl Cached {
    pub fn new(status: StatusCode, content_type: HeaderValue, body: Bytes) -> Self {
        let etag = etag_of(&body);
        Self { status, content_type, body, etag, headers: Vec::new() }
    }
}

/// A strong validator: a 64-bit hash of the bytes and their length.
pub fn etag_of(body: &[u8]) -> HeaderValue {
    let mut hasher = DefaultHasher::new();
    body.hash(&mut hasher);
    let value = format!("\"{:016x}-{:x}\"", hasher.finish(), body.len());
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("\"0\""))
}

#[derive(Default)]
struct Entries {
    generation: u64,
    map: HashMap<String, Arc<Cached>>,
    bytes: usize,
}

#[derive(Default)]
pub struct ResponseCache {
    entries: RwLock<Entries>,
    /// Lookups answered and not, for /metrics.
    hits: AtomicU64,
    misses: AtomicU64,
}

impl ResponseCache {
    /// The entry for `key` if it was built at `generation`.
    pub fn get(&self, key: &str, generation: u64) -> Option<Arc<Cached>> {
        let found = self.lookup(key, generation);
        let counter = if found.is_some() { &self.hits } else { &self.misses };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    fn lookup(&self, key: &str, generation: u64) -> Option<Arc<Cached>> {
        let entries = self.entries.read().ok()?;
        (entries.generation == generation).then(|| entries.map.get(key).cloned()).flatten()
    }

    /// Lookups so far that found a current entry, and those that did not.
    pub fn hits_and_misses(&self) -> (u64, u64) {
        (self.hits.load(Ordering::Relaxed), self.misses.load(Ordering::Relaxed))
    }

    /// Keep `cached` for `key`, built at `generation`. An entry built before
    /// a write that has since landed is dropped rather than stored.
    pub fn put(&self, key: String, generation: u64, cached: Cached) -> Arc<Cached> {
        let cached = Arc::new(cached);
        if let Ok(mut entries) = self.entries.write() {
            let replacing = entries.map.get(&key).map_or(0, |c| c.body.len());
            let full = entries.map.len() >= MAX_ENTRIES || entries.bytes - replacing + cached.body.len() > MAX_BYTES;
            if generation > entries.generation || full {
                entries.map.clear();
                entries.bytes = 0;
                entries.generation = entries.generation.max(generation);
            }
            if generation == entries.generation {
                entries.bytes += cached.body.len();
                if let Some(replaced) = entries.map.insert(key, Arc::clone(&cached)) {
                    entries.bytes -= replaced.body.len();
                }
            }
        }
        cached
    }
}

/// Whether the client's copy is current: `If-None-Match` names `etag` (or
/// `*`), or, without it, `If-Modified-Since` is not before `Last-Modified`.
fn not_modified(req: &HttpRequest, cached: &Cached) -> bool {
    let etag = &cached.etag;
    let Some(Ok(candidates)) = req.headers().get(header::IF_NONE_MATCH).map(HeaderValue::to_str) else {
        return not_modified_since(req, cached);
    };
    let etag = etag.to_str().unwrap_or_default();
    candidates.split(',').map(str::trim).any(|c| c == "*" || c == etag || c.strip_prefix("W/") == Some(etag))
}

fn not_modified_since(req: &HttpRequest, cached: &Cached) -> bool {
    let date =
        |value: &HeaderValue| value.to_str().ok()?.parse::<header::HttpDate>().ok().map(std::time::SystemTime::from);
    let since = req.headers().get(header::IF_MODIFIED_SINCE).and_then(date);
    let modified = cached.headers.iter().find(|(name, _)| name == header::LAST_MODIFIED).and_then(|(_, v)| date(v));
    matches!((since, modified), (Some(since), Some(modified)) if modified <= since)
}

/// The HTTP answer for a cached (or freshly built) public response:
/// 304 when the client already has it, else the bytes, with the validator
/// and caching headers either way.
pub fn respond(req: &HttpRequest, cached: &Cached, cache_control: &HeaderValue) -> HttpResponse {
    let fresh = not_modified(req, cached);
    let mut builder = if fresh { HttpResponse::NotModified() } else { HttpResponse::build(cached.status) };
    builder.insert_header((header::ETAG, cached.etag.clone()));
    builder.insert_header((header::CACHE_CONTROL, cache_control.clone()));
    builder.insert_header((header::VARY, HeaderValue::from_static("Accept-Encoding")));
    for (name, value) in &cached.headers {
        builder.append_header((name.clone(), value.clone()));
    }
    if fresh {
        return builder.finish();
    }
    builder.insert_header((header::CONTENT_TYPE, cached.content_type.clone()));
    builder.body(cached.body.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn entry(body: &'static str) -> Cached {
        Cached::new(StatusCode::OK, HeaderValue::from_static("application/json"), Bytes::from_static(body.as_bytes()))
    }

    #[test]
    fn entries_are_stale_once_the_generation_moves() {
        let cache = ResponseCache::default();
        cache.put("/a".into(), 1, entry("one"));
        assert_eq!(cache.get("/a", 1).unwrap().body, "one");
        assert!(cache.get("/a", 2).is_none());
        assert_eq!(cache.hits_and_misses(), (1, 1), "a stale entry is a miss");
        cache.put("/a".into(), 2, entry("two"));
        assert!(cache.get("/a", 1).is_none());
        // Built before a write that has since landed: not kept.
        cache.put("/b".into(), 1, entry("old"));
        assert!(cache.get("/b", 1).is_none() && cache.get("/b", 2).is_none());
    }

    #[test]
    fn the_cache_starts_over_rather_than_outgrow_its_byte_budget() {
        let cache = ResponseCache::default();
        let big = || {
            let body = Bytes::from(vec![b'x'; MAX_BYTES / 3 + 1]);
            Cached::new(StatusCode::OK, HeaderValue::from_static("application/json"), body)
        };
        for key in ["/1", "/2"] {
            cache.put(key.into(), 1, big());
        }
        cache.put("/2".into(), 1, big());
        assert!(cache.get("/1", 1).is_some() && cache.get("/2", 1).is_some(), "a replaced entry is not counted twice");
        cache.put("/3".into(), 1, big());
        assert!(cache.get("/1", 1).is_none(), "over budget: started over");
        assert!(cache.get("/3", 1).is_some());
    }

    #[test]
    fn etags_are_strong_and_follow_the_bytes() {
        assert_eq!(etag_of(b"x"), etag_of(b"x"));
        assert_ne!(etag_of(b"x"), etag_of(b"y"));
        assert!(!etag_of(b"x").to_str().unwrap().starts_with("W/"));
    }

    #[test]
    fn if_none_match_gets_a_304_without_a_body() {
        let cached = entry("body");
        let etag = cached.etag.to_str().unwrap().to_owned();
        let hit =
            TestRequest::get().insert_header((header::IF_NONE_MATCH, format!("\"other\", {etag}"))).to_http_request();
        let response = respond(&hit, &cached, &HeaderValue::from_static("public, max-age=60"));
        assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(response.headers().get(header::ETAG).unwrap().to_str().unwrap(), etag);
        let miss = TestRequest::get().insert_header((header::IF_NONE_MATCH, "\"other\"")).to_http_request();
        assert_eq!(respond(&miss, &cached, &HeaderValue::from_static("public")).status(), StatusCode::OK);
    }
}
