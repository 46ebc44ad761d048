//! `longform import DIR`: front-matter folders in, posts out through the
//! API; idempotent; bad files skipped with their reasons.

use std::path::Path;

use crate::helpers::{Db, TestApp, both_backends, command, run};

both_backends!(
    a_folder_imports_once_and_then_changes_nothing,
    bad_files_are_skipped_with_reasons_while_the_rest_lands,
    a_changed_file_updates_its_post_with_a_revision,
    dry_runs_write_nothing,
    a_generated_corpus_imports_exactly_as_its_manifest_says,
    an_empty_database_starts_with_the_demo_blog,
    markdown_export_reimports_to_the_same_posts,
    relative_images_are_uploaded_once_and_the_posts_point_at_them,
);

const AUTHORS: &str = r#"[{"name": "Jane Doe", "slug": "jane-doe", "bio": "Writes about runtimes.", "website": "https://jane.example.com"}]"#;

/// (file name, contents): a Hugo-style post, an Astro-style draft, a Jekyll-style dated post.
fn posts() -> Vec<(&'static str, String)> {
    vec![
        ("go-channels.md", "---\ntitle: \"Go Channels Are Not Queues\"\ndate: 2026-05-12T09:00:00Z\nlastmod: 2026-05-13T10:00:00Z\ncategories: [Blog]\ntags: [Go Concurrency, memory-models]\nauthor: jane-doe\ndescription: Channels synchronise.\n---\n# Channels\n\nThey block.\n".into()),
        ("nested/astro-draft.md", "---\ntitle: A Draft in Progress\ndraft: true\nauthors: [jane-doe, mei-chen]\n---\nNot yet.\n".into()),
        ("2026-04-01-runtime-notes.md", "---\ntitle: Runtime Notes\nslug: runtime-notes\npublished_at: 2026-04-01 08:30:00\nstatus: published\ncategory: Notes\ntags: [runtime]\nfeatured: true\n---\nA paragraph about run queues.\n".into()),
    ]
}

fn write_folder(dir: &Path) {
    std::fs::write(dir.join("_authors.json"), AUTHORS).unwrap();
    for (name, text) in posts() {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

fn import(db: &Db, dir: &Path, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec!["import", dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    let output = run(dir, db.url(), &args, "");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (output.status.code().unwrap_or(-1), text(&output.stdout), text(&output.stderr))
}

fn a_folder_imports_once_and_then_changes_nothing(db: &Db) {
    let dir = tempfile::tempdir().unwrap();
    write_folder(dir.path());
    let (code, out, err) = import(db, dir.path(), &[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("created 3, updated 0, unchanged 0, skipped 0 in "), "{out}");
    let (code, out, _) = import(db, dir.path(), &[]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("created 0, updated 0, unchanged 3, skipped 0 in "),
        "the second import changes nothing: {out}"
    );

    let app = TestApp::spawn(db.url());
    let index = app.get("/api/v1/posts").json();
    let slugs: Vec<&str> = index["posts"].as_array().unwrap().iter().map(|p| p["slug"].as_str().unwrap()).collect();
    assert_eq!(slugs, ["go-channels", "runtime-notes"], "newest first; the draft is not public");
    let post = app.get("/api/v1/posts/go-channels").json()["post"].clone();
    assert_eq!(post["title"], "Go Channels Are Not Queues");
    assert_eq!(post["published_at"], "2026-05-12T09:00:00Z");
    assert_eq!(post["updated_at"], "2026-05-13T10:00:00Z");
    assert_eq!(post["summary"], "Channels synchronise.");
    assert_eq!(post["category"], serde_json::json!({"slug": "blog", "name": "Blog"}));
    assert_eq!(post["tags"][0], serde_json::json!({"slug": "go-concurrency", "name": "Go Concurrency"}));
    assert_eq!(post["authors"][0]["name"], "Jane Doe");
    let notes = app.get("/api/v1/posts/runtime-notes").json()["post"].clone();
    assert_eq!(notes["published_at"], "2026-04-01T08:30:00Z");
    assert_eq!(notes["featured"], true);
    let jane = app.get("/api/v1/authors/jane-doe").json()["author"].clone();
    assert_eq!(jane["bio"], "Writes about runtimes.");
    assert_eq!(jane["website"], "https://jane.example.com/");
    // An unknown author becomes a guest profile, private while only a draft names it.
    let seed = crate::seed::Seed::new(db.url());
    let mei = longform_domain::Slug::parse("mei-chen").unwrap();
    assert!(seed.block_on(seed.store.taxonomy().author_counted(mei)).unwrap().is_some(), "a guest profile");
    assert_eq!(app.get("/api/v1/authors/mei-chen").status, 404, "named only by a draft");
}

fn bad_files_are_skipped_with_reasons_while_the_rest_lands(db: &Db) {
    let dir = tempfile::tempdir().unwrap();
    write_folder(dir.path());
    std::fs::write(dir.path().join("broken.md"), "---\ntitle: [unclosed\n---\nBody\n").unwrap();
    std::fs::write(dir.path().join("untitled.md"), "---\nslug: untitled\n---\nBody\n").unwrap();
    std::fs::write(dir.path().join("zz-copy.md"), posts()[2].1.clone()).unwrap();
    let (code, out, err) = import(db, dir.path(), &[]);
    assert_eq!(code, 2, "the exit code says something was skipped: {err}");
    assert!(out.starts_with("created 3, updated 0, unchanged 0, skipped 3 in "), "{out}");
    assert!(err.contains("broken.md: the front matter is not valid YAML"), "{err}");
    assert!(err.contains("untitled.md: the front matter has no title"), "{err}");
    assert!(err.contains("zz-copy.md: slug \"runtime-notes\" is already used by"), "{err}");
    assert_eq!(err.lines().last().unwrap(), "error: 3 file(s) were skipped (see above)");
}

fn a_changed_file_updates_its_post_with_a_revision(db: &Db) {
    let dir = tempfile::tempdir().unwrap();
    write_folder(dir.path());
    import(db, dir.path(), &[]);
    let path = dir.path().join("go-channels.md");
    let edited = std::fs::read_to_string(&path).unwrap().replace("They block.", "They block, and they synchronise.");
    std::fs::write(&path, edited).unwrap();
    let (code, out, _) = import(db, dir.path(), &[]);
    assert_eq!(code, 0);
    assert!(out.starts_with("created 0, updated 1, unchanged 2, skipped 0 in "), "{out}");
    let seed = crate::seed::Seed::new(db.url());
    let post = seed
        .block_on(seed.store.posts().find_by_slug(longform_domain::Slug::parse("go-channels").unwrap()))
        .unwrap()
        .unwrap();
    assert!(post.body.markdown.contains("they synchronise"));
    let revisions = seed.block_on(seed.store.posts().revisions(post.card.id)).unwrap();
    assert_eq!(revisions.len(), 2, "the change is a revision");
}

fn dry_runs_write_nothing(db: &Db) {
    let dir = tempfile::tempdir().unwrap();
    write_folder(dir.path());
    let (code, out, _) = import(db, dir.path(), &["--dry-run"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("created 3, updated 0, unchanged 0, skipped 0") && out.contains("dry run"), "{out}");
    let (_, out, _) = import(db, dir.path(), &["--dry-run"]);
    assert!(out.starts_with("created 3,"), "nothing was written the first time: {out}");
}

fn a_generated_corpus_imports_exactly_as_its_manifest_says(db: &Db) {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    let written = run(dir.path(), db.url(), &["corpus", "--posts", "200", "--out", corpus.to_str().unwrap()], "");
    assert!(written.status.success());
    let (code, out, err) = import(db, &corpus, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("created 200, updated 0, unchanged 0, skipped 0"), "{out}");
    let (_, again, _) = import(db, &corpus, &[]);
    assert!(again.starts_with("created 0, updated 0, unchanged 200, skipped 0"), "{again}");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(corpus.join("_manifest.json")).unwrap()).unwrap();
    let app = TestApp::spawn(db.url());
    let mut drafts = 0;
    for entry in manifest["posts"].as_array().unwrap() {
        let slug = entry["slug"].as_str().unwrap();
        let reply = app.get(&format!("/api/v1/posts/{slug}"));
        if entry["status"] == "draft" {
            assert_eq!(reply.status, 404, "{slug} is a draft");
            drafts += 1;
            continue;
        }
        assert_eq!(reply.status, 200, "{slug}");
        let post = &reply.json()["post"];
        assert_eq!(post["title"], entry["title"], "{slug}");
        assert_eq!(post["published_at"], entry["published_at"], "{slug}");
        assert_eq!(post["updated_at"], entry["updated_at"], "{slug}");
        let slugs = |v: &serde_json::Value| v.as_array().unwrap().iter().map(|t| t["slug"].clone()).collect::<Vec<_>>();
        assert_eq!(slugs(&post["tags"]), *entry["tags"].as_array().unwrap(), "{slug}");
        assert_eq!(slugs(&post["authors"]), *entry["authors"].as_array().unwrap(), "{slug}");
        let minutes = post["reading_time_minutes"].as_u64().unwrap();
        assert!((6..=30).contains(&minutes), "{slug}: long-form, {minutes} min");
    }
    assert_eq!(drafts, 10);
    assert_eq!(app.get("/api/v1/posts").json()["meta"]["pagination"]["total"], 190);
}

fn an_empty_database_starts_with_the_demo_blog(db: &Db) {
    let app = TestApp::spawn_with_demo(db.url());
    let index = app.get("/api/v1/posts?limit=20").json();
    assert_eq!(index["meta"]["pagination"]["total"], 22, "ten essays and a dozen corpus posts");
    assert_eq!(app.get("/api/v1/authors").json()["authors"].as_array().unwrap().len(), 2);
    assert!(app.get("/api/v1/tags").json()["tags"].as_array().unwrap().len() >= 3);
    drop(app);
    // A database with content is never touched again.
    let again = TestApp::spawn_with_demo(db.url());
    assert_eq!(again.get("/api/v1/posts").json()["meta"]["pagination"]["total"], 22);
}

/// `longform export --format json` then `import-json` elsewhere, then export
/// again: the same bytes, SQLite to PostgreSQL (and SQLite to SQLite).
#[test]
fn json_round_trip_sqlite_to_postgres_is_identical() {
    let source = Db::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    run(dir.path(), source.url(), &["corpus", "--posts", "40", "--out", corpus.to_str().unwrap()], "");
    assert_eq!(import(&source, &corpus, &[]).0, 0);
    let first = dir.path().join("first.json");
    assert!(
        run(dir.path(), source.url(), &["export", "--format", "json", first.to_str().unwrap()], "").status.success()
    );
    let mut targets = vec![Db::sqlite()];
    targets.extend(Db::postgres());
    for (i, target) in targets.iter().enumerate() {
        let restored = run(dir.path(), target.url(), &["import-json", first.to_str().unwrap()], "");
        assert!(restored.status.success(), "{}", String::from_utf8_lossy(&restored.stderr));
        let again = dir.path().join(format!("again-{i}.json"));
        assert!(
            run(dir.path(), target.url(), &["export", "--format", "json", again.to_str().unwrap()], "")
                .status
                .success()
        );
        assert_eq!(std::fs::read(&first).unwrap(), std::fs::read(&again).unwrap(), "target {i}: identical documents");
        let twice = run(dir.path(), target.url(), &["import-json", first.to_str().unwrap()], "");
        assert_eq!(twice.status.code(), Some(1), "only into an empty database");
    }
    // Exports carry no password hashes: a restored account gets a new password.
    let user = run(
        dir.path(),
        source.url(),
        &["user", "create", "--email", "ed@example.com", "--name", "Ed", "--role", "editor", "--password-stdin"],
        "first long password\n",
    );
    assert!(user.status.success());
    let with_user = dir.path().join("with-user.json");
    run(dir.path(), source.url(), &["export", "--format", "json", with_user.to_str().unwrap()], "");
    assert!(!std::fs::read_to_string(&with_user).unwrap().contains("argon2"), "no password hashes travel");
    let fresh = Db::sqlite();
    assert!(run(dir.path(), fresh.url(), &["import-json", with_user.to_str().unwrap()], "").status.success());
    let app = TestApp::spawn(fresh.url());
    let login = |password: &str| {
        app.send(
            "POST",
            "/api/v1/auth/login",
            &[],
            Some(&serde_json::json!({ "email": "ed@example.com", "password": password })),
        )
        .status
    };
    assert_eq!(login("first long password"), 401, "the old password does not come along");
    let set = run(
        dir.path(),
        fresh.url(),
        &["user", "set-password", "--email", "ed@example.com", "--password-stdin"],
        "a brand new password\n",
    );
    assert!(set.status.success(), "{}", String::from_utf8_lossy(&set.stderr));
    assert_eq!(login("a brand new password"), 200);
}

fn cards(app: &TestApp) -> Vec<serde_json::Value> {
    let index = app.get("/api/v1/posts?limit=100").json();
    index["posts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let mut p = p.clone();
            p.as_object_mut().unwrap().remove("id");
            p
        })
        .collect()
}

/// The Markdown folder export, imported into an empty database of either
/// backend, reproduces the same posts.
fn markdown_export_reimports_to_the_same_posts(db: &Db) {
    let source = Db::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    run(dir.path(), source.url(), &["corpus", "--posts", "30", "--out", corpus.to_str().unwrap()], "");
    import(&source, &corpus, &[]);
    let folder = dir.path().join("exported");
    assert!(
        run(dir.path(), source.url(), &["export", "--format", "markdown", folder.to_str().unwrap()], "")
            .status
            .success()
    );
    let (code, out, err) = import(db, &folder, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("created 30,"), "{out}");
    let (a, b) = (TestApp::spawn(source.url()), TestApp::spawn(db.url()));
    assert_eq!(cards(&a), cards(&b));
}

fn relative_images_are_uploaded_once_and_the_posts_point_at_them(db: &Db) {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("blog");
    let store = dir.path().join("media");
    let mut picture = Vec::new();
    let pixels = image::RgbImage::from_pixel(640, 320, image::Rgb([40, 90, 200]));
    image::DynamicImage::ImageRgb8(pixels)
        .write_to(&mut std::io::Cursor::new(&mut picture), image::ImageFormat::Png)
        .unwrap();
    let pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";
    for (name, bytes) in [("img/run queue.png", picture.as_slice()), ("papers/p.pdf", pdf), ("img/notes.txt", b"text")]
    {
        std::fs::create_dir_all(folder.join(name).parent().unwrap()).unwrap();
        std::fs::write(folder.join(name), bytes).unwrap();
    }
    let files = [
        (
            "queues.md",
            "---\ntitle: Queues\nstatus: published\n---\n![A run queue](img/run%20queue.png)\n\n\
            The [paper](./papers/p.pdf), [another post](./again.md).\n\n```md\n![kept](img/run%20queue.png)\n```\n",
        ),
        (
            "nested/again.md",
            "---\ntitle: Again\nstatus: published\nfeature_image: ../img/run queue.png\nfeature_image_alt: The queue\n\
             ---\n![The same queue](<../img/run queue.png>)\n",
        ),
        (
            "bad.md",
            "---\ntitle: Bad\nstatus: published\ncover: missing-cover.png\n---\nIntro.\n\n\
             ![gone](img/missing.png) ![away](../../../etc/passwd)\n\
             ![text](img/notes.txt)\n",
        ),
    ];
    for (name, text) in files {
        std::fs::create_dir_all(folder.join(name).parent().unwrap()).unwrap();
        std::fs::write(folder.join(name), text).unwrap();
    }
    let import_with = |extra: &[&str]| {
        let output = command(dir.path(), db.url())
            .env("LONGFORM_MEDIA_STORE", &store)
            .args(["import", folder.to_str().unwrap()])
            .args(extra)
            .output()
            .unwrap();
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        (output.status.code(), text(&output.stdout), text(&output.stderr))
    };
    let import = || import_with(&[]);
    let (_, rehearsal, rehearsal_err) = import_with(&["--dry-run"]);
    assert!(rehearsal.starts_with("created 3, updated 0, unchanged 0, skipped 0 in "), "{rehearsal}");
    assert!(rehearsal_err.contains("bad.md:9: img/notes.txt: "), "a dry run checks the files too: {rehearsal_err}");
    assert!(!store.join("originals").exists(), "a dry run keeps nothing");
    let (code, out, err) = import();
    assert_eq!(code, Some(2), "references not brought in: {out} {err}");
    assert!(
        out.starts_with("created 3, updated 0, unchanged 0, skipped 0 in ") && out.contains("with 2 media file(s)"),
        "{out}"
    );
    // Each named by the post's file and line; the post is imported anyway.
    for warning in [
        "bad.md:8: img/missing.png: not found",
        "bad.md:8: ../../../etc/passwd: not a file inside the imported folder",
        "bad.md:9: img/notes.txt: file is not a file type Longform keeps",
        "bad.md:4: feature image missing-cover.png: not found",
    ] {
        assert!(err.contains(&format!("warning: {}/{warning}", folder.display())), "{warning} in {err}");
    }
    assert!(err.contains("error: 4 file(s) the posts name could not be brought in"), "{err}");
    // Again: the same uploads, so the same Markdown, so nothing changes.
    let (_, again, _) = import();
    assert!(again.starts_with("created 0, updated 0, unchanged 3, skipped 0 in "), "{again}");
    let (_, rehearsal, _) = import_with(&["--dry-run"]);
    assert!(rehearsal.starts_with("created 0, updated 0, unchanged 3, skipped 0 in "), "{rehearsal}");

    let store = store.to_string_lossy().into_owned();
    let app = TestApp::spawn_with(tempfile::tempdir().unwrap(), db.url(), &[("LONGFORM_MEDIA_STORE", &store)]);
    let queues = app.get("/api/v1/posts/queues").json()["post"].clone();
    let html = queues["html"].as_str().unwrap();
    let src_at = html.find("<img src=\"").unwrap() + "<img src=\"".len();
    let src = &html[src_at..src_at + html[src_at..].find('"').unwrap()];
    assert!(src.starts_with(&format!("{}/media/", app.base_url)) && src.ends_with("/run%20queue.png"), "{html}");
    assert!(html.contains("width=\"640\" height=\"320\""), "sized like any upload: {html}");
    assert!(
        html.contains(&format!("<a href=\"{}/media/", app.base_url))
            && html.contains("/p.pdf\" rel=\"noopener noreferrer\">paper</a>"),
        "{html}"
    );
    assert!(html.contains("href=\"./again.md\" rel"), "a link to a post stays: {html}");
    assert!(html.contains("![kept](img/run%20queue.png)"), "code is not Markdown: {html}");
    let served = app.get(&src[app.base_url.len()..]);
    assert_eq!((served.status, served.bytes.as_slice()), (200, picture.as_slice()));
    let bad = app.get("/api/v1/posts/bad").json()["post"]["html"].as_str().unwrap().to_owned();
    assert!(bad.contains("src=\"img/missing.png\""), "what could not be brought in stays as written: {bad}");
    let again = app.get("/api/v1/posts/again").json()["post"]["html"].as_str().unwrap().to_owned();
    assert!(again.contains(&format!("<img src=\"{src}\"")), "one upload for both posts: {again}");
    let cover = app.get("/api/v1/posts/again").json()["post"]["feature_image"].clone();
    assert_eq!((cover["url"].as_str(), &cover["alt"]), (Some(src), &serde_json::json!("The queue")), "{cover}");
    assert_eq!((&cover["width"], &cover["height"]), (&serde_json::json!(640), &serde_json::json!(320)));
}
