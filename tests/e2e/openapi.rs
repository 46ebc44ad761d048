//! `openapi.yaml` tells the truth: every path it documents for anonymous
//! readers answers 200 on a database with one post. (The api crate
//! compares its paths and methods with the route table; Schemathesis sends
//! the editor routes what the document allows.)

use crate::helpers::{Db, FormPart, TestApp};
use crate::seed::{PostSpec, Seed};

/// The documented paths: the keys under `paths:` (two-space indent).
fn documented_paths(document: &str) -> Vec<String> {
    document
        .lines()
        .skip_while(|l| *l != "paths:")
        .take_while(|l| *l != "components:")
        .filter_map(|l| l.strip_prefix("  /").and_then(|p| p.strip_suffix(':')))
        .map(|p| format!("/{p}"))
        .collect()
}

#[test]
fn every_documented_public_path_answers() {
    let db = Db::sqlite();
    let seed = Seed::new(db.url());
    seed.post(PostSpec {
        title: "Example",
        tags: &["example"],
        authors: &["example"],
        category: Some("example"),
        ..Default::default()
    });
    let app = TestApp::spawn(db.url());
    let admin = seed.sign_in(&app, "admin@example.com", longform_domain::Role::Admin);
    let mut png = Vec::new();
    image::ImageEncoder::write_image(
        image::codecs::png::PngEncoder::new(&mut png),
        &[9, 9, 9],
        1,
        1,
        image::ExtendedColorType::Rgb8,
    )
    .unwrap();
    let file = FormPart { name: "file", filename: Some("dot.png"), bytes: &png };
    let uploaded = app.send_form("POST", "/api/v1/admin/media", &[("Authorization", &admin)], &[file]);
    let media_url = uploaded.json()["media"]["url"].as_str().unwrap().to_owned();
    let key = serde_json::json!({"name": "site", "scope": "content"});
    let key = app.send("POST", "/api/v1/admin/tokens", &[("Authorization", &admin)], Some(&key));
    let key = key.json()["token"]["token"].as_str().unwrap().to_owned();
    let served = app.get("/openapi.yaml");
    assert_eq!((served.status, served.content_type.as_str()), (200, "application/yaml"));
    let paths = documented_paths(&served.body);
    assert!(paths.len() >= 30, "every public and editor route is documented: {paths:?}");
    // The anonymous GETs answer 200 as they are; the editor routes are
    // exercised against the document by Schemathesis (`make test`).
    let editor = ["/api/v1/admin", "/api/v1/auth", "/api/v1/preview", "/api/v1/changes", "/graphql"];
    for path in paths.into_iter().filter(|p| !editor.iter().any(|e| p.starts_with(e))) {
        let mut concrete = path.replace("{slug}", "example").replace("{n}", "1");
        if path == "/api/v1/search" {
            concrete.push_str("?q=example");
        }
        if path == "/media/{id}/{name}" {
            concrete = media_url[media_url.find("/media/").unwrap()..].to_owned();
        }
        if path == "/admin/{path}" {
            concrete = "/admin/posts".to_owned();
        }
        if path == "/admin/assets/{file}" {
            let page = app.get("/admin").body;
            let src = page.split("src=\"").nth(1).and_then(|s| s.split('"').next()).unwrap();
            concrete = src.to_owned();
        }
        if path == "/assets/{file}" {
            // A file by the hashed name a page links it by.
            let page = app.get("/docs").body;
            let src = page.split("src=\"").nth(1).and_then(|s| s.split('"').next()).unwrap();
            concrete = src.to_owned();
        }
        if let Some(rest) = path.strip_prefix("/ghost/api/") {
            // A content key; an id the browse of that resource names; no
            // page, ever (Longform has none: their reads are 404s).
            let resource =
                rest.trim_start_matches("{version}/").trim_start_matches("content/").split('/').next().unwrap();
            concrete = concrete.replace("{version}", "v4");
            if concrete.contains("{id}") {
                let browse = app.get(&format!("/ghost/api/content/{resource}/?key={key}&limit=1"));
                let id = browse.json()[resource][0]["id"].as_str().map(str::to_owned).unwrap_or_default();
                concrete = concrete.replace("{id}", &id);
            }
            concrete = format!("{concrete}?key={key}");
            if resource == "pages" && concrete.contains("/pages/?") {
                assert_eq!(app.get(&concrete).status, 200, "{path}");
                continue;
            }
            if resource == "pages" {
                assert_eq!(app.get(&concrete).status, 404, "{path}");
                continue;
            }
        }
        let reply = app.get(&concrete);
        assert_eq!(reply.status, 200, "{path} is documented but answers {}: {}", reply.status, reply.body);
    }
}
