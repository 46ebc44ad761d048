//! The reference frontend (examples/frontend, Astro) built from a server
//! with the demo blog over GraphQL, served as static files, and read in
//! Chromium by examples/frontend/e2e/check.mjs against what the REST API
//! says the blog holds: each of its checks a test of the summary line.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use chrono::DateTime;
use longform_persistence::testing::skip;
use serde_json::{Value, json};

use crate::helpers::{Db, TestApp};

/// How long `npm run build` (type check and all pages) may take.
const BUILD_LIMIT: Duration = Duration::from_secs(240);
/// How long the browser checks may take.
const SUITE_LIMIT: Duration = Duration::from_secs(180);
const RUNNER: &str = "frontend";
const BACKEND: &str = "sqlite";

#[test]
fn the_reference_frontend_renders_the_demo_blog() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let frontend = root.join("examples/frontend");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        return skip::unavailable("browser", &format!("{chromium} not found (Debian package chromium)")).unwrap_or(());
    }
    if !frontend.join("node_modules/astro").exists() {
        return skip::unavailable("node", "examples/frontend/node_modules is not installed: run `make tools`")
            .unwrap_or(());
    }
    if !["tools", "admin"].iter().any(|dir| root.join(dir).join("node_modules/playwright-core").exists()) {
        return skip::unavailable("node", "playwright-core is not installed in tools/ or admin/: run `make tools`")
            .unwrap_or(());
    }
    let db = Db::sqlite();
    let app = TestApp::spawn_with_demo(db.url());
    let work = tempfile::tempdir().unwrap();
    let facts = work.path().join("facts.json");
    std::fs::write(&facts, expected(&app).to_string()).unwrap();

    let mut build = Command::new("npm");
    build.args(["run", "build"]).env("LONGFORM_URL", app.url("")).current_dir(&frontend);
    let built = crate::node::run_suite("frontend-build", BACKEND, build, BUILD_LIMIT);
    assert!(
        !built.killed && built.status.success(),
        "npm run build failed after {:?}:\n{}",
        built.elapsed,
        built.report
    );
    let site = serve(frontend.join("dist"));

    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().expect("the target directory").join("screenshots");
    let mut check = Command::new("node");
    check
        .arg(frontend.join("e2e/check.mjs"))
        .args([site.as_str(), facts.to_str().unwrap(), out.to_str().unwrap()])
        .env("CHROMIUM", &chromium)
        .current_dir(&frontend);
    let outcome = crate::node::run_suite(RUNNER, BACKEND, check, SUITE_LIMIT);
    println!("{}", outcome.report); // shown with --nocapture
    outcome.assert_passed(RUNNER, BACKEND);
    assert!(outcome.flows.len() >= 10, "{}", outcome.report);
    for shot in ["frontend-index.png", "frontend-article.png", "frontend-code.png", "frontend-index-mobile.png"] {
        assert!(out.join(shot).metadata().is_ok_and(|m| m.len() > 10_000), "no screenshot {shot}");
    }
}

/// What the site must show, as the REST API tells it: the index's first
/// two pages of cards, the newest article, and the newest article with a
/// table of contents (the same one once the demo essays have headings).
fn expected(app: &TestApp) -> Value {
    let first = app.get("/api/v1/posts?limit=10").json();
    let cursor = first["meta"]["pagination"]["next_cursor"].as_str().expect("the demo has more than ten posts");
    let second = app.get(&format!("/api/v1/posts?limit=10&after={cursor}")).json();
    let posts: Vec<&Value> =
        first["posts"].as_array().unwrap().iter().chain(second["posts"].as_array().unwrap()).collect();
    assert_eq!(posts.len(), 20, "the demo blog has at least twenty posts");
    let articles: Vec<Value> = posts.iter().map(|p| article(app, p["slug"].as_str().unwrap())).collect();
    let with_toc = articles.iter().find(|a| a["toc"].as_array().is_some_and(|t| !t.is_empty()));
    json!({
        "longform": app.url(""),
        "description": app.get("/feed.json").json()["description"],
        "total": first["meta"]["pagination"]["total"],
        "index": posts[..10].iter().map(|p| card(p)).collect::<Vec<_>>(),
        "page2": posts[10..].iter().map(|p| card(p)).collect::<Vec<_>>(),
        "first": articles[0],
        "withToc": with_toc.expect("a post of the first twenty has headings"),
    })
}

/// A card as the index shows it: "Jun 20, 2026" and "12 min read".
fn card(post: &Value) -> Value {
    let published = DateTime::parse_from_rfc3339(post["published_at"].as_str().unwrap()).unwrap();
    json!({
        "slug": post["slug"],
        "title": post["title"],
        "category": post["category"]["name"],
        "summary": post["summary"],
        "date": published.to_utc().format("%b %-d, %Y").to_string(),
        "readingTime": format!("{} min read", post["reading_time_minutes"]),
    })
}

/// An article: its card, and what its page shows besides.
fn article(app: &TestApp, slug: &str) -> Value {
    let reply = app.get(&format!("/api/v1/posts/{slug}"));
    assert_eq!(reply.status, 200, "{}", reply.body);
    let post = reply.json()["post"].clone();
    let html = post["html"].as_str().unwrap();
    let mut facts = card(&post);
    facts["authors"] = post["authors"].as_array().unwrap().iter().map(|a| a["name"].clone()).collect();
    facts["tags"] = post["tags"].clone();
    facts["toc"] = post["toc"].clone();
    facts["related"] = post["related"].as_array().unwrap().iter().map(|r| r["slug"].clone()).collect();
    facts["hasCode"] = json!(html.contains("<pre"));
    facts["code"] = json!(first_code_block(html));
    facts
}

/// The text of the first code block that names its language, as Longform
/// rendered it: what the frontend must show, coloured, but unchanged.
fn first_code_block(html: &str) -> Option<(String, String)> {
    let (_, rest) = html.split_once("<pre><code class=\"language-")?;
    let (language, rest) = rest.split_once("\">")?;
    let (escaped, _) = rest.split_once("</code></pre>")?;
    let text = [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&nbsp;", "\u{a0}"), ("&amp;", "&")]
        .iter()
        .fold(escaped.to_owned(), |text, (entity, char)| text.replace(entity, char));
    Some((language.to_owned(), text))
}

/// Serve `dir` on 127.0.0.1 as a static host would (a folder's
/// index.html, 404.html for what is missing), a thread per connection,
/// for as long as the test runs; its base URL.
fn serve(dir: PathBuf) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().map_while(Result::ok) {
            let dir = dir.clone();
            std::thread::spawn(move || {
                let _ = respond(&dir, stream);
            });
        }
    });
    base
}

fn respond(dir: &Path, mut stream: TcpStream) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    let mut header = String::new();
    while reader.read_line(&mut header)? > 2 {
        header.clear();
    }
    let mut parts = request.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let (status, file) = match resolve(dir, path) {
        Some(file) if file.is_dir() => {
            let moved = format!(
                "HTTP/1.1 301 Moved Permanently\r\nLocation: {path}/\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            return stream.write_all(moved.as_bytes());
        }
        Some(file) => ("200 OK", file),
        None => ("404 Not Found", dir.join("404.html")),
    };
    let body = std::fs::read(&file).unwrap_or_default();
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        content_type(&file),
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    if method != "HEAD" {
        stream.write_all(&body)?;
    }
    stream.flush()
}

/// The file a URL path names under `dir` (a folder's index.html when the
/// path ends in a slash), or None; never anything outside `dir`.
fn resolve(dir: &Path, path: &str) -> Option<PathBuf> {
    let relative = Path::new(path.trim_start_matches('/'));
    if relative.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    let file = dir.join(relative);
    let file = if path.ends_with('/') { file.join("index.html") } else { file };
    file.exists().then_some(file)
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "json" => "application/json",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}
