//! Media end to end: uploads checked by their bytes, stored once, served
//! with their renditions under immutable public addresses; hostile uploads
//! refused with nothing stored; each role sees and changes what it may.

use std::io::Cursor;
use std::path::Path;

use image::{ImageDecoder, ImageEncoder, ImageReader};
use longform_domain::Role;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::{DEADLINE, Db, FormPart, Reply, TestApp, both_backends, command, send_form_to};
use crate::receiver::Receiver;
use crate::seed::Seed;

both_backends!(
    uploads_are_stored_once_and_served_with_their_renditions,
    hostile_uploads_are_refused_and_leave_nothing_behind,
    each_role_sees_and_changes_only_what_it_may,
    posts_show_their_images_sized_and_keep_what_they_use,
    gc_removes_only_what_nothing_uses_and_verify_finds_damage,
    an_uploaded_feature_image_is_sized_in_every_read_and_announced
);

/// From SQLite to each backend: the document and the bytes beside it come
/// back identical, and so do the posts the public sees.
#[test]
fn media_travel_with_a_json_export_byte_for_byte() {
    export_round_trip(&Db::sqlite());
}

/// A Markdown export puts each upload beside the posts, and the folder
/// imports into an empty site as the same articles.
#[test]
fn a_markdown_export_carries_its_images_and_imports_as_the_same_posts() {
    let (source, target) = (Db::sqlite(), Db::sqlite());
    let seed = Seed::new(source.url());
    let work = tempfile::tempdir().unwrap();
    let store_of = |name: &str| work.path().join(name).to_string_lossy().into_owned();
    let (source_store, target_store) = (store_of("source-media"), store_of("target-media"));
    let app =
        TestApp::spawn_with(tempfile::tempdir().unwrap(), source.url(), &[("LONGFORM_MEDIA_STORE", &source_store)]);
    let editor = seed.sign_in(&app, "editor@example.com", Role::Editor);
    let figure = upload(&app, &editor, "run queue.png", &png(900, 300), Some("A run queue")).json()["media"].clone();
    let cover = upload(&app, &editor, "cover.png", &png(600, 200), None).json()["media"]["id"].clone();
    let markdown = format!("Text.\n\n![A run queue]({})\n", path_of(figure["url"].as_str().unwrap()));
    let body =
        json!({ "title": "Queues", "markdown": markdown, "feature_image": { "media_id": cover, "alt": "Cover" } });
    let created = app.send("POST", "/api/v1/admin/posts", &[("Authorization", &editor)], Some(&body));
    assert_eq!(created.status, 201, "{}", created.body);
    publish_first_version(&app, &editor, created.json()["post"]["id"].as_str().unwrap());
    let before = app.get("/api/v1/posts/queues").json()["post"].clone();
    drop(app);

    let folder = work.path().join("blog");
    let cli = |db: &Db, store: &str, args: &[&str]| {
        let output = command(work.path(), db.url()).env("LONGFORM_MEDIA_STORE", store).args(args).output().unwrap();
        (
            output.status.code(),
            format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr)),
        )
    };
    let (code, said) = cli(&source, &source_store, &["export", "--format", "markdown", folder.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{said}");
    let file = std::fs::read_to_string(folder.join("queues.md")).unwrap();
    let figure_id = figure["id"].as_str().unwrap();
    assert!(file.contains(&format!("![A run queue](media/{figure_id}/run%20queue.png)")), "{file}");
    let cover_id = cover.as_str().unwrap();
    assert!(file.contains(&format!("feature_image: \"media/{cover_id}/cover.png\"")), "{file}");
    assert_eq!(std::fs::read(folder.join(format!("media/{figure_id}/run queue.png"))).unwrap(), png(900, 300));

    let (code, said) = cli(&target, &target_store, &["import", folder.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains("with 2 media file(s)"), "{said}");
    let app =
        TestApp::spawn_with(tempfile::tempdir().unwrap(), target.url(), &[("LONGFORM_MEDIA_STORE", &target_store)]);
    let after = app.get("/api/v1/posts/queues").json()["post"].clone();
    let image = &after["feature_image"];
    assert_eq!(
        (&image["width"], &image["alt"], &image["bytes"]),
        (&json!(600), &json!("Cover"), &before["feature_image"]["bytes"])
    );
    let html = after["html"].as_str().unwrap();
    assert!(html.contains("width=\"900\" height=\"300\"") && html.contains("alt=\"A run queue\""), "{html}");
    let src_at = html.find("<img src=\"").unwrap() + "<img src=\"".len();
    let src = &html[src_at..src_at + html[src_at..].find('"').unwrap()];
    assert_eq!(app.get(&src[app.base_url.len()..]).bytes, png(900, 300), "the same bytes, under a new id");
    assert_eq!(
        (&after["word_count"], &after["reading_time_minutes"]),
        (&before["word_count"], &before["reading_time_minutes"])
    );
}

/// On SQLite only: the files are the point, and each backend's commit is
/// atomic on its own (a minute of killing uploads is enough once).
#[test]
fn a_server_killed_mid_upload_leaves_no_half_file_and_no_row_without_its_bytes() {
    killed_mid_upload(&Db::sqlite());
}

/// The server, keeping its media in `media/` of its working directory.
fn spawn(db: &Db) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("media").to_string_lossy().into_owned();
    TestApp::spawn_with(dir, db.url(), &[("LONGFORM_MEDIA_STORE", &store)])
}

pub(crate) fn upload(app: &TestApp, auth: &str, filename: &str, bytes: &[u8], alt: Option<&str>) -> Reply {
    let mut parts = vec![FormPart { name: "file", filename: Some(filename), bytes }];
    parts.extend(alt.map(|alt| FormPart { name: "alt", filename: None, bytes: alt.as_bytes() }));
    app.send_form("POST", "/api/v1/admin/media", &[("Authorization", auth)], &parts)
}

/// Publish the post `id`, still at its first version.
fn publish_first_version(app: &TestApp, auth: &str, id: &str) {
    let path = format!("/api/v1/admin/posts/{id}/publish");
    let published = app.send("POST", &path, &[("Authorization", auth), ("If-Match", "\"1\"")], None);
    assert_eq!(published.status, 200, "{}", published.body);
}

/// The path of a public URL the server gave.
pub(crate) fn path_of(url: &str) -> &str {
    &url[url.find("/media/").unwrap()..]
}

/// Files under the media store's originals and renditions.
fn stored_files(app: &TestApp) -> usize {
    fn count(dir: &Path) -> usize {
        std::fs::read_dir(dir)
            .map_or(0, |entries| entries.flatten().map(|e| if e.path().is_dir() { count(&e.path()) } else { 1 }).sum())
    }
    let root = app.dir.path().join("media");
    count(&root.join("originals")) + count(&root.join("renditions"))
}

/// A JPEG stored sideways (EXIF orientation 6: displayed, it is `height`
/// wide and `width` tall), red on its left half (the top, displayed),
/// with a GPS directory.
pub(crate) fn sideways_jpeg(width: u32, height: u32) -> Vec<u8> {
    let picture = image::RgbImage::from_fn(width, height, |x, _| {
        if x < width / 2 { image::Rgb([230, 20, 20]) } else { image::Rgb([20, 20, 230]) }
    });
    // Little-endian TIFF: Orientation = 6, and a GPS directory holding
    // GPSLatitudeRef = "N".
    let mut exif = b"II\x2a\x00\x08\x00\x00\x00\x02\x00".to_vec();
    exif.extend_from_slice(&[0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0]);
    exif.extend_from_slice(&[0x25, 0x88, 4, 0, 1, 0, 0, 0, 38, 0, 0, 0]);
    exif.extend_from_slice(&[0, 0, 0, 0, 1, 0, 0x01, 0x00, 2, 0, 2, 0, 0, 0, b'N', 0, 0, 0, 0, 0, 0, 0]);
    let mut out = Vec::new();
    let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90);
    encoder.set_exif_metadata(exif).unwrap();
    encoder.write_image(picture.as_raw(), width, height, image::ExtendedColorType::Rgb8).unwrap();
    out
}

pub(crate) fn png(width: u32, height: u32) -> Vec<u8> {
    let picture = image::RgbaImage::from_pixel(width, height, image::Rgba([10, 120, 60, 200]));
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(picture.as_raw(), width, height, image::ExtendedColorType::Rgba8)
        .unwrap();
    out
}

pub(crate) const SVG: &str = r##"<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 320 200"><rect width="320" height="200" fill="#eee"/><text x="10" y="40">queue</text></svg>"##;

pub(crate) const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

pub(crate) fn sha256(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

fn uploads_are_stored_once_and_served_with_their_renditions(db: &Db) {
    let seed = Seed::new(db.url());
    let app = spawn(db);
    let editor = seed.sign_in(&app, "editor@example.com", Role::Editor);
    let author = seed.sign_in(&app, "author@example.com", Role::Author);

    let photo = sideways_jpeg(1200, 500);
    let created = upload(&app, &editor, "../holiday/IMG 0001.JPG", &photo, Some("A harbour at dusk"));
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.header("etag"), Some("\"1\""));
    let item = created.json()["media"].clone();
    assert_eq!(created.header("location").unwrap(), format!("/api/v1/admin/media/{}", item["id"].as_str().unwrap()));
    assert_eq!(item["filename"], "IMG 0001.JPG", "the path is dropped");
    assert_eq!((item["content_type"].as_str(), item["sha256"].as_str()), (Some("image/jpeg"), Some(&*sha256(&photo))));
    assert_eq!((&item["width"], &item["height"]), (&json!(500), &json!(1200)), "upright: the EXIF turn applied");
    assert_eq!((&item["has_location"], &item["alt"]), (&json!(true), &json!("A harbour at dusk")));
    let sizes: Vec<(u64, &str)> = item["renditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["width"].as_u64().unwrap(), r["format"].as_str().unwrap()))
        .collect();
    assert_eq!(sizes, [(480, "webp"), (480, "jpeg")], "only widths narrower than the original, 500");

    // The original, byte for byte, with the headers of an immutable file.
    let original = app.get(path_of(item["url"].as_str().unwrap()));
    assert_eq!(original.status, 200);
    assert_eq!(sha256(&original.bytes), sha256(&photo));
    assert_eq!(original.content_type, "image/jpeg");
    assert_eq!(original.header("cache-control"), Some("public, max-age=31536000, immutable"));
    assert_eq!(original.header("x-content-type-options"), Some("nosniff"));
    let etag = original.header("etag").unwrap().to_owned();
    assert!(etag.starts_with('"') && !etag.starts_with("W/"), "a strong ETag: {etag}");
    let path = path_of(item["url"].as_str().unwrap()).to_owned();
    let again = app.get_with(&path, &[("If-None-Match", &etag)]);
    assert_eq!((again.status, again.bytes.len()), (304, 0));
    let part = app.get_with(&path, &[("Range", "bytes=100-199")]);
    assert_eq!(part.status, 206);
    assert_eq!(part.header("content-range"), Some(&*format!("bytes 100-199/{}", photo.len())));
    assert_eq!(part.bytes, photo[100..200]);
    let tail = app.get_with(&path, &[("Range", "bytes=-10")]);
    assert_eq!((tail.status, tail.bytes.as_slice()), (206, &photo[photo.len() - 10..]));
    let stale = app.get_with(&path, &[("Range", "bytes=0-9"), ("If-Range", "\"another\"")]);
    assert_eq!((stale.status, stale.bytes.len()), (200, photo.len()), "If-Range of another version: all of it");
    let past = app.get_with(&path, &[("Range", &format!("bytes={}-", photo.len()))]);
    assert_eq!((past.status, past.header("content-range")), (416, Some(&*format!("bytes */{}", photo.len()))));
    let head = app.send("HEAD", &path, &[], None);
    assert_eq!((head.status, head.header("content-length")), (200, Some(&*photo.len().to_string())));
    assert_eq!(app.get(&format!("{}x", &path)).status, 404, "another name is not this file");

    // Each rendition: the size it says, upright, no metadata.
    for rendition in item["renditions"].as_array().unwrap() {
        let served = app.get(path_of(rendition["url"].as_str().unwrap()));
        assert_eq!(served.status, 200, "{rendition}");
        assert_eq!(served.content_type, rendition["content_type"].as_str().unwrap());
        assert_eq!(served.bytes.len() as u64, rendition["bytes"].as_u64().unwrap());
        let reader = ImageReader::new(Cursor::new(&served.bytes)).with_guessed_format().unwrap();
        let mut decoder = reader.into_decoder().unwrap();
        assert_eq!(decoder.dimensions(), (480, 1152), "{rendition}");
        assert_eq!(decoder.exif_metadata().unwrap(), None, "{rendition} carries EXIF");
        let pixels = image::DynamicImage::from_decoder(decoder).unwrap().to_rgb8();
        let (top, bottom) = (pixels.get_pixel(240, 100), pixels.get_pixel(240, 1050));
        assert!(top[0] > 180 && bottom[2] > 180, "{rendition}: red on top, blue below: {top:?} {bottom:?}");
    }

    // The same bytes again, by someone else: an item of its own, one blob.
    let files = stored_files(&app);
    assert_eq!(files, 3, "the original and two renditions");
    let twice = upload(&app, &author, "copy.jpg", &photo, None);
    assert_eq!(twice.status, 201, "{}", twice.body);
    let copy = twice.json()["media"].clone();
    assert_ne!(copy["id"], item["id"]);
    assert_eq!(
        (&copy["sha256"], &copy["alt"], &copy["renditions"].as_array().unwrap().len()),
        (&item["sha256"], &Value::Null, &2)
    );
    assert_eq!(stored_files(&app), files, "identical bytes are stored once");

    // A PNG, an SVG and a PDF.
    let wide = png(1000, 400);
    let made = upload(&app, &editor, "chart.png", &wide, None).json()["media"].clone();
    let sizes: Vec<(u64, u64, &str)> = made["renditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["width"].as_u64().unwrap(), r["height"].as_u64().unwrap(), r["format"].as_str().unwrap()))
        .collect();
    assert_eq!(sizes, [(960, 384, "webp"), (960, 384, "png"), (480, 192, "webp"), (480, 192, "png")]);
    let drawing = upload(&app, &editor, "queue.svg", SVG.as_bytes(), Some("A queue"));
    assert_eq!(drawing.status, 201, "{}", drawing.body);
    let drawing = drawing.json()["media"].clone();
    assert_eq!(
        (&drawing["content_type"], &drawing["width"], &drawing["height"]),
        (&json!("image/svg+xml"), &json!(320), &json!(200))
    );
    let served = app.get(path_of(drawing["url"].as_str().unwrap()));
    assert_eq!((served.status, served.content_type.as_str()), (200, "image/svg+xml"));
    let policy = served.header("content-security-policy").unwrap();
    assert!(policy.contains("sandbox") && policy.contains("default-src 'none'"), "{policy}");
    let paper = upload(&app, &editor, "paper.pdf", PDF, None);
    assert_eq!(paper.status, 201, "{}", paper.body);
    let paper = paper.json()["media"].clone();
    let served = app.get(path_of(paper["url"].as_str().unwrap()));
    assert_eq!((served.content_type.as_str(), served.bytes.as_slice()), ("application/pdf", PDF));
    let policy = served.header("content-security-policy").unwrap();
    assert!(!policy.contains("sandbox") && policy.contains("default-src 'none'"), "{policy}");

    // The list: newest first, in pages, filtered and searched.
    let list =
        |query: &str| app.send("GET", &format!("/api/v1/admin/media{query}"), &[("Authorization", &editor)], None);
    let first = list("?limit=3").json();
    let ids: Vec<&Value> = first["media"].as_array().unwrap().iter().map(|m| &m["id"]).collect();
    assert_eq!(ids, [&paper["id"], &drawing["id"], &made["id"]]);
    let cursor = first["meta"]["pagination"]["next_before"].as_str().unwrap().to_owned();
    let second = list(&format!("?limit=3&before={cursor}")).json();
    let ids: Vec<&Value> = second["media"].as_array().unwrap().iter().map(|m| &m["id"]).collect();
    assert_eq!(ids, [&copy["id"], &item["id"]]);
    assert_eq!(second["meta"]["pagination"]["next_before"], Value::Null);
    assert_eq!(list("?type=file").json()["media"].as_array().unwrap().len(), 1);
    assert_eq!(list("?type=image/svg%2Bxml").json()["media"][0]["id"], drawing["id"]);
    assert_eq!(list("?q=HARBOUR").json()["media"][0]["id"], item["id"], "alt text, any case");
    assert_eq!(list("?q=chart").json()["media"][0]["id"], made["id"]);
    assert_eq!(list("?q=%25").json()["media"].as_array().unwrap().len(), 0, "% is a character, not a wildcard");
    assert_eq!(list("?type=text/html").status, 400);
    assert_eq!(list("?before=nonsense").status, 400);
}

/// A PNG of one pixel whose header claims `width` × `height`.
pub(crate) fn pixel_bomb(width: u32, height: u32) -> Vec<u8> {
    let mut bomb = png(1, 1);
    bomb[16..20].copy_from_slice(&width.to_be_bytes());
    bomb[20..24].copy_from_slice(&height.to_be_bytes());
    let mut crc = flate2::Crc::new();
    crc.update(&bomb[12..29]);
    bomb[29..33].copy_from_slice(&crc.sum().to_be_bytes());
    bomb
}

fn hostile_uploads_are_refused_and_leave_nothing_behind(db: &Db) {
    let seed = Seed::new(db.url());
    let app = spawn(db);
    let admin = seed.sign_in(&app, "admin@example.com", Role::Admin);
    let refused = |filename: &str, bytes: &[u8]| {
        let reply = upload(&app, &admin, filename, bytes, None);
        assert_eq!(reply.content_type, "application/problem+json", "{filename}: {}", reply.body);
        reply
    };
    let bomb = pixel_bomb(100_000, 100_000);
    assert!(bomb.len() < 100, "a small file");
    let reply = refused("bomb.png", &bomb);
    assert_eq!((reply.status, &reply.json()["field"]), (400, &json!("file")), "{}", reply.body);
    assert!(reply.body.contains("100000 × 100000"), "{}", reply.body);
    let executable = std::fs::read("/bin/ls").unwrap();
    let reply = refused("innocent.png", &executable);
    assert_eq!((reply.status, &reply.json()["field"]), (415, &json!("file")), "{}", reply.body);
    let scripted = SVG.replace("</svg>", "<script>alert(document.cookie)</script></svg>");
    let reply = refused("chart.svg", scripted.as_bytes());
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert!(reply.body.contains("<script>"), "{}", reply.body);
    let handler = SVG.replace("<rect ", "<rect onmouseover=\"alert(1)\" ");
    assert_eq!(refused("chart.svg", handler.as_bytes()).status, 400);
    let html = b"<html><body><script>alert(1)</script></body></html>";
    assert_eq!(refused("page.svg", html).status, 415, "HTML named .svg");
    let mut huge = png(64, 64);
    huge.resize(30 * 1000 * 1000, 0);
    assert_eq!(refused("huge.png", &huge).status, 413);
    let json = app.send("POST", "/api/v1/admin/media", &[("Authorization", &admin)], Some(&json!({ "file": "x" })));
    assert_eq!((json.status, &json.json()["field"]), (415, &json!("Content-Type")));
    let unknown = app.send_form(
        "POST",
        "/api/v1/admin/media",
        &[("Authorization", &admin)],
        &[FormPart { name: "owner", filename: None, bytes: b"someone" }],
    );
    assert_eq!((unknown.status, &unknown.json()["field"]), (400, &json!("owner")));
    let listed = app.send("GET", "/api/v1/admin/media", &[("Authorization", &admin)], None);
    assert_eq!(listed.json()["media"], json!([]), "no row");
    assert_eq!(stored_files(&app), 0, "no file");
}

fn each_role_sees_and_changes_only_what_it_may(db: &Db) {
    let seed = Seed::new(db.url());
    let app = spawn(db);
    let alice = seed.sign_in(&app, "alice@example.com", Role::Contributor);
    let bob = seed.sign_in(&app, "bob@example.com", Role::Contributor);
    let author = seed.sign_in(&app, "author@example.com", Role::Author);
    let editor = seed.sign_in(&app, "editor@example.com", Role::Editor);
    let created = upload(&app, &alice, "figure.png", &png(40, 30), None);
    assert_eq!(created.status, 201, "{}", created.body);
    let item = created.json()["media"].clone();
    let path = format!("/api/v1/admin/media/{}", item["id"].as_str().unwrap());
    let call = |auth: &str, method: &str, etag: Option<&str>, body: Option<Value>| {
        let mut headers = vec![("Authorization", auth)];
        headers.extend(etag.map(|etag| ("If-Match", etag)));
        app.send(method, &path, &headers, body.as_ref())
    };

    // Another contributor neither sees it nor can touch it; an editor can.
    assert_eq!(call(&bob, "GET", None, None).status, 404);
    assert_eq!(call(&bob, "PATCH", Some("\"1\""), Some(json!({ "alt": "mine now" }))).status, 404);
    assert_eq!(call(&bob, "DELETE", Some("\"1\""), None).status, 404);
    let bobs_list = app.send("GET", "/api/v1/admin/media", &[("Authorization", &bob)], None);
    assert_eq!(bobs_list.json()["media"], json!([]));
    assert_eq!(call(&editor, "GET", None, None).status, 200);
    let everyones = app.send("GET", "/api/v1/admin/media", &[("Authorization", &editor)], None);
    assert_eq!(everyones.json()["media"][0]["id"], item["id"]);

    // Its owner describes it, at the version read.
    assert_eq!(call(&alice, "PATCH", None, Some(json!({ "alt": "A figure" }))).status, 428);
    let changed = call(&alice, "PATCH", Some("\"1\""), Some(json!({ "alt": "A figure", "caption": "Figure 1" })));
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!((changed.header("etag"), &changed.json()["media"]["alt"]), (Some("\"2\""), &json!("A figure")));
    let stale = call(&alice, "PATCH", Some("\"1\""), Some(json!({ "alt": "Again" })));
    assert_eq!((stale.status, &stale.json()["current_version"]), (412, &json!(2)));
    let cleared = call(&alice, "PATCH", Some("\"2\""), Some(json!({ "caption": null })));
    assert_eq!(
        (&cleared.json()["media"]["caption"], &cleared.json()["media"]["alt"]),
        (&Value::Null, &json!("A figure"))
    );
    let bad = call(&alice, "PATCH", Some("\"3\""), Some(json!({ "alt": "two\nlines", "owner": "x" })));
    assert_eq!(bad.status, 400, "{}", bad.body);

    // Forcing a deletion is for editors and admins; its owner deletes it,
    // and its public address answers 404 from then on.
    let author_upload = upload(&app, &author, "a.png", &png(8, 8), None).json()["media"].clone();
    let forced = app.send(
        "DELETE",
        &format!("/api/v1/admin/media/{}?force=true", author_upload["id"].as_str().unwrap()),
        &[("Authorization", &author), ("If-Match", "\"1\"")],
        None,
    );
    assert_eq!(forced.status, 403, "{}", forced.body);
    let public = path_of(item["url"].as_str().unwrap()).to_owned();
    assert_eq!(app.get(&public).status, 200);
    assert_eq!(call(&alice, "DELETE", Some("\"1\""), None).status, 412);
    assert_eq!(call(&alice, "DELETE", Some("\"3\""), None).status, 204);
    assert_eq!(call(&alice, "GET", None, None).status, 404);
    assert_eq!(app.get(&public).status, 404);
}

fn posts_show_their_images_sized_and_keep_what_they_use(db: &Db) {
    let seed = Seed::new(db.url());
    let app = spawn(db);
    let editor = seed.sign_in(&app, "editor@example.com", Role::Editor);
    let author = seed.sign_in(&app, "author@example.com", Role::Author);
    let figure = upload(&app, &editor, "queue diagram.png", &png(1600, 900), Some("A queue")).json()["media"].clone();
    let paper = upload(&app, &editor, "paper.pdf", PDF, None).json()["media"].clone();
    let figure_path = path_of(figure["url"].as_str().unwrap()).to_owned();
    let paper_path = path_of(paper["url"].as_str().unwrap()).to_owned();
    let markdown = format!(
        "Intro.\n\n![A queue]({figure_path})\n\nThe [paper]({paper_path}).\n\n![again]({figure_path})\n\n\
         ![elsewhere](https://img.example/x.png)\n"
    );
    let body = json!({ "title": "Queues with figures", "markdown": markdown, "tags": ["queues"] });
    let created = app.send("POST", "/api/v1/admin/posts", &[("Authorization", &editor)], Some(&body));
    assert_eq!(created.status, 201, "{}", created.body);
    let post = created.json()["post"].clone();
    let id = post["id"].as_str().unwrap().to_owned();
    publish_first_version(&app, &editor, &id);

    // The public article: absolute addresses, sizes, WebP sources, the
    // first image eager and the next lazy; an outside image as written.
    let article = app.get("/api/v1/posts/queues-with-figures").json();
    let html = article["post"]["html"].as_str().unwrap();
    let api = &app.base_url;
    let expected = format!(
        "<img src=\"{api}{figure_path}\" width=\"1600\" height=\"900\" srcset=\"{api}{stem}-480w.webp 480w, \
         {api}{stem}-960w.webp 960w, {api}{stem}-1440w.webp 1440w, {api}{figure_path} 1600w\" sizes=\"(min-width: 960px) 960px, \
         100vw\" decoding=\"async\" fetchpriority=\"high\" alt=\"A queue\">",
        stem = figure_path.trim_end_matches(".png")
    );
    assert!(html.contains(&expected), "{html}");
    assert_eq!(html.matches("loading=\"lazy\"").count(), 1, "the second image is lazy: {html}");
    assert!(html.contains(&format!("href=\"{api}{paper_path}\"")), "{html}");
    assert!(html.contains("<img src=\"https://img.example/x.png\" alt=\"elsewhere\">"), "{html}");
    for srcset_url in html.split("srcset=\"").nth(1).unwrap().split('"').next().unwrap().split(", ") {
        let url = srcset_url.split(' ').next().unwrap();
        assert_eq!(app.get(path_of(url)).status, 200, "{url}");
    }
    let feed = app.get("/feed.json").json();
    assert!(feed["items"][0]["content_html"].as_str().unwrap().contains(&format!("src=\"{api}{figure_path}\"")));
    let graphql = app.send(
        "POST",
        "/graphql",
        &[],
        Some(&json!({ "query": "{ post(slug: \"queues-with-figures\") { html readingTimeMinutes } }" })),
    );
    assert_eq!(graphql.json()["data"]["post"]["html"].as_str(), Some(html), "{}", graphql.body);
    // Three words of prose and a link, and two images: 12 s and 11 s.
    assert_eq!(article["post"]["reading_time_minutes"], json!(1));

    // Deleting what a post uses: a 409 naming the post, unless forced by
    // an editor; an author sees only the posts they may read.
    let delete = |auth: &str, item: &Value, query: &str| {
        let path = format!("/api/v1/admin/media/{}{query}", item["id"].as_str().unwrap());
        app.send("DELETE", &path, &[("Authorization", auth), ("If-Match", "\"1\"")], None)
    };
    let refused = delete(&editor, &paper, "");
    assert_eq!(refused.status, 409, "{}", refused.body);
    let used_by = &refused.json()["used_by"];
    assert_eq!((&used_by[0]["id"], &used_by[0]["slug"]), (&json!(id), &json!("queues-with-figures")), "{used_by}");
    // An author's own upload, used in another's draft they cannot read.
    let own = upload(&app, &author, "mine.png", &png(20, 20), None).json()["media"].clone();
    let draft =
        json!({ "title": "Hidden draft", "markdown": format!("![x]({})", path_of(own["url"].as_str().unwrap())) });
    assert_eq!(app.send("POST", "/api/v1/admin/posts", &[("Authorization", &editor)], Some(&draft)).status, 201);
    let hidden = delete(&author, &own, "");
    assert_eq!((hidden.status, &hidden.json()["used_by"]), (409, &json!([])), "{}", hidden.body);
    // Reading an item says where it is used, within what the reader sees.
    let show = |auth: &str, item: &Value| {
        let path = format!("/api/v1/admin/media/{}", item["id"].as_str().unwrap());
        app.send("GET", &path, &[("Authorization", auth)], None).json()["media"]["used_by"].clone()
    };
    assert_eq!(show(&editor, &own)[0]["title"], "Hidden draft");
    assert_eq!(show(&editor, &own)[0]["status"], "draft");
    assert_eq!(show(&author, &own), json!([]), "another's draft stays out of sight");
    assert_eq!(show(&editor, &paper)[0]["slug"], "queues-with-figures");

    // Once the post no longer mentions the paper, it may go.
    let edited = json!({ "markdown": format!("Intro.\n\n![A queue]({figure_path})\n") });
    let changed = app.send(
        "PATCH",
        &format!("/api/v1/admin/posts/{id}"),
        &[("Authorization", &editor), ("If-Match", "\"2\"")],
        Some(&edited),
    );
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(delete(&editor, &paper, "").status, 204);
    assert_eq!(delete(&editor, &figure, "").status, 409);
    assert_eq!(delete(&editor, &figure, "?force=true").status, 204);
    assert_eq!(app.get(&figure_path).status, 404);
}

/// `longform media ...` against the app's database and media store.
fn media_cli(app: &TestApp, db: &Db, args: &[&str]) -> (bool, String) {
    let store = app.dir.path().join("media");
    let output =
        command(app.dir.path(), db.url()).env("LONGFORM_MEDIA_STORE", &store).arg("media").args(args).output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    (output.status.success(), text)
}

/// A file under the media store, written `age` ago.
fn aged_file(app: &TestApp, relative: &str, age: std::time::Duration) -> std::path::PathBuf {
    let file = app.dir.path().join("media").join(relative);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, b"left over").unwrap();
    let handle = std::fs::File::options().write(true).open(&file).unwrap();
    handle.set_modified(std::time::SystemTime::now() - age).unwrap();
    file
}

fn gc_removes_only_what_nothing_uses_and_verify_finds_damage(db: &Db) {
    let seed = Seed::new(db.url());
    let app = spawn(db);
    let editor = seed.sign_in(&app, "editor@example.com", Role::Editor);
    let (gone_bytes, kept_bytes) = (png(600, 40), png(700, 50));
    let gone = upload(&app, &editor, "gone.png", &gone_bytes, None).json()["media"].clone();
    let kept = upload(&app, &editor, "kept.png", &kept_bytes, None).json()["media"].clone();
    // The same bytes again, another item: deleting one leaves the other's.
    let twin = upload(&app, &editor, "twin.png", &kept_bytes, None).json()["media"].clone();
    for item in [&gone, &twin] {
        let path = format!("/api/v1/admin/media/{}", item["id"].as_str().unwrap());
        let deleted = app.send("DELETE", &path, &[("Authorization", &editor), ("If-Match", "\"1\"")], None);
        assert_eq!(deleted.status, 204, "{}", deleted.body);
    }
    let hour = std::time::Duration::from_secs(3600);
    let stray_sha = sha256(b"nobody uploaded this");
    let old_stray = aged_file(&app, &format!("originals/{}/{stray_sha}", &stray_sha[..2]), 2 * hour);
    let new_stray = aged_file(&app, &format!("renditions/{}/{stray_sha}-480.webp", &stray_sha[..2]), hour / 60);
    let old_tmp = aged_file(&app, "tmp/interrupted", 2 * hour);
    // gone.png: the original and a WebP and a PNG at 480; kept.png the same.
    assert_eq!(stored_files(&app), 3 + 3 + 2);

    let (ok, dry) = media_cli(&app, db, &["gc", "--dry-run"]);
    assert!(ok, "{dry}");
    let gone_sha = gone["sha256"].as_str().unwrap();
    assert!(dry.contains(&format!("would remove {gone_sha} ({} bytes", gone_bytes.len())), "{dry}");
    assert!(dry.contains(&format!("would remove originals/{}/{stray_sha}", &stray_sha[..2])), "{dry}");
    assert!(dry.contains("would remove tmp/interrupted"), "{dry}");
    assert!(!dry.contains(kept["sha256"].as_str().unwrap()) && !dry.contains("-480.webp"), "{dry}");
    assert!(dry.contains("would remove 1 unused blob(s)") && dry.contains("2 stray file(s)"), "{dry}");
    assert_eq!(stored_files(&app), 3 + 3 + 2, "a dry run removes nothing");
    assert!(old_tmp.exists());

    let (ok, done) = media_cli(&app, db, &["gc"]);
    assert!(ok, "{done}");
    assert!(done.contains("removed 1 unused blob(s)"), "{done}");
    assert_eq!(stored_files(&app), 3 + 1, "kept.png's three files and the stray written a minute ago");
    assert!(!old_stray.exists() && !old_tmp.exists() && new_stray.exists());
    let kept_url = path_of(kept["url"].as_str().unwrap()).to_owned();
    assert_eq!(app.get(&kept_url).bytes, kept_bytes);
    let (_, again) = media_cli(&app, db, &["gc"]);
    assert!(again.contains("removed 0 unused blob(s)"), "{again}");
    // The same bytes uploaded after their blob went: stored again.
    let back = upload(&app, &editor, "gone.png", &gone_bytes, None);
    assert_eq!(back.status, 201, "{}", back.body);
    assert_eq!(app.get(path_of(back.json()["media"]["url"].as_str().unwrap())).bytes, gone_bytes);
    std::fs::remove_file(&new_stray).unwrap();

    let (ok, clean) = media_cli(&app, db, &["verify"]);
    assert!(ok, "{clean}");
    assert!(clean.contains("matches the database"), "{clean}");
    let kept_sha = kept["sha256"].as_str().unwrap();
    let original = app.dir.path().join("media").join(format!("originals/{}/{kept_sha}", &kept_sha[..2]));
    let mut damaged = kept_bytes.clone();
    damaged[100] ^= 0xff;
    std::fs::write(&original, &damaged).unwrap();
    std::fs::remove_file(
        app.dir.path().join("media").join(format!("renditions/{}/{kept_sha}-480.webp", &kept_sha[..2])),
    )
    .unwrap();
    let (ok, report) = media_cli(&app, db, &["verify"]);
    assert!(!ok, "damage is a failure: {report}");
    assert!(
        report.contains(&format!("originals/{}/{kept_sha}: its bytes hash to {}", &kept_sha[..2], sha256(&damaged))),
        "{report}"
    );
    assert!(report.contains(&format!("renditions/{}/{kept_sha}-480.webp: missing", &kept_sha[..2])), "{report}");
    assert!(report.contains("error: 2 stored file(s) do not match"), "{report}");
}

fn an_uploaded_feature_image_is_sized_in_every_read_and_announced(db: &Db) {
    let seed = Seed::new(db.url());
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("media").to_string_lossy().into_owned();
    let env = [("LONGFORM_MEDIA_STORE", store.as_str()), ("LONGFORM_WEBHOOK_ALLOW_HOSTS", "127.0.0.1")];
    let app = TestApp::spawn_with(dir, db.url(), &env);
    let admin = seed.sign_in(&app, "admin@example.com", Role::Admin);
    let editor = seed.sign_in(&app, "editor@example.com", Role::Editor);
    let contributor = seed.sign_in(&app, "contributor@example.com", Role::Contributor);
    let receiver = Receiver::start();
    let hook = json!({ "url": receiver.url("/hook"), "events": ["media.*"] });
    let registered = app.send("POST", "/api/v1/admin/webhooks", &[("Authorization", &admin)], Some(&hook));
    assert_eq!(registered.status, 201, "{}", registered.body);

    let cover_bytes = png(1200, 600);
    let cover = upload(&app, &editor, "cover.png", &cover_bytes, Some("Threads in a queue")).json()["media"].clone();
    let cover_id = cover["id"].as_str().unwrap().to_owned();
    let cover_url = cover["url"].as_str().unwrap().to_owned();
    let figure = upload(&app, &editor, "figure.png", &png(300, 200), None).json()["media"].clone();
    let figure_path = path_of(figure["url"].as_str().unwrap()).to_owned();
    let theirs = upload(&app, &contributor, "theirs.png", &png(20, 20), None).json()["media"]["id"].clone();
    let paper = upload(&app, &editor, "paper.pdf", PDF, None).json()["media"]["id"].clone();

    // A feature image by media id: its address and its alt text are the
    // item's; an unknown id, an upload the caller may not see (a
    // contributor's view of an editor's) or a PDF are refused.
    let post = |feature: Value| json!({ "title": "Work stealing", "markdown": format!("Deques.\n\n![]({figure_path})\n"), "feature_image": feature });
    for (caller, feature, why) in [
        (&editor, json!({ "media_id": longform_domain::MediaId::new() }), "names no media item you may use"),
        (&contributor, json!({ "media_id": cover_id }), "names no media item you may use"),
        (&editor, json!({ "media_id": paper }), "not an image"),
        (&editor, json!({ "media_id": "nope" }), "media item's id"),
        (&editor, json!({ "media_id": cover_id, "url": "https://img.example/x.png" }), "not both"),
    ] {
        let refused = app.send("POST", "/api/v1/admin/posts", &[("Authorization", caller)], Some(&post(feature)));
        assert_eq!(refused.status, 400, "{}", refused.body);
        assert!(refused.body.contains("feature_image") && refused.body.contains(why), "{}", refused.body);
    }
    let created = app.send(
        "POST",
        "/api/v1/admin/posts",
        &[("Authorization", &editor)],
        Some(&post(json!({ "media_id": cover_id }))),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let admin_post = created.json()["post"].clone();
    assert_eq!(admin_post["feature_image"]["url"], json!(cover_url));
    assert_eq!(admin_post["feature_image"]["alt"], "Threads in a queue");
    let body_image = format!("{}{figure_path}", app.base_url);
    assert_eq!(admin_post["missing_alt"], json!([body_image]), "the body's image has no alt text");
    let id = admin_post["id"].as_str().unwrap().to_owned();
    publish_first_version(&app, &editor, &id);

    // REST: the card and the article carry its size, type, length and srcset.
    let stem = cover_url.trim_end_matches(".png");
    let srcset = format!("{stem}-480w.webp 480w, {stem}-960w.webp 960w, {cover_url} 1200w");
    let expected = json!({
        "url": cover_url, "alt": "Threads in a queue", "width": 1200, "height": 600,
        "content_type": "image/png", "bytes": cover_bytes.len(), "srcset": srcset,
        "sizes": "(min-width: 960px) 960px, 100vw",
    });
    assert_eq!(app.get("/api/v1/posts/work-stealing").json()["post"]["feature_image"], expected);
    assert_eq!(app.get("/api/v1/posts").json()["posts"][0]["feature_image"], expected);

    // GraphQL: the same, with the media item and its renditions, which are served.
    let query = json!({ "query": "{ post(slug: \"work-stealing\") { featureImage { url alt width height srcset sizes \
        media { id url contentType bytes width height renditions { width height format url } } } } }" });
    let answer = app.send("POST", "/graphql", &[], Some(&query)).json();
    let image = &answer["data"]["post"]["featureImage"];
    assert_eq!((&image["width"], &image["height"], &image["srcset"]), (&json!(1200), &json!(600), &json!(srcset)));
    assert_eq!(image["media"]["id"], json!(cover_id));
    assert_eq!(
        (&image["media"]["contentType"], &image["media"]["bytes"]),
        (&json!("image/png"), &json!(cover_bytes.len()))
    );
    let renditions = image["media"]["renditions"].as_array().unwrap();
    let sizes: Vec<(u64, u64)> =
        renditions.iter().map(|r| (r["width"].as_u64().unwrap(), r["height"].as_u64().unwrap())).collect();
    assert_eq!(sizes, [(960, 480), (480, 240)]);
    let served = app.get(path_of(renditions[0]["url"].as_str().unwrap()));
    assert_eq!((served.status, served.content_type.as_str()), (200, "image/webp"));
    let decoded = image::load_from_memory(&served.bytes).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (960, 480), "the size GraphQL says");

    // Feeds and the sitemap: the real type and length.
    let length = cover_bytes.len();
    let rss = app.get("/feed.xml").body;
    assert!(rss.contains(&format!("<enclosure url=\"{cover_url}\" length=\"{length}\" type=\"image/png\"/>")), "{rss}");
    let atom = app.get("/atom.xml").body;
    let link = format!("<link rel=\"enclosure\" type=\"image/png\" length=\"{length}\" href=\"{cover_url}\"/>");
    assert!(atom.contains(&link), "{atom}");
    assert_eq!(app.get("/feed.json").json()["items"][0]["image"], json!(cover_url));
    let sitemap = app.get("/sitemap.xml").body;
    assert!(sitemap.contains(&format!("<image:image><image:loc>{cover_url}</image:loc></image:image>")), "{sitemap}");

    // The feature image is a use: deleting it is refused, naming the post.
    let path = format!("/api/v1/admin/media/{cover_id}");
    let in_use = app.send("DELETE", &path, &[("Authorization", &editor), ("If-Match", "\"1\"")], None);
    assert_eq!(in_use.status, 409, "{}", in_use.body);
    assert_eq!(in_use.json()["used_by"][0]["slug"], "work-stealing");

    // Webhooks heard each upload, a change and a deletion.
    let described = json!({ "alt": "Figure 1" });
    let figure_path_admin = format!("/api/v1/admin/media/{}", figure["id"].as_str().unwrap());
    let patched =
        app.send("PATCH", &figure_path_admin, &[("Authorization", &editor), ("If-Match", "\"1\"")], Some(&described));
    assert_eq!(patched.status, 200, "{}", patched.body);
    let theirs_path = format!("/api/v1/admin/media/{}", theirs.as_str().unwrap());
    let deleted = app.send("DELETE", &theirs_path, &[("Authorization", &contributor), ("If-Match", "\"1\"")], None);
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    let bodies: Vec<Value> = receiver.wait_for(6, DEADLINE).iter().map(|r| r.json()).collect();
    let events: Vec<(&str, &str)> = bodies
        .iter()
        .map(|b| (b["type"].as_str().unwrap(), b["data"]["media"]["filename"].as_str().unwrap()))
        .collect();
    for event in [
        ("media.uploaded", "cover.png"),
        ("media.uploaded", "figure.png"),
        ("media.uploaded", "theirs.png"),
        ("media.uploaded", "paper.pdf"),
        ("media.updated", "figure.png"),
        ("media.deleted", "theirs.png"),
    ] {
        assert!(events.contains(&event), "{event:?} in {events:?}");
    }
    let updated = bodies.iter().find(|b| b["type"] == "media.updated").unwrap();
    assert_eq!(updated["data"]["media"]["alt"], "Figure 1");
    assert_eq!(updated["data"]["media"]["sha256"], json!(figure["sha256"]));
}

/// A JPEG of noise (`seed` picks which): seconds of renditions at 6
/// megapixels in a debug build, so a kill lands in the middle of them.
fn noisy_jpeg(width: u32, height: u32, seed: u32) -> Vec<u8> {
    let picture = image::RgbImage::from_fn(width, height, |x, y| {
        let n = x.wrapping_mul(2_654_435_761).wrapping_add(y.wrapping_mul(40_503)).rotate_left(x % 13) ^ seed;
        image::Rgb([n as u8, (n >> 8) as u8, (n >> 16) as u8])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .write_image(picture.as_raw(), width, height, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

fn killed_mid_upload(db: &Db) {
    let seed = Seed::new(db.url());
    let media = tempfile::tempdir().unwrap();
    let store = media.path().to_string_lossy().into_owned();
    let start = || TestApp::spawn_with(tempfile::tempdir().unwrap(), db.url(), &[("LONGFORM_MEDIA_STORE", &store)]);
    let first = start();
    let editor = seed.sign_in(&first, "editor@example.com", Role::Editor);
    // How long a whole upload of such a picture takes here.
    let began = std::time::Instant::now();
    assert_eq!(upload(&first, &editor, "timing.jpg", &noisy_jpeg(3000, 2000, 1), None).status, 201);
    let whole = began.elapsed();
    drop(first);
    // Killed (SIGKILL) at several moments of the upload: reading it,
    // deciding its type, making and writing each rendition, the original,
    // the row.
    // Each time other bytes: the same ones would find their renditions made.
    for (seed, share) in [0.3, 0.6, 0.8, 0.9, 0.97].into_iter().enumerate() {
        let after = whole.mul_f64(share);
        let photo = noisy_jpeg(3000, 2000, 10 + seed as u32);
        let app = start();
        let url = app.url("/api/v1/admin/media");
        let (auth, bytes) = (editor.clone(), photo.clone());
        let sender = std::thread::spawn(move || {
            let parts = [FormPart { name: "file", filename: Some("noise.jpg"), bytes: &bytes }];
            send_form_to(&url, "POST", &[("Authorization", &auth)], &parts).map(|reply| reply.status)
        });
        std::thread::sleep(after);
        drop(app); // SIGKILL
        let _ = sender.join().unwrap();
    }

    // Whatever landed is whole: each original hashes to its name, each
    // rendition decodes at its width, and each item's bytes are served.
    let app = start();
    let walk = |dir: &str| -> Vec<std::path::PathBuf> {
        let top = media.path().join(dir);
        let shards: Vec<std::path::PathBuf> =
            std::fs::read_dir(&top).map(|e| e.flatten().map(|e| e.path()).collect()).unwrap_or_default();
        shards.into_iter().flat_map(|shard| std::fs::read_dir(shard).unwrap().flatten().map(|e| e.path())).collect()
    };
    for original in walk("originals") {
        let name = original.file_name().unwrap().to_string_lossy().into_owned();
        assert_eq!(sha256(&std::fs::read(&original).unwrap()), name, "a whole original under its name");
    }
    for rendition in walk("renditions") {
        let bytes = std::fs::read(&rendition).unwrap();
        // Decoders forgive a cut-off file; its own framing does not.
        let whole = match rendition.extension().unwrap().to_str().unwrap() {
            "jpg" | "jpeg" => bytes.ends_with(&[0xff, 0xd9]),
            "webp" => {
                bytes.len() >= 8 && u32::from_le_bytes(bytes[4..8].try_into().unwrap()) as usize + 8 == bytes.len()
            }
            "png" => bytes.ends_with(b"IEND\xaeB`\x82"),
            other => panic!("a rendition in {other}"),
        };
        assert!(whole, "{} is cut off", rendition.display());
        let decoded = image::load_from_memory(&bytes).unwrap_or_else(|e| panic!("{}: {e}", rendition.display()));
        let name = rendition.file_name().unwrap().to_string_lossy().into_owned();
        let width: u32 = name.rsplit_once('-').unwrap().1.split('.').next().unwrap().parse().unwrap();
        assert_eq!(decoded.width(), width, "{name}");
    }
    let listed = app.send("GET", "/api/v1/admin/media", &[("Authorization", &editor)], None).json();
    for item in listed["media"].as_array().unwrap() {
        let served = app.get(path_of(item["url"].as_str().unwrap()));
        assert_eq!((served.status, sha256(&served.bytes)), (200, item["sha256"].as_str().unwrap().to_owned()));
    }
    // And the upload, made again, completes.
    let photo = noisy_jpeg(3000, 2000, 10);
    let again = upload(&app, &editor, "noise.jpg", &photo, None);
    assert_eq!(again.status, 201, "{}", again.body);
    assert_eq!(app.get(path_of(again.json()["media"]["url"].as_str().unwrap())).bytes, photo);
    assert_eq!(again.json()["media"]["renditions"].as_array().unwrap().len(), 8, "480, 960, 1440 and 1920, twice");
}

/// Every file below `dir`, by relative path, with its bytes.
fn tree(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(at) = pending.pop() {
        for entry in std::fs::read_dir(&at).unwrap().flatten() {
            if entry.path().is_dir() {
                pending.push(entry.path());
            } else {
                let name = entry.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                files.insert(name, std::fs::read(entry.path()).unwrap());
            }
        }
    }
    files
}

fn export_round_trip(source: &Db) {
    let seed = Seed::new(source.url());
    let work = tempfile::tempdir().unwrap();
    let media_of = |name: &str| work.path().join(name).to_string_lossy().into_owned();
    let cli = |db: &Db, store: &str, args: &[&str]| {
        let output = command(work.path(), db.url()).env("LONGFORM_MEDIA_STORE", store).args(args).output().unwrap();
        let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        (output.status.code(), text)
    };
    let source_media = media_of("source-media");
    let app =
        TestApp::spawn_with(tempfile::tempdir().unwrap(), source.url(), &[("LONGFORM_MEDIA_STORE", &source_media)]);
    let editor = seed.sign_in(&app, "editor@example.com", Role::Editor);
    let figure = upload(&app, &editor, "figure.png", &png(1100, 500), Some("A figure")).json()["media"].clone();
    let cover = upload(&app, &editor, "cover.png", &png(700, 350), None).json()["media"]["id"].clone();
    let markdown = format!("Text.\n\n![A figure]({})\n", path_of(figure["url"].as_str().unwrap()));
    let body = json!({ "title": "Travelling", "markdown": markdown, "feature_image": { "media_id": cover } });
    let created = app.send("POST", "/api/v1/admin/posts", &[("Authorization", &editor)], Some(&body));
    assert_eq!(created.status, 201, "{}", created.body);
    publish_first_version(&app, &editor, created.json()["post"]["id"].as_str().unwrap());
    let public = |app: &TestApp| app.get("/api/v1/posts/travelling").body.replace(&app.base_url, "BASE");
    let seen = public(&app);
    drop(app);

    let first = work.path().join("first.json");
    let (code, said) = cli(source, &source_media, &["export", "--format", "json", first.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{said}");
    assert!(
        said.contains("wrote 8 media file(s)"),
        "two originals; a WebP and a PNG at 480 for both, at 960 for one: {said}"
    );
    let exported = tree(&work.path().join("first.json.media"));

    let mut targets = vec![Db::sqlite()];
    targets.extend(Db::postgres());
    for (i, target) in targets.iter().enumerate() {
        let store = media_of(&format!("target-media-{i}"));
        let (code, said) = cli(target, &store, &["import-json", first.to_str().unwrap()]);
        assert_eq!(code, Some(0), "{said}");
        let again = work.path().join(format!("again-{i}.json"));
        let (code, said) = cli(target, &store, &["export", "--format", "json", again.to_str().unwrap()]);
        assert_eq!(code, Some(0), "{said}");
        assert_eq!(std::fs::read(&first).unwrap(), std::fs::read(&again).unwrap(), "target {i}: the same document");
        assert_eq!(tree(&work.path().join(format!("again-{i}.json.media"))), exported, "target {i}: the same bytes");
        let app = TestApp::spawn_with(tempfile::tempdir().unwrap(), target.url(), &[("LONGFORM_MEDIA_STORE", &store)]);
        assert_eq!(public(&app), seen, "target {i}: the same article, images sized, feature image known");
        assert_eq!(app.get(path_of(figure["url"].as_str().unwrap())).bytes, png(1100, 500));
    }

    // A document claiming a blob of a petabyte: refused, nothing allocated for it.
    let mut claim: Value = serde_json::from_slice(&std::fs::read(&first).unwrap()).unwrap();
    claim["media_blobs"][0]["bytes"] = json!(1_000_000_000_000_000_i64);
    let claiming = work.path().join("claiming.json");
    std::fs::write(&claiming, serde_json::to_vec(&claim).unwrap()).unwrap();
    std::fs::rename(work.path().join("first.json.media"), work.path().join("claiming.json.media")).unwrap();
    let (code, said) = cli(&Db::sqlite(), &media_of("claim-media"), &["import-json", claiming.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains("does not match its record"), "{said}");
    std::fs::rename(work.path().join("claiming.json.media"), work.path().join("first.json.media")).unwrap();

    // A damaged byte beside the document: nothing is restored.
    let original = exported.keys().find(|name| name.starts_with("originals/")).unwrap().clone();
    let damaged_path = work.path().join("first.json.media").join(&original);
    let mut damaged = std::fs::read(&damaged_path).unwrap();
    damaged[40] ^= 0xff;
    std::fs::write(&damaged_path, damaged).unwrap();
    let fresh = Db::sqlite();
    let (code, said) = cli(&fresh, &media_of("fresh-media"), &["import-json", first.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains(&original) && said.contains("does not match its record"), "{said}");
    let (_, listed) = cli(
        &fresh,
        &media_of("fresh-media"),
        &["export", "--format", "json", work.path().join("fresh.json").to_str().unwrap()],
    );
    assert!(listed.contains("exported 0 posts"), "{listed}");
}
