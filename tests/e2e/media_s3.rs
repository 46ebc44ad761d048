//! Media in an S3 bucket (SeaweedFS, see `testing::s3`), as replicas on
//! several machines would run: two servers on one PostgreSQL database and
//! one bucket. An upload through one is served by the other, in ranges
//! read from the bucket; `longform media gc` and `verify` work on it.

use longform_domain::Role;
use longform_persistence::media_store::{BlobKey, MediaStore};
use longform_persistence::testing::s3::{SECRET_ACCESS_KEY, TestBucket, s3_bucket};

use crate::helpers::{Db, TestApp, command};
use crate::media::{PDF, SVG, path_of, pixel_bomb, png, sha256, sideways_jpeg, upload};
use crate::seed::Seed;

/// A server on `db` keeping its media in `bucket`.
fn spawn(db: &Db, bucket: &TestBucket) -> TestApp {
    let env = bucket.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(name, value)| (*name, value.as_str())).collect();
    TestApp::spawn_with(tempfile::tempdir().unwrap(), db.url(), &env)
}

/// `longform media ...` against the bucket: success and what it printed.
fn media_cli(app: &TestApp, db: &Db, bucket: &TestBucket, args: &[&str]) -> (bool, String) {
    let output = command(app.dir.path(), db.url()).envs(bucket.env()).arg("media").args(args).output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    (output.status.success(), text)
}

/// The paths of the bucket's media objects, sorted.
fn objects(store: &MediaStore) -> Vec<String> {
    let mut paths: Vec<String> = block_on(store.list()).unwrap().into_iter().map(|file| file.key.path()).collect();
    paths.sort();
    paths
}

fn block_on<T>(work: impl Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(work)
}

#[test]
fn replicas_share_one_bucket_and_gc_and_verify_work_on_it() {
    let Some(db) = Db::postgres() else { return };
    let Some(bucket) = s3_bucket() else { return };
    let seed = Seed::new(db.url());
    let (a, b) = (spawn(&db, &bucket), spawn(&db, &bucket));
    let editor = seed.sign_in(&a, "editor@example.com", Role::Editor);

    // Uploaded through A, served by B from the bucket.
    let chart = png(1000, 400);
    let created = upload(&a, &editor, "chart.png", &chart, None);
    assert_eq!(created.status, 201, "{}", created.body);
    let item = created.json()["media"].clone();
    let path = path_of(item["url"].as_str().unwrap()).to_owned();
    let original = b.get(&path);
    assert_eq!((original.status, sha256(&original.bytes)), (200, sha256(&chart)));
    let etag = original.header("etag").unwrap().to_owned();
    assert_eq!(b.get_with(&path, &[("If-None-Match", &etag)]).status, 304);
    let part = b.get_with(&path, &[("Range", "bytes=100-199")]);
    assert_eq!(part.status, 206);
    assert_eq!(part.header("content-range"), Some(&*format!("bytes 100-199/{}", chart.len())));
    assert_eq!(part.bytes, chart[100..200]);
    let head = b.send("HEAD", &path, &[], None);
    assert_eq!((head.status, head.header("content-length")), (200, Some(&*chart.len().to_string())));
    let rendition = &item["renditions"][0];
    let rendition_path = path_of(rendition["url"].as_str().unwrap()).to_owned();
    let served = b.get(&rendition_path);
    assert_eq!((served.status, served.bytes.len() as u64), (200, rendition["bytes"].as_u64().unwrap()));
    let tail = b.get_with(&rendition_path, &[("Range", "bytes=-16")]);
    assert_eq!((tail.status, tail.bytes.as_slice()), (206, &served.bytes[served.bytes.len() - 16..]));

    // A file larger than one read (256 KiB): served whole and in a range across two reads.
    let mut paper = PDF.to_vec();
    paper.extend((0..600_000u32).map(|i| (i % 251) as u8));
    let paper_item = upload(&a, &editor, "paper.pdf", &paper, None).json()["media"].clone();
    let paper_path = path_of(paper_item["url"].as_str().unwrap()).to_owned();
    assert_eq!(sha256(&b.get(&paper_path).bytes), sha256(&paper));
    let across = b.get_with(&paper_path, &[("Range", "bytes=262000-263000")]);
    assert_eq!((across.status, across.bytes.as_slice()), (206, &paper[262_000..263_001]));

    // Nothing on either server's disk; every file in the bucket.
    for app in [&a, &b] {
        assert!(!app.dir.path().join("data").exists() && !app.dir.path().join("media").exists());
    }
    let store = bucket.store();
    let (chart_sha, paper_sha) = (item["sha256"].as_str().unwrap(), paper_item["sha256"].as_str().unwrap());
    let chart_key = BlobKey::original(chart_sha).unwrap().path();
    assert_eq!(objects(&store).len(), 1 + 4 + 1, "chart.png, its four renditions, paper.pdf");
    assert!(objects(&store).contains(&chart_key));

    // Deleted through B; gc removes its objects from the bucket.
    let id = item["id"].as_str().unwrap();
    let deleted = b.send(
        "DELETE",
        &format!("/api/v1/admin/media/{id}"),
        &[("Authorization", &editor), ("If-Match", "\"1\"")],
        None,
    );
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    let (ok, dry) = media_cli(&a, &db, &bucket, &["gc", "--dry-run"]);
    assert!(ok && dry.contains(&format!("would remove {chart_sha}")), "{dry}");
    assert_eq!(objects(&store).len(), 6, "a dry run removes nothing");
    let (ok, done) = media_cli(&a, &db, &bucket, &["gc"]);
    assert!(ok, "{done}");
    assert!(done.contains("removed 1 unused blob(s)") && done.contains(&format!("s3://{}", bucket.name())), "{done}");
    assert!(!done.contains(SECRET_ACCESS_KEY), "{done}");
    assert_eq!(objects(&store), [BlobKey::original(paper_sha).unwrap().path()], "only paper.pdf is left");
    assert_eq!(a.get(&path).status, 404);

    // verify: clean, then a tampered object (overwritten through the S3 API) is found.
    let (ok, clean) = media_cli(&b, &db, &bucket, &["verify"]);
    assert!(ok && clean.contains("matches the database"), "{clean}");
    let mut damaged = paper.clone();
    damaged[1000] ^= 0xff;
    block_on(store.put(BlobKey::original(paper_sha).unwrap(), damaged.clone().into())).unwrap();
    let (ok, report) = media_cli(&b, &db, &bucket, &["verify"]);
    assert!(!ok, "damage is a failure: {report}");
    let expected = format!("{}: its bytes hash to {}", BlobKey::original(paper_sha).unwrap().path(), sha256(&damaged));
    assert!(report.contains(&expected), "{report}");
}

#[test]
fn a_wrong_secret_stops_serve_with_one_line_that_does_not_show_it() {
    let Some(bucket) = s3_bucket() else { return };
    let db = Db::sqlite();
    let wrong = "not-the-secret/0123456789";
    let output = command(tempfile::tempdir().unwrap().path(), db.url())
        .envs(bucket.env())
        .env("AWS_SECRET_ACCESS_KEY", wrong)
        .args(["serve", "--bind", "127.0.0.1:0", "--no-demo"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    let error: Vec<&str> = stderr.lines().filter(|line| line.starts_with("error")).collect();
    assert_eq!(error.len(), 1, "{stderr}");
    assert!(error[0].contains(&format!("s3://{}", bucket.name())) && error[0].contains("403"), "{stderr}");
    assert!(!stderr.contains(wrong) && !String::from_utf8_lossy(&output.stdout).contains(wrong), "{stderr}");
}

#[test]
fn each_kind_is_kept_in_the_bucket_and_hostile_uploads_leave_nothing_there() {
    let Some(bucket) = s3_bucket() else { return };
    let db = Db::sqlite();
    let seed = Seed::new(db.url());
    let app = spawn(&db, &bucket);
    let editor = seed.sign_in(&app, "editor@example.com", Role::Editor);
    let store = bucket.store();

    // A JPEG, a PNG, an SVG and a PDF: kept, served with their headers.
    let kinds: [(&str, Vec<u8>, &str, usize); 4] = [
        ("photo.jpg", sideways_jpeg(1000, 500), "image/jpeg", 2),
        ("chart.png", png(700, 300), "image/png", 2),
        ("drawing.svg", SVG.as_bytes().to_vec(), "image/svg+xml", 0),
        ("paper.pdf", PDF.to_vec(), "application/pdf", 0),
    ];
    let mut objects_expected = 0;
    for (name, bytes, content_type, renditions) in &kinds {
        let created = upload(&app, &editor, name, bytes, None);
        assert_eq!(created.status, 201, "{name}: {}", created.body);
        let item = created.json()["media"].clone();
        assert_eq!(item["renditions"].as_array().unwrap().len(), *renditions, "{name}");
        let served = app.get(path_of(item["url"].as_str().unwrap()));
        assert_eq!((served.status, served.content_type.as_str()), (200, *content_type), "{name}");
        assert_eq!(sha256(&served.bytes), sha256(bytes), "{name}");
        assert_eq!(served.header("cache-control"), Some("public, max-age=31536000, immutable"), "{name}");
        if name.ends_with(".svg") {
            let policy = served.header("content-security-policy").unwrap_or_default();
            assert!(policy.contains("sandbox") && policy.contains("default-src 'none'"), "{policy}");
        }
        for rendition in item["renditions"].as_array().unwrap() {
            let served = app.get(path_of(rendition["url"].as_str().unwrap()));
            assert_eq!((served.status, served.bytes.len() as u64), (200, rendition["bytes"].as_u64().unwrap()));
        }
        objects_expected += 1 + renditions;
    }
    assert_eq!(objects(&store).len(), objects_expected, "each original and rendition, in the bucket");

    // Refused, and the bucket has nothing more.
    let bomb = pixel_bomb(100_000, 100_000);
    let scripted = SVG.replace("</svg>", "<script>alert(1)</script></svg>");
    let mut huge = png(64, 64);
    huge.resize(30 * 1000 * 1000, 0);
    let executable = std::fs::read("/bin/ls").unwrap();
    for (name, bytes, status) in [
        ("bomb.png", bomb.as_slice(), 400),
        ("innocent.png", executable.as_slice(), 415),
        ("chart.svg", scripted.as_bytes(), 400),
        ("huge.png", huge.as_slice(), 413),
    ] {
        let refused = upload(&app, &editor, name, bytes, None);
        assert_eq!((refused.status, refused.content_type.as_str()), (status, "application/problem+json"), "{name}");
    }
    assert_eq!(objects(&store).len(), objects_expected, "nothing of a refused upload");
    let listed = app.send("GET", "/api/v1/admin/media", &[("Authorization", &editor)], None).json();
    assert_eq!(listed["media"].as_array().unwrap().len(), kinds.len());
}
