//! Content codings: which one a request accepts (`Accept-Encoding`, with
//! q-values), how each is made, and compression of the answers the
//! response cache does not hold.
//!
//! Cached answers keep their compressed variants with them (see
//! [`crate::cache`]): gzip made once, at a middle level, by the first reader
//! that needs it; brotli at its best quality (9 past 64 KB) made off the
//! request path, on one background thread, and served once it exists. Everything else
//! (editor answers, previews, errors, the browser pages' files) is
//! compressed per answer at a fast level, and not at all below
//! [`MIN_BYTES`]: the same bytes cost more to compress than to send.
//!
//! zstd is not offered: every client that accepts it (Chromium, Firefox,
//! curl) also accepts brotli, which compresses text as well or better, and
//! it would add a C library to the build.

use std::io::Write;
use std::sync::mpsc::{SyncSender, TrySendError, sync_channel};
use std::sync::{OnceLock, Weak};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web::Bytes;

/// The largest body brotli compresses at its best quality (see [`encode`]).
const BEST_QUALITY_MAX_BYTES: usize = 64 * 1024;

/// Brotli's largest window, as a power of two (see [`encode`]).
const MAX_WINDOW_BITS: u32 = 18;

/// Bodies smaller than this are sent as they are.
pub const MIN_BYTES: usize = 1024;

/// A content coding Longform can send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    Identity,
    Gzip,
    Brotli,
}

impl Coding {
    pub fn header(self) -> Option<HeaderValue> {
        match self {
            Self::Identity => None,
            Self::Gzip => Some(HeaderValue::from_static("gzip")),
            Self::Brotli => Some(HeaderValue::from_static("br")),
        }
    }

    /// What a variant's ETag carries after the identity one's hash.
    pub fn etag_suffix(self) -> &'static str {
        match self {
            Self::Identity => "",
            Self::Gzip => "-gz",
            Self::Brotli => "-br",
        }
    }
}

/// Identity's q-value when a request names codings but not it.
const IMPLICIT_IDENTITY: f32 = 0.001;

/// The q-value a request gives each coding Longform can send (0 refuses it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Accepted {
    pub identity: f32,
    pub gzip: f32,
    pub brotli: f32,
}

impl Accepted {
    /// From `Accept-Encoding`. Without the header, identity only (RFC 9110
    /// 12.5.3 allows any coding, but a client that says nothing may not
    /// decode one). `*` stands for every coding not named; identity is
    /// acceptable unless refused by name or by `*;q=0`, but when not named
    /// it comes after every coding named (`gzip;q=0.1` means gzip, please).
    /// Unknown codings are ignored, and so is an entry whose q-value does
    /// not parse.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let mut named = Self { identity: -1.0, gzip: -1.0, brotli: -1.0 };
        let mut any = -1.0_f32;
        let values = headers.get_all(header::ACCEPT_ENCODING).filter_map(|v| v.to_str().ok());
        let mut seen = false;
        for item in values.flat_map(|v| v.split(',')) {
            let mut parts = item.split(';').map(str::trim);
            let Some(coding) = parts.next().filter(|c| !c.is_empty()) else { continue };
            seen = true;
            let q = match parts.find_map(|p| p.strip_prefix("q=").or_else(|| p.strip_prefix("Q="))) {
                Some(q) => match q.trim().parse::<f32>() {
                    Ok(q) if (0.0..=1.0).contains(&q) => q,
                    _ => continue,
                },
                None => 1.0,
            };
            let is = |name: &str| coding.eq_ignore_ascii_case(name);
            let slot = if is("br") {
                &mut named.brotli
            } else if is("gzip") || is("x-gzip") {
                &mut named.gzip
            } else if is("identity") {
                &mut named.identity
            } else if coding == "*" {
                &mut any
            } else {
                continue;
            };
            *slot = slot.max(q);
        }
        if !seen {
            return Self { identity: 1.0, gzip: 0.0, brotli: 0.0 };
        }
        let or_any = |q: f32, fallback: f32| if q >= 0.0 { q } else { fallback };
        Self {
            identity: or_any(named.identity, if any >= 0.0 { any } else { IMPLICIT_IDENTITY }),
            gzip: or_any(named.gzip, any.max(0.0)),
            brotli: or_any(named.brotli, any.max(0.0)),
        }
    }

    pub fn q(&self, coding: Coding) -> f32 {
        match coding {
            Coding::Identity => self.identity,
            Coding::Gzip => self.gzip,
            Coding::Brotli => self.brotli,
        }
    }

    /// The best of `available` by q-value, ties going to the earlier one;
    /// `None` when the request refuses all of them.
    pub fn best(&self, available: &[Coding]) -> Option<Coding> {
        let mut best: Option<(Coding, f32)> = None;
        for &coding in available {
            let q = self.q(coding);
            if q > 0.0 && best.is_none_or(|(_, top)| q > top) {
                best = Some((coding, q));
            }
        }
        best.map(|(coding, _)| coding)
    }
}

/// Whether compressing a body of this media type pays: text, JSON, XML,
/// YAML, JavaScript.
pub fn compressible(content_type: &HeaderValue) -> bool {
    let media = content_type.to_str().unwrap_or_default().to_ascii_lowercase();
    let essence = media.split(';').next().unwrap_or_default().trim();
    essence.starts_with("text/") || ["json", "xml", "javascript", "yaml"].iter().any(|kind| essence.contains(kind))
}

/// How hard to work at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effort {
    /// Per answer, on the request path.
    Fast,
    /// Once per cached answer, by its first reader (gzip).
    Middle,
    /// Once per cached answer, in the background (brotli).
    Best,
}

/// `body` in `coding`. Brotli's window is sized to the body and capped, so
/// that no answer costs the encoder's largest buffers.
pub fn encode(body: &[u8], coding: Coding, effort: Effort) -> Bytes {
    match coding {
        Coding::Identity => Bytes::copy_from_slice(body),
        Coding::Gzip => {
            let level = match effort {
                Effort::Fast => 1,
                Effort::Middle => 6,
                Effort::Best => 9,
            };
            let mut encoder =
                flate2::write::GzEncoder::new(Vec::with_capacity(body.len() / 3), flate2::Compression::new(level));
            // Writing to a Vec cannot fail.
            let _ = encoder.write_all(body);
            encoder.finish().map(Bytes::from).unwrap_or_default()
        }
        Coding::Brotli => {
            let quality = match effort {
                Effort::Fast => 1,
                Effort::Middle => 5,
                // Qualities 10 and 11 plan the whole input at 16 bytes per
                // input byte, memory the allocator keeps once freed: past
                // 64 KB (a feed, the vendored scripts), 9 costs a fraction of
                // it for a few percent of size.
                Effort::Best if body.len() > BEST_QUALITY_MAX_BYTES => 9,
                Effort::Best => 11,
            };
            // The window bounds the encoder's memory (its best qualities keep
            // a tree of 8 bytes per window byte: 16 MB at 2^21): no more than
            // the body needs, and at most 2^18, since matches further back
            // than 256 KB are rare in text and gain little.
            let window = usize::BITS - body.len().max(1).leading_zeros();
            let window = window.clamp(16, MAX_WINDOW_BITS);
            let params = brotli::enc::BrotliEncoderParams {
                quality,
                lgwin: i32::try_from(window).unwrap_or(22),
                size_hint: body.len(),
                ..Default::default()
            };
            let mut out = Vec::with_capacity(body.len() / 4);
            let mut input = body;
            match brotli::BrotliCompress(&mut input, &mut out, &params) {
                Ok(_) => Bytes::from(out),
                Err(_) => Bytes::new(),
            }
        }
    }
}

/// Work for the background thread (see [`upgrade`]).
pub type Job = Box<dyn FnOnce() + Send>;

/// Jobs waiting at most; past that, a job is not queued (its answer keeps
/// its fast variant, and a later reader asks again).
const QUEUE: usize = 256;

/// Queue `job` on the one background compression thread (one, so that
/// best-quality compression never takes more than a core from the
/// readers); false when the queue is full.
pub fn in_background(job: Job) -> bool {
    static QUEUE_TX: OnceLock<Option<SyncSender<Job>>> = OnceLock::new();
    let sender = QUEUE_TX.get_or_init(|| {
        let (tx, rx) = sync_channel::<Job>(QUEUE);
        let spawned = std::thread::Builder::new().name("longform-compress".into()).spawn(move || {
            while let Ok(job) = rx.recv() {
                job();
            }
        });
        match spawned {
            Ok(_) => Some(tx),
            Err(e) => {
                tracing::warn!(error = %e, "no background compression thread: brotli variants are not made");
                None
            }
        }
    });
    match sender {
        Some(tx) => match tx.try_send(job) {
            Ok(()) => true,
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => false,
        },
        None => false,
    }
}

/// A job that works on `target` if anything still holds it: an answer
/// dropped from the cache meanwhile costs nothing.
pub fn upgrade<T: Send + Sync + 'static>(target: Weak<T>, work: impl FnOnce(&T) + Send + 'static) -> Job {
    Box::new(move || {
        if let Some(target) = target.upgrade() {
            work(&target);
        }
    })
}

/// Marks a response whose coding is already chosen (a cached answer's
/// variant, or an identity one chosen on purpose): [`uncached`] leaves it.
#[derive(Debug, Clone, Copy)]
pub struct Negotiated;

/// Middleware: compress an answer the cache did not negotiate, at a fast
/// level, when the client accepts it, the body is whole (not a stream), at
/// least [`MIN_BYTES`], and of a compressible type.
pub async fn uncached(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let response = next.call(req).await?.map_into_boxed_body();
    let skip = response.response().extensions().get::<Negotiated>().is_some()
        || response.headers().contains_key(header::CONTENT_ENCODING)
        || matches!(response.status(), StatusCode::NO_CONTENT | StatusCode::NOT_MODIFIED)
        || !response.headers().get(header::CONTENT_TYPE).is_some_and(compressible);
    if skip {
        return Ok(response);
    }
    // Read only now: a cached answer (the hot path) was negotiated already.
    let accepted = Accepted::from_headers(response.request().headers());
    let (request, response) = response.into_parts();
    let (mut response, body) = response.into_parts();
    // Whatever the body turns out to be (HEAD has none by now), the answer
    // depends on Accept-Encoding.
    response.headers_mut().append(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    let body = match body.try_into_bytes() {
        Ok(bytes) => bytes,
        // A stream goes out as it comes.
        Err(body) => return Ok(ServiceResponse::new(request, response.set_body(body))),
    };
    let coding = if body.len() < MIN_BYTES {
        Coding::Identity
    } else {
        accepted.best(&[Coding::Gzip, Coding::Brotli, Coding::Identity]).unwrap_or(Coding::Identity)
    };
    let body = match coding.header() {
        Some(value) => {
            response.headers_mut().insert(header::CONTENT_ENCODING, value);
            encode(&body, coding, Effort::Fast)
        }
        None => body,
    };
    Ok(ServiceResponse::new(request, response.set_body(BoxBody::new(body))))
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use actix_web::test::TestRequest;

    use super::*;

    fn accepted(value: &str) -> Accepted {
        Accepted::from_headers(
            TestRequest::get().insert_header((header::ACCEPT_ENCODING, value)).to_http_request().headers(),
        )
    }

    const ALL: [Coding; 3] = [Coding::Brotli, Coding::Gzip, Coding::Identity];

    #[test]
    fn the_best_coding_by_q_value() {
        assert_eq!(accepted("gzip, deflate, br, zstd").best(&ALL), Some(Coding::Brotli));
        assert_eq!(accepted("gzip, br;q=0.5").best(&ALL), Some(Coding::Gzip));
        assert_eq!(accepted("br;q=0, gzip;q=0.1").best(&ALL), Some(Coding::Gzip));
        assert_eq!(accepted("deflate, zstd").best(&ALL), Some(Coding::Identity), "unknown codings");
        assert_eq!(accepted("*").best(&ALL), Some(Coding::Brotli));
        assert_eq!(accepted("*;q=0.5, identity").best(&ALL), Some(Coding::Identity));
        assert_eq!(accepted("identity;q=0, gzip;q=0.2").best(&[Coding::Identity, Coding::Gzip]), Some(Coding::Gzip));
        assert_eq!(accepted("identity;q=0").best(&[Coding::Identity]), None);
        assert_eq!(accepted("*;q=0").best(&ALL), None);
        assert_eq!(accepted("gzip;q=2, br;q=bad").best(&ALL), Some(Coding::Identity), "bad q-values ignored");
        let none = Accepted::from_headers(TestRequest::get().to_http_request().headers());
        assert_eq!(none.best(&ALL), Some(Coding::Identity), "no header: no coding");
        assert_eq!(accepted("").best(&ALL), Some(Coding::Identity));
        assert_eq!(accepted("GZIP").best(&ALL), Some(Coding::Gzip), "codings are case-insensitive");
    }

    #[test]
    fn encodings_round_trip() {
        let body = "fn main() { println!(\"hello\"); }\n".repeat(200);
        for effort in [Effort::Fast, Effort::Middle, Effort::Best] {
            let gzip = encode(body.as_bytes(), Coding::Gzip, effort);
            let mut back = String::new();
            flate2::read::GzDecoder::new(&gzip[..]).read_to_string(&mut back).unwrap();
            assert_eq!(back, body);
            let br = encode(body.as_bytes(), Coding::Brotli, effort);
            let mut back = String::new();
            brotli::Decompressor::new(&br[..], 4096).read_to_string(&mut back).unwrap();
            assert_eq!(back, body);
            assert!(br.len() < body.len() / 10 && gzip.len() < body.len() / 5);
        }
    }

    #[test]
    fn text_compresses_and_images_do_not() {
        for yes in ["application/json", "application/problem+json", "text/html; charset=utf-8", "application/rss+xml"] {
            assert!(compressible(&HeaderValue::from_static(yes)), "{yes}");
        }
        for no in ["image/png", "application/octet-stream", "font/woff2"] {
            assert!(!compressible(&HeaderValue::from_static(no)), "{no}");
        }
    }
}
