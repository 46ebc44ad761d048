//! Public reads served from memory. An entry remembers the store
//! generation it was built at; any write through the store that the public
//! can see moves the generation, so every older entry is stale at once: no
//! stale read after a publish, edit, unpublish or delete on this node. A
//! draft's autosave moves nothing. Every public answer
//! carries a strong ETag (a hash of its bytes), and `If-None-Match` gets a
//! 304 without a body.
//!
//! An entry keeps its compressed variants, counted in the cache's byte
//! budget: gzip, made by the first reader that wants it (readers arriving
//! meanwhile wait for that one compression rather than start their own),
//! and brotli at its best quality, made in the background while readers
//! get gzip. Each variant has its own strong ETag (the identity one with
//! `-gz` or `-br`), and `Vary: Accept-Encoding` goes with every answer.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock, RwLock};

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};

use crate::compress::{self, Accepted, Coding, Effort};

/// Entries, and bytes of bodies, kept before the cache starts over: bounds
/// memory whatever the variety of query strings clients send and however
/// long the articles (a 30-minute essay is about 60 KB of JSON; with its
/// gzip and brotli variants, 12 MB holds about 200). With the cache full the
/// server stays under 60 MB resident (BENCHMARKS.md).
const MAX_ENTRIES: usize = 4096;
const MAX_BYTES: usize = 12 * 1024 * 1024;

/// The codings an answer may go out in, best first for the server.
const CODINGS: [Coding; 3] = [Coding::Brotli, Coding::Gzip, Coding::Identity];

/// One cached answer.
#[derive(Debug)]
pub struct Cached {
    pub status: StatusCode,
    pub content_type: HeaderValue,
    pub body: Bytes,
    pub etag: HeaderValue,
    /// Extra headers to replay (a `Link` to feeds, say).
    pub headers: Vec<(header::HeaderName, HeaderValue)>,
    variants: Variants,
}

/// An answer's compressed forms, made when first wanted.
#[derive(Debug, Default)]
struct Variants {
    gzip: OnceLock<Variant>,
    brotli: OnceLock<Variant>,
    /// Whether brotli has been asked of the background thread.
    brotli_asked: AtomicBool,
    /// The byte count of what holds this answer (the cache's generation),
    /// set when it is stored: variants add to it. Unset, the answer lives
    /// for one request, and gets no background work.
    budget: OnceLock<Arc<AtomicUsize>>,
}

#[derive(Debug)]
struct Variant {
    body: Bytes,
    etag: HeaderValue,
}

impl Cached {
    pub fn new(status: StatusCode, content_type: HeaderValue, body: Bytes) -> Self {
        let etag = etag_of(&body);
        Self { status, content_type, body, etag, headers: Vec::new(), variants: Variants::default() }
    }

    /// An answer kept for the life of the process outside the cache (the
    /// browser pages' files): its variants are made like a cached one's.
    pub fn long_lived(self) -> Arc<Self> {
        let _ = self.variants.budget.set(Arc::default());
        Arc::new(self)
    }

    /// Bytes held: the body and every variant made so far.
    fn size(&self) -> usize {
        let variant = |v: &OnceLock<Variant>| v.get().map_or(0, |v| v.body.len());
        self.body.len() + variant(&self.variants.gzip) + variant(&self.variants.brotli)
    }

    /// The ETag of this answer in `coding`.
    fn etag_in(&self, coding: Coding) -> HeaderValue {
        let identity = self.etag.to_str().unwrap_or("\"0\"");
        let tagged = format!("{}{}\"", identity.trim_end_matches('"'), coding.etag_suffix());
        HeaderValue::from_str(&tagged).unwrap_or_else(|_| self.etag.clone())
    }

    /// Worth compressing at all: big enough, and text.
    fn compressible(&self) -> bool {
        self.body.len() >= compress::MIN_BYTES && compress::compressible(&self.content_type)
    }

    /// The variant `accepted` gets now: brotli if it exists (else it is
    /// asked for, and gzip or identity goes out meanwhile), gzip made on
    /// the spot if need be, or the bytes as they are.
    fn pick(self: &Arc<Self>, accepted: &Accepted) -> (Coding, Bytes, HeaderValue) {
        let mut want = if !self.compressible() && accepted.identity > 0.0 {
            Coding::Identity
        } else {
            accepted.best(&CODINGS).unwrap_or(Coding::Identity)
        };
        if want == Coding::Brotli {
            if let Some(ready) = self.variants.brotli.get() {
                return (Coding::Brotli, ready.body.clone(), ready.etag.clone());
            }
            self.ask_for_brotli();
            want = accepted.best(&[Coding::Gzip, Coding::Identity]).unwrap_or(Coding::Identity);
        }
        match want {
            Coding::Identity | Coding::Brotli => (Coding::Identity, self.body.clone(), self.etag.clone()),
            Coding::Gzip => {
                let gzip = self.variants.gzip.get_or_init(|| self.variant(Coding::Gzip, Effort::Middle));
                (Coding::Gzip, gzip.body.clone(), gzip.etag.clone())
            }
        }
    }

    fn variant(&self, coding: Coding, effort: Effort) -> Variant {
        let body = compress::encode(&self.body, coding, effort);
        if let Some(budget) = self.variants.budget.get() {
            budget.fetch_add(body.len(), Ordering::Relaxed);
        }
        Variant { body, etag: self.etag_in(coding) }
    }

    /// Queue brotli once for a stored answer; a full queue leaves it to a
    /// later reader.
    fn ask_for_brotli(self: &Arc<Self>) {
        if self.variants.budget.get().is_none() || self.variants.brotli_asked.swap(true, Ordering::AcqRel) {
            return;
        }
        let job = compress::upgrade(Arc::downgrade(self), |cached: &Cached| {
            let _ = cached.variants.brotli.get_or_init(|| cached.variant(Coding::Brotli, Effort::Best));
        });
        if !compress::in_background(job) {
            self.variants.brotli_asked.store(false, Ordering::Release);
        }
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
    /// Bytes held by this generation's entries and their variants.
    bytes: Arc<AtomicUsize>,
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
    /// a write that has since landed is dropped rather than stored. When
    /// the same answer is already stored (a burst of readers after a write
    /// all built it), that one is kept and handed back, so that its
    /// variants are made once.
    pub fn put(&self, key: String, generation: u64, cached: Cached) -> Arc<Cached> {
        let cached = Arc::new(cached);
        // One answer larger than half the budget (a Ghost `limit=all` with
        // HTML, say) is served but not kept: it would empty the cache.
        if cached.body.len() > MAX_BYTES / 2 {
            return cached;
        }
        let Ok(mut entries) = self.entries.write() else { return cached };
        if generation == entries.generation
            && let Some(stored) = entries.map.get(&key)
            && stored.etag == cached.etag
        {
            return Arc::clone(stored);
        }
        let replacing = entries.map.get(&key).map_or(0, |c| c.size());
        let held = entries.bytes.load(Ordering::Relaxed).saturating_sub(replacing);
        let full = entries.map.len() >= MAX_ENTRIES || held + cached.body.len() > MAX_BYTES;
        if generation > entries.generation || full {
            entries.map.clear();
            entries.bytes = Arc::default();
            entries.generation = entries.generation.max(generation);
        }
        if generation == entries.generation {
            let _ = cached.variants.budget.set(Arc::clone(&entries.bytes));
            entries.bytes.fetch_add(cached.body.len(), Ordering::Relaxed);
            if let Some(replaced) = entries.map.insert(key, Arc::clone(&cached)) {
                let size = replaced.size();
                let _ =
                    entries.bytes.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |b| Some(b.saturating_sub(size)));
            }
        }
        cached
    }

    /// Bytes the current generation holds, variants included.
    pub fn bytes(&self) -> usize {
        self.entries.read().map_or(0, |e| e.bytes.load(Ordering::Relaxed))
    }
}

/// The ETag the client's copy has, if it is current: `If-None-Match`
/// names the ETag of a variant it accepts (or `*`); or, without it,
/// `If-Modified-Since` is not before `Last-Modified`.
fn not_modified(req: &HttpRequest, cached: &Cached, accepted: &Accepted) -> Option<HeaderValue> {
    let Some(Ok(candidates)) = req.headers().get(header::IF_NONE_MATCH).map(HeaderValue::to_str) else {
        return not_modified_since(req, cached).then(|| cached.etag.clone());
    };
    let acceptable = CODINGS.iter().filter(|c| accepted.q(**c) > 0.0 || **c == Coding::Identity);
    let etags: Vec<HeaderValue> = acceptable.map(|c| cached.etag_in(*c)).collect();
    candidates.split(',').map(str::trim).find_map(|candidate| {
        if candidate == "*" {
            return Some(cached.etag.clone());
        }
        let candidate = candidate.strip_prefix("W/").unwrap_or(candidate);
        etags.iter().find(|etag| *etag == candidate).cloned()
    })
}

fn not_modified_since(req: &HttpRequest, cached: &Cached) -> bool {
    let date =
        |value: &HeaderValue| value.to_str().ok()?.parse::<header::HttpDate>().ok().map(std::time::SystemTime::from);
    let since = req.headers().get(header::IF_MODIFIED_SINCE).and_then(date);
    let modified = cached.headers.iter().find(|(name, _)| name == header::LAST_MODIFIED).and_then(|(_, v)| date(v));
    matches!((since, modified), (Some(since), Some(modified)) if modified <= since)
}

/// The HTTP answer for a cached (or freshly built) public response, in the
/// coding the request prefers: 304 when the client already has it, else
/// the bytes, with the validator and caching headers either way.
pub fn respond(req: &HttpRequest, cached: &Arc<Cached>, cache_control: &HeaderValue) -> HttpResponse {
    answer(req, cached, cache_control, true)
}

/// [`respond`] for an answer no shared cache may keep (a GraphQL POST):
/// the variant the request prefers, without validators.
pub fn respond_private(req: &HttpRequest, cached: &Arc<Cached>) -> HttpResponse {
    answer(req, cached, &HeaderValue::from_static("no-store"), false)
}

fn answer(req: &HttpRequest, cached: &Arc<Cached>, cache_control: &HeaderValue, validators: bool) -> HttpResponse {
    let accepted = Accepted::from_headers(req.headers());
    let fresh = if validators { not_modified(req, cached, &accepted) } else { None };
    let mut builder = if fresh.is_some() { HttpResponse::NotModified() } else { HttpResponse::build(cached.status) };
    builder.insert_header((header::CACHE_CONTROL, cache_control.clone()));
    builder.insert_header((header::VARY, HeaderValue::from_static("Accept-Encoding")));
    for (name, value) in &cached.headers {
        builder.append_header((name.clone(), value.clone()));
    }
    let mut response = match fresh {
        Some(etag) => builder.insert_header((header::ETAG, etag)).finish(),
        None => {
            let (coding, body, etag) = cached.pick(&accepted);
            if validators {
                builder.insert_header((header::ETAG, etag));
            }
            builder.insert_header((header::CONTENT_TYPE, cached.content_type.clone()));
            if let Some(value) = coding.header() {
                builder.insert_header((header::CONTENT_ENCODING, value));
            }
            builder.body(body)
        }
    };
    response.extensions_mut().insert(compress::Negotiated);
    response
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
        let huge = Cached::new(
            StatusCode::OK,
            HeaderValue::from_static("application/json"),
            vec![b'x'; MAX_BYTES / 2 + 1].into(),
        );
        cache.put("/huge".into(), 1, huge);
        assert!(
            cache.get("/huge", 1).is_none() && cache.get("/3", 1).is_some(),
            "one huge answer is not kept, and evicts nothing"
        );
    }

    #[test]
    fn etags_are_strong_and_follow_the_bytes() {
        assert_eq!(etag_of(b"x"), etag_of(b"x"));
        assert_ne!(etag_of(b"x"), etag_of(b"y"));
        assert!(!etag_of(b"x").to_str().unwrap().starts_with("W/"));
    }

    #[test]
    fn if_none_match_gets_a_304_without_a_body() {
        let cached = Arc::new(entry("body"));
        let etag = cached.etag.to_str().unwrap().to_owned();
        let hit =
            TestRequest::get().insert_header((header::IF_NONE_MATCH, format!("\"other\", {etag}"))).to_http_request();
        let response = respond(&hit, &cached, &HeaderValue::from_static("public, max-age=60"));
        assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(response.headers().get(header::ETAG).unwrap().to_str().unwrap(), etag);
        let miss = TestRequest::get().insert_header((header::IF_NONE_MATCH, "\"other\"")).to_http_request();
        assert_eq!(respond(&miss, &cached, &HeaderValue::from_static("public")).status(), StatusCode::OK);
    }

    /// An article-sized JSON answer, stored in `cache`.
    fn stored(cache: &ResponseCache) -> Arc<Cached> {
        let body = serde_json::json!({ "html": "<p>A paragraph about run queues and memory models.</p>".repeat(400) });
        let cached = Cached::new(
            StatusCode::OK,
            HeaderValue::from_static("application/json"),
            Bytes::from(serde_json::to_vec(&body).unwrap()),
        );
        cache.put("/article".into(), 1, cached)
    }

    fn get(cached: &Arc<Cached>, headers: &[(header::HeaderName, &str)]) -> HttpResponse {
        let mut request = TestRequest::get();
        for (name, value) in headers {
            request = request.insert_header((name.clone(), *value));
        }
        respond(&request.to_http_request(), cached, &HeaderValue::from_static("public"))
    }

    fn coding(response: &HttpResponse) -> Option<&str> {
        response.headers().get(header::CONTENT_ENCODING).map(|v| v.to_str().unwrap())
    }

    fn etag(response: &HttpResponse) -> String {
        response.headers().get(header::ETAG).unwrap().to_str().unwrap().to_owned()
    }

    /// Wait (bounded) for the background thread to make brotli.
    fn until_brotli(cached: &Arc<Cached>) {
        for _ in 0..500 {
            if cached.variants.brotli.get().is_some() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        panic!("no brotli variant within 5 s");
    }

    #[test]
    fn each_request_gets_the_variant_it_prefers_with_its_own_etag() {
        let cache = ResponseCache::default();
        let cached = stored(&cache);
        let browser = [(header::ACCEPT_ENCODING, "gzip, deflate, br, zstd")];
        // Brotli is not made yet: gzip goes out, and brotli is asked for.
        let first = get(&cached, &browser);
        assert_eq!(coding(&first), Some("gzip"));
        assert_eq!(first.headers().get(header::VARY).unwrap(), "Accept-Encoding");
        until_brotli(&cached);
        let later = get(&cached, &browser);
        assert_eq!(coding(&later), Some("br"));
        let plain = get(&cached, &[]);
        assert_eq!(coding(&plain), None, "no Accept-Encoding: the bytes as they are");
        let gzip_only = get(&cached, &[(header::ACCEPT_ENCODING, "gzip;q=1, br;q=0.5")]);
        assert_eq!(coding(&gzip_only), Some("gzip"), "q-values decide");
        let unknown = get(&cached, &[(header::ACCEPT_ENCODING, "zstd, deflate")]);
        assert_eq!(coding(&unknown), None, "unknown codings are not sent");
        let refused = get(&cached, &[(header::ACCEPT_ENCODING, "identity;q=0, gzip;q=0.1")]);
        assert_eq!(coding(&refused), Some("gzip"), "identity;q=0 respected");
        let etags = [etag(&later), etag(&gzip_only), etag(&plain)];
        assert!(etags[0].ends_with("-br\"") && etags[1].ends_with("-gz\""), "{etags:?}");
        assert!(etags[0] != etags[1] && etags[1] != etags[2] && !etags[0].starts_with("W/"));
        assert_eq!(etags[2], cached.etag.to_str().unwrap());
        // The budget counts the variants.
        assert_eq!(cache.bytes(), cached.size());
        assert!(cached.size() > cached.body.len());
    }

    #[test]
    fn every_variant_revalidates_with_a_304() {
        let cache = ResponseCache::default();
        let cached = stored(&cache);
        let gzip = get(&cached, &[(header::ACCEPT_ENCODING, "gzip")]);
        let tag = etag(&gzip);
        let again = get(&cached, &[(header::ACCEPT_ENCODING, "gzip"), (header::IF_NONE_MATCH, &tag)]);
        assert_eq!((again.status(), etag(&again)), (StatusCode::NOT_MODIFIED, tag.clone()));
        // A client that no longer accepts gzip does not have a usable copy.
        let plain = get(&cached, &[(header::IF_NONE_MATCH, &tag)]);
        assert_eq!(plain.status(), StatusCode::OK);
        let identity = cached.etag.to_str().unwrap().to_owned();
        let browser = get(&cached, &[(header::ACCEPT_ENCODING, "gzip, br"), (header::IF_NONE_MATCH, &identity)]);
        assert_eq!(browser.status(), StatusCode::NOT_MODIFIED, "identity is always acceptable unless refused");
    }

    #[test]
    fn small_or_binary_answers_are_not_compressed() {
        let cache = ResponseCache::default();
        let small = cache.put("/small".into(), 1, entry("{\"tags\": []}"));
        assert_eq!(coding(&get(&small, &[(header::ACCEPT_ENCODING, "gzip, br")])), None);
        let image = Cached::new(StatusCode::OK, HeaderValue::from_static("image/png"), Bytes::from(vec![7u8; 4096]));
        let image = cache.put("/image".into(), 1, image);
        assert_eq!(coding(&get(&image, &[(header::ACCEPT_ENCODING, "gzip, br")])), None);
    }

    #[test]
    fn a_burst_of_readers_shares_one_entry_and_one_compression() {
        let cache = ResponseCache::default();
        let first = stored(&cache);
        let second = stored(&cache);
        assert!(Arc::ptr_eq(&first, &second), "the same answer built twice is stored once");
        let readers: Vec<_> = (0..8)
            .map(|_| {
                let cached = Arc::clone(&first);
                std::thread::spawn(move || etag(&get(&cached, &[(header::ACCEPT_ENCODING, "gzip")])))
            })
            .collect();
        let etags: Vec<String> = readers.into_iter().map(|r| r.join().unwrap()).collect();
        assert!(etags.windows(2).all(|w| w[0] == w[1]));
        assert_eq!(cache.bytes(), first.size(), "one gzip variant counted, not eight");
    }
}
