//! Content codings as browsers use them: a cached answer in the variant
//! the request prefers (q-values, `identity;q=0`, unknown codings), gzip at
//! once and brotli once made, each with its own ETag and 304, `Vary` and
//! `Content-Length` always; answers the cache does not hold compressed on
//! the way out when big enough. Bodies are read back raw and decoded here.

use std::io::Read;

use crate::helpers::{DEADLINE, Db, TestApp, agent, both_backends, wait_for};
use crate::seed::Seed;

both_backends!(
    cached_reads_come_in_the_preferred_coding_with_their_own_etags,
    the_choice_follows_q_values_and_refusals,
    other_answers_are_compressed_on_the_way_out_when_it_pays,
);

const BROWSER: &str = "gzip, deflate, br, zstd";

struct Raw {
    status: u16,
    headers: ureq::http::HeaderMap,
    body: Vec<u8>,
}

impl Raw {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body with its content coding undone.
    fn decoded(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self.header("content-encoding") {
            None => out.clone_from(&self.body),
            Some("gzip") => {
                flate2::read::GzDecoder::new(&self.body[..]).read_to_end(&mut out).unwrap();
            }
            Some("br") => {
                brotli::Decompressor::new(&self.body[..], 4096).read_to_end(&mut out).unwrap();
            }
            Some(other) => panic!("unexpected content-encoding {other}"),
        }
        out
    }
}

fn fetch(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> Raw {
    let mut request = agent().get(&app.url(path));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let mut response = request.call().unwrap();
    let headers = response.headers().clone();
    let mut body = Vec::new();
    response.body_mut().as_reader().read_to_end(&mut body).unwrap();
    Raw { status: response.status().as_u16(), headers, body }
}

fn fetch_as(app: &TestApp, path: &str, accept_encoding: &str) -> Raw {
    fetch(app, path, &[("Accept-Encoding", accept_encoding)])
}

const GRAPHQL: &str = "/graphql?query=%7Bposts%28first%3A20%29%7Bedges%7Bnode%7Btitle%20summary%20url%7D%7D%7D%7D";

fn cached_reads_come_in_the_preferred_coding_with_their_own_etags(db: &Db) {
    let posts = Seed::new(db.url()).many(22);
    let app = TestApp::spawn(db.url());
    let article = format!("/api/v1/posts/{}", posts[3].card.slug);
    for path in ["/api/v1/posts", article.as_str(), "/feed.json", "/feed.xml", "/sitemap.xml", GRAPHQL] {
        let plain = fetch(&app, path, &[]);
        assert_eq!((plain.status, plain.header("content-encoding")), (200, None), "{path}");
        assert!(plain.body.len() >= 1024, "{path} is too small to test compression: {}", plain.body.len());
        // The first browser gets gzip while brotli is made; later ones get brotli.
        let gzip = fetch_as(&app, path, "gzip");
        let br = wait_for(DEADLINE, "a brotli variant", || {
            let reply = fetch_as(&app, path, BROWSER);
            (reply.header("content-encoding") == Some("br")).then_some(reply)
        });
        assert_eq!(gzip.header("content-encoding"), Some("gzip"), "{path}");
        let etags: Vec<&str> = [&plain, &gzip, &br].iter().map(|r| r.header("etag").unwrap()).collect();
        assert!(etags[0] != etags[1] && etags[1] != etags[2] && etags[0] != etags[2], "{path}: {etags:?}");
        for variant in [&plain, &gzip, &br] {
            assert_eq!(variant.decoded(), plain.body, "{path}: the same bytes in every coding");
            assert!(variant.header("vary").is_some_and(|v| v.contains("Accept-Encoding")), "{path}");
            assert_eq!(variant.header("content-length"), Some(variant.body.len().to_string().as_str()), "{path}");
        }
        assert!(br.body.len() < gzip.body.len() && gzip.body.len() < plain.body.len(), "{path}");
        // Each variant revalidates with its own ETag.
        for (coding, etag) in [("identity", etags[0]), ("gzip", etags[1]), (BROWSER, etags[2])] {
            let again = fetch(&app, path, &[("Accept-Encoding", coding), ("If-None-Match", etag)]);
            assert_eq!((again.status, again.header("etag")), (304, Some(etag)), "{path} {coding}");
            assert!(again.body.is_empty());
        }
    }
    graphql_posts_come_compressed_without_validators(&app);
}

/// A GraphQL POST is cached too, and answered in its variants, without
/// validators (no shared cache keys on bodies).
fn graphql_posts_come_compressed_without_validators(app: &TestApp) {
    let body = r#"{"query": "{ posts(first: 20) { edges { node { title summary url } } } }"}"#;
    let post = |accept_encoding: &str| {
        let request = agent()
            .post(&app.url("/graphql"))
            .header("Content-Type", "application/json")
            .header("Accept-Encoding", accept_encoding);
        let mut response = request.send(body).unwrap();
        let mut bytes = Vec::new();
        response.body_mut().as_reader().read_to_end(&mut bytes).unwrap();
        Raw { status: response.status().as_u16(), headers: response.headers().clone(), body: bytes }
    };
    let plain = post("identity");
    let br = wait_for(DEADLINE, "a brotli variant of a GraphQL POST", || {
        let reply = post(BROWSER);
        (reply.header("content-encoding") == Some("br")).then_some(reply)
    });
    assert_eq!((br.status, br.header("cache-control"), br.header("etag")), (200, Some("no-store"), None));
    assert_eq!(br.decoded(), plain.body);
    assert!(br.header("vary").is_some_and(|v| v.contains("Accept-Encoding")));
}

fn the_choice_follows_q_values_and_refusals(db: &Db) {
    Seed::new(db.url()).many(22);
    let app = TestApp::spawn(db.url());
    let coding = |accept: &str| fetch_as(&app, "/api/v1/posts", accept).header("content-encoding").map(str::to_owned);
    // Brotli is made in the background, and made again after anything
    // empties the cache (the server's own background writes do, on SQLite):
    // an answer that needs it waits for it.
    let eventually_br = |accept: &str| {
        wait_for(DEADLINE, accept, || (coding(accept).as_deref() == Some("br")).then_some(()));
    };
    eventually_br(BROWSER);
    assert_eq!(coding("gzip;q=1, br;q=0.5").as_deref(), Some("gzip"));
    eventually_br("br;q=0.5, gzip;q=0.4");
    assert_eq!(coding("br;q=0, gzip;q=0.1").as_deref(), Some("gzip"), "a named coding beats the implicit identity");
    assert_eq!(coding("identity;q=0, gzip;q=0.5").as_deref(), Some("gzip"));
    assert_eq!(coding("zstd, deflate, compress").as_deref(), None, "unknown codings: the bytes as they are");
    eventually_br("*");
    assert_eq!(coding("*;q=0.5, identity").as_deref(), None);
    assert_eq!(coding("gzip;q=0").as_deref(), None);
    assert_eq!(coding("").as_deref(), None, "an empty header asks for no coding");
}

fn other_answers_are_compressed_on_the_way_out_when_it_pays(db: &Db) {
    let seed = Seed::new(db.url());
    seed.many(22);
    let app = TestApp::spawn(db.url());
    let admin = seed.sign_in(&app, "admin@example.com", longform_domain::Role::Admin);
    let auth = ("Authorization", admin.as_str());
    let plain = fetch(&app, "/api/v1/admin/posts", &[auth]);
    assert!(plain.body.len() >= 1024 && plain.header("content-encoding").is_none());
    let gzip = fetch(&app, "/api/v1/admin/posts", &[auth, ("Accept-Encoding", BROWSER)]);
    assert_eq!(gzip.header("content-encoding"), Some("gzip"), "the editor's list, compressed fast");
    assert!(gzip.header("vary").is_some_and(|v| v.contains("Accept-Encoding")));
    assert!(gzip.body.len() < plain.body.len() / 2);
    let decoded: serde_json::Value = serde_json::from_slice(&gzip.decoded()).unwrap();
    assert_eq!(decoded["posts"].as_array().map(Vec::len), Some(20));
    // A small answer is not worth it.
    let missing = fetch(&app, "/api/v1/posts/no-such-post", &[("Accept-Encoding", BROWSER)]);
    assert_eq!((missing.status, missing.header("content-encoding")), (404, None));
    // The browser pages' files: compressed, and immutable.
    let page = String::from_utf8(fetch(&app, "/docs", &[]).body).unwrap();
    let script = page.split("src=\"").nth(1).and_then(|s| s.split('"').next()).unwrap();
    let file = wait_for(DEADLINE, "a brotli variant of the docs script", || {
        let reply = fetch_as(&app, script, BROWSER);
        (reply.header("content-encoding") == Some("br")).then_some(reply)
    });
    assert!(file.header("cache-control").is_some_and(|c| c.contains("immutable")));
    assert_eq!(file.decoded(), fetch(&app, script, &[]).body);
}
