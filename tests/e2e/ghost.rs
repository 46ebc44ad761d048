//! The Ghost Content API at /ghost/api/content, read by Ghost's own client
//! (`@tryghost/content-api`) and theme helpers (`@tryghost/helpers`),
//! pinned in tests/ghost/package.json. This test seeds a blog and writes
//! down what it holds; tests/ghost/suite.mjs checks every answer against
//! that, each flow a test of its own in the summary line of `make test`.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use longform_domain::{Description, Email, Name, NewAuthor, NewUser, Password, PasswordHash, Role, Slug, WebUrl};
use longform_persistence::testing::skip;
use serde_json::{Value, json};

use crate::admin::{PASSWORD, call, call_if, user};
use crate::helpers::{Db, TestApp, both_backends, run};
use crate::seed::Seed;

both_backends!(ghosts_own_client_reads_the_blog);

/// How long the whole suite may take before it is killed and fails.
const SUITE_LIMIT: Duration = Duration::from_secs(180);
const BASE_URL: &str = "https://blog.example";
const SITE_TITLE: &str = "Field Notes";
const SITE_DESCRIPTION: &str = "Notes from the runtime, weekly.";

/// Tags as the front matter names them, and the slugs they get.
const TAGS: [(&str, &str); 5] = [
    ("Rust", "rust"),
    ("Go", "go"),
    ("Memory Models", "memory-models"),
    ("Runtime", "runtime"),
    ("Linkers", "linkers"),
];

struct AuthorSpec {
    slug: &'static str,
    name: &'static str,
    bio: &'static str,
    website: Option<&'static str>,
    avatar: Option<&'static str>,
}

/// Author profiles, by name. Omar's belongs to a user account (whose email
/// must never show); the others come from the import's `_authors.json`.
const AUTHORS: [AuthorSpec; 3] = [
    AuthorSpec {
        slug: "jane-doe",
        name: "Jane Doe",
        bio: "Writes about runtimes.",
        website: Some("https://jane.example.com/"),
        avatar: None,
    },
    AuthorSpec {
        slug: "mei-chen",
        name: "Mei Chen",
        bio: "Compilers, linkers and loaders.",
        website: None,
        avatar: None,
    },
    AuthorSpec {
        slug: "omar-haddad",
        name: "Omar Haddad",
        bio: "Schedulers at scale.",
        website: None,
        avatar: Some("https://images.example.com/omar.png"),
    },
];
const OMAR: usize = 2;
const OMAR_EMAIL: &str = "omar@example.com";
const ADMIN_EMAIL: &str = "ada@example.com";

/// The published posts' titles, oldest first: distinct first letters, so
/// that ordering by title is the same under any collation, and not the
/// order of publication.
const TITLES: [&str; 25] = [
    "Queues that never block",
    "Atomics without fear",
    "Lifetimes in long-running services",
    "Channels are not queues",
    "Epoch-based reclamation",
    "Mutexes under contention",
    "Barriers and fences",
    "Futures, polled by hand",
    "Hazard pointers explained",
    "Inlining decisions",
    "Jitter in timers",
    "Kernels and syscalls",
    "Yielding to the scheduler",
    "Nursery collectors",
    "Ownership across threads",
    "Pinning, once more",
    "Relocations at link time",
    "Symbols and their visibility",
    "Threads or tasks",
    "Unwinding through frames",
    "Vectors that grow",
    "Wakers and their contracts",
    "Xorshift for benchmarks",
    "Generics and code size",
    "Zeroing memory safely",
];

/// The post whose body is long (1,100 words and an image), so that its
/// reading time is more than a minute.
const LONG: usize = 7;

/// One post of the seeded blog, as its front matter says.
struct PostSpec {
    title: String,
    slug: String,
    status: &'static str,
    published_at: Option<DateTime<Utc>>,
    tags: Vec<(&'static str, &'static str)>,
    authors: Vec<&'static str>,
    featured: bool,
    excerpt: Option<String>,
    image: Option<String>,
    /// The body's first words (what a derived excerpt starts with).
    opening: String,
    long: bool,
}

fn slugify(title: &str) -> String {
    let words: Vec<String> = title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    words.join("-")
}

/// The 25 published posts, newest first: tags, authors, featured flags,
/// custom excerpts and feature images varied so that every filter the
/// suite tries selects a different set.
fn published() -> Vec<PostSpec> {
    let first: DateTime<Utc> = "2025-01-06T05:00:00Z".parse().unwrap();
    let mut posts: Vec<PostSpec> = TITLES
        .iter()
        .enumerate()
        .map(|(i, title)| {
            let mut tags = vec![TAGS[i % 4]];
            if i % 3 == 0 {
                tags.push(TAGS[4]);
            }
            if i % 2 == 1 && i % 4 != 3 {
                tags.push(TAGS[3]);
            }
            let authors = match i % 3 {
                0 => vec!["jane-doe", "mei-chen"],
                1 => vec!["mei-chen"],
                _ => vec!["omar-haddad", "jane-doe"],
            };
            let slug = slugify(title);
            PostSpec {
                title: (*title).to_owned(),
                status: "published",
                published_at: Some(first + TimeDelta::days(3 * i as i64) + TimeDelta::minutes(17 * i as i64)),
                tags,
                authors,
                featured: i % 5 == 0,
                excerpt: (i % 4 == 1).then(|| format!("Why {} matters.", title.to_lowercase())),
                image: (i % 6 == 0).then(|| format!("https://images.example.com/{slug}.jpg")),
                opening: format!("An opening paragraph on {}", title.to_lowercase()),
                long: i == LONG,
                slug,
            }
        })
        .collect();
    posts.reverse();
    posts
}

/// A draft, a scheduled post and one published then trashed: their
/// titles, tags and (the draft's) author must never show.
fn hidden() -> Vec<PostSpec> {
    let post = |title: &str, status, at: Option<&str>, tag, authors: Vec<&'static str>| PostSpec {
        title: title.to_owned(),
        slug: slugify(title),
        status,
        published_at: at.map(|at| at.parse().unwrap()),
        tags: vec![tag],
        authors,
        featured: true,
        excerpt: None,
        image: None,
        opening: format!("An opening paragraph on {}", title.to_lowercase()),
        long: false,
    };
    vec![
        post("Unannounced Draft", "draft", None, ("Embargoed", "embargoed"), vec!["ghost-writer"]),
        post(
            "Scheduled Surprise",
            "scheduled",
            Some("2099-01-01T00:00:00Z"),
            ("Future Plans", "future-plans"),
            vec!["jane-doe"],
        ),
        post(
            "Withdrawn Article",
            "published",
            Some("2025-02-10T12:00:00Z"),
            ("Withdrawn", "withdrawn"),
            vec!["mei-chen"],
        ),
    ]
}
const TRASHED: &str = "withdrawn-article";

fn front_matter(post: &PostSpec) -> String {
    let quoted = |text: &str| serde_json::to_string(text).unwrap();
    let names: Vec<&str> = post.tags.iter().map(|(name, _)| *name).collect();
    let mut text = format!(
        "---\ntitle: {}\nslug: {}\nstatus: {}\ntags: [{}]\nauthors: [{}]\nfeatured: {}\n",
        quoted(&post.title),
        post.slug,
        post.status,
        names.join(", "),
        post.authors.join(", "),
        post.featured
    );
    if let Some(at) = post.published_at {
        text.push_str(&format!("published_at: {}\n", at.to_rfc3339_opts(SecondsFormat::Secs, true)));
    }
    if let Some(excerpt) = &post.excerpt {
        text.push_str(&format!("description: {}\n", quoted(excerpt)));
    }
    if let Some(image) = &post.image {
        text.push_str(&format!("feature_image: {image}\n"));
    }
    text.push_str(&format!("---\n{}, schedulers and memory.\n\nA second paragraph with `code` in it.\n", post.opening));
    if post.long {
        text.push_str("\n![A diagram](https://images.example.com/diagram.png)\n\n");
        text.push_str(&"lorem ".repeat(1100));
        text.push('\n');
    }
    text
}

/// The blog as a folder for `longform import`.
fn write_blog(dir: &Path) {
    let authors: Vec<Value> = AUTHORS
        .iter()
        .filter(|a| a.slug != AUTHORS[OMAR].slug)
        .map(|a| json!({ "slug": a.slug, "name": a.name, "bio": a.bio, "website": a.website }))
        .collect();
    std::fs::write(dir.join("_authors.json"), Value::Array(authors).to_string()).unwrap();
    for post in published().iter().chain(&hidden()) {
        std::fs::write(dir.join(format!("{}.md", post.slug)), front_matter(post)).unwrap();
    }
}

/// Omar: a user account with an author profile of its own.
fn linked_author(seed: &Seed) {
    let new = NewUser {
        email: Email::parse(OMAR_EMAIL).unwrap(),
        name: Name::parse("Omar Haddad").unwrap(),
        role: Role::Author,
        password_hash: PasswordHash::create(&Password::parse(PASSWORD).unwrap()).unwrap(),
    };
    let account = seed.block_on(seed.store.users().create(new)).unwrap();
    let omar = &AUTHORS[OMAR];
    let profile = NewAuthor {
        slug: Slug::parse(omar.slug).unwrap(),
        name: Name::parse(omar.name).unwrap(),
        bio: Some(Description::parse(omar.bio).unwrap()),
        avatar_url: omar.avatar.map(|url| WebUrl::parse_field("avatar_url", url).unwrap()),
        website: None,
        links: Vec::new(),
        user_id: Some(account.id),
        public: false,
    };
    seed.block_on(seed.store.taxonomy().create_author(profile)).unwrap();
}

/// Every post as the editor sees it, by slug: the import landed as meant.
fn admin_posts(app: &TestApp, admin: &str) -> serde_json::Map<String, Value> {
    let listed = call(app, admin, "GET", "/api/v1/admin/posts?limit=100", None);
    assert_eq!(listed.status, 200, "{}", listed.body);
    let posts = listed.json()["posts"].as_array().unwrap().clone();
    let by_slug: serde_json::Map<String, Value> =
        posts.into_iter().map(|p| (p["slug"].as_str().unwrap().to_owned(), p)).collect();
    for post in published().iter().chain(&hidden()) {
        let seen = by_slug.get(&post.slug).unwrap_or_else(|| panic!("{} was not imported", post.slug));
        let minutes = seen["reading_time_minutes"].as_u64().unwrap();
        assert!(!post.long || minutes > 1, "{}: {minutes} min", post.slug);
        assert_eq!(seen["status"], post.status, "{}", post.slug);
        let at = seen["published_at"].as_str().map(|at| at.parse::<DateTime<Utc>>().unwrap());
        assert_eq!(at, post.published_at.filter(|_| post.status != "draft"), "{}", post.slug);
    }
    by_slug
}

fn trash(app: &TestApp, admin: &str, post: &Value) {
    let path = format!("/api/v1/admin/posts/{}", post["id"].as_str().unwrap());
    let trashed = call_if(app, admin, "DELETE", &path, post["version"].as_i64().unwrap(), None);
    assert_eq!(trashed.status, 204, "{}", trashed.body);
}

/// A new content key: its id and its secret.
fn content_key(app: &TestApp, admin: &str) -> (String, String) {
    let body = json!({ "name": "Ghost frontend", "scope": "content" });
    let created = call(app, admin, "POST", "/api/v1/admin/tokens", Some(body));
    assert_eq!(created.status, 201, "{}", created.body);
    let token = &created.json()["token"];
    assert_eq!(token["scope"], "content", "{}", created.body);
    let secret = token["token"].as_str().unwrap().to_owned();
    let hex = secret.len() == 64 && secret.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    assert!(hex, "a Ghost client wants lowercase hex: {secret}");
    (token["id"].as_str().unwrap().to_owned(), secret)
}

fn tag_json(slug: &str, name: &str) -> Value {
    json!({ "slug": slug, "name": name, "url": format!("{BASE_URL}/tag/{slug}/") })
}

fn author_json(slug: &str) -> Value {
    let name = AUTHORS.iter().find(|a| a.slug == slug).unwrap().name;
    json!({ "slug": slug, "name": name, "url": format!("{BASE_URL}/author/{slug}/") })
}

fn post_json(post: &PostSpec, ids: &serde_json::Map<String, Value>) -> Value {
    json!({
        "slug": post.slug,
        "title": post.title,
        "longform_id": ids[&post.slug]["id"],
        "published_at": post.published_at.map(|at| at.to_rfc3339_opts(SecondsFormat::Secs, true)),
        "featured": post.featured,
        "tags": post.tags.iter().map(|(name, slug)| tag_json(slug, name)).collect::<Vec<_>>(),
        "authors": post.authors.iter().map(|slug| json!({ "slug": slug })).collect::<Vec<_>>(),
        "custom_excerpt": post.excerpt,
        "feature_image": post.image,
        "opening": post.opening,
        "url": format!("{BASE_URL}/{}/", post.slug),
        // Longform's own count (docs/GHOST.md), as the editor sees it.
        "reading_time": ids[&post.slug]["reading_time_minutes"],
        "long": post.long,
    })
}

/// What the suite checks answers against, from the seed alone.
fn facts(ids: &serde_json::Map<String, Value>) -> Value {
    let posts = published();
    let count = |f: &dyn Fn(&PostSpec) -> bool| posts.iter().filter(|p| f(p)).count();
    let mut tags: Vec<Value> = TAGS
        .iter()
        .map(|(name, slug)| {
            let mut tag = tag_json(slug, name);
            tag["posts"] = json!(count(&|p| p.tags.iter().any(|t| t.1 == *slug)));
            tag
        })
        .collect();
    tags.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    let mut authors: Vec<Value> = AUTHORS
        .iter()
        .map(|a| {
            let mut author = author_json(a.slug);
            author["bio"] = json!(a.bio);
            author["website"] = json!(a.website);
            author["profile_image"] = json!(a.avatar);
            author["posts"] = json!(count(&|p| p.authors.contains(&a.slug)));
            author
        })
        .collect();
    authors.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    let with_names = |mut post: Value| {
        for author in post["authors"].as_array_mut().unwrap() {
            *author = author_json(author["slug"].as_str().unwrap());
        }
        post
    };
    let hidden = hidden();
    json!({
        "site": { "title": SITE_TITLE, "description": SITE_DESCRIPTION, "url": BASE_URL },
        "posts": posts.iter().map(|p| with_names(post_json(p, ids))).collect::<Vec<_>>(),
        "tags": tags,
        "authors": authors,
        "hidden": hidden.iter().map(|p| post_json(p, ids)).collect::<Vec<_>>(),
        "hidden_tags": hidden.iter().map(|p| p.tags[0].1).collect::<Vec<_>>(),
        "hidden_authors": ["ghost-writer"],
        "emails": [ADMIN_EMAIL, OMAR_EMAIL],
    })
}

/// tests/ghost/suite.mjs against a seeded blog on `db`, with a content
/// key and one revoked.
fn ghosts_own_client_reads_the_blog(db: &Db) {
    let suite = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ghost");
    if !suite.join("node_modules/@tryghost/content-api").exists() {
        return skip::unavailable("node", "tests/ghost/node_modules is not installed: run `make tools`").unwrap_or(());
    }
    let backend = if db.url().starts_with("postgres") { "postgres" } else { "sqlite" };
    let seed = Seed::new(db.url());
    linked_author(&seed);
    let (work, folder) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    write_blog(folder.path());
    let imported = run(work.path(), db.url(), &["import", folder.path().to_str().unwrap()], "");
    assert!(imported.status.success(), "import: {}", String::from_utf8_lossy(&imported.stderr));

    let env = [
        ("LONGFORM_BASE_URL", BASE_URL),
        ("LONGFORM_SITE_TITLE", SITE_TITLE),
        ("LONGFORM_SITE_DESCRIPTION", SITE_DESCRIPTION),
    ];
    let app = TestApp::spawn_with(work, db.url(), &env);
    let admin = user(&seed, &app, ADMIN_EMAIL, "admin");
    let ids = admin_posts(&app, &admin);
    trash(&app, &admin, &ids[TRASHED]);
    let (_, key) = content_key(&app, &admin);
    let (revoked_id, revoked) = content_key(&app, &admin);
    let revoke = call_if(&app, &admin, "DELETE", &format!("/api/v1/admin/tokens/{revoked_id}"), 1, None);
    assert_eq!(revoke.status, 204, "{}", revoke.body);
    let facts_file = folder.path().join("_facts.json");
    std::fs::write(&facts_file, facts(&ids).to_string()).unwrap();

    let mut node = Command::new("node");
    node.arg(suite.join("suite.mjs"))
        .arg(app.url(""))
        .env("LONGFORM_GHOST_KEY", &key)
        .env("LONGFORM_GHOST_REVOKED_KEY", &revoked)
        .env("LONGFORM_GHOST_FACTS", &facts_file)
        .current_dir(&suite);
    let outcome = crate::node::run_suite("ghost", backend, node, SUITE_LIMIT);
    outcome.assert_passed("ghost", backend);
    // LONGFORM_SUITE_ONLY=a,b runs some flows only, while working on them.
    if std::env::var_os("LONGFORM_SUITE_ONLY").is_none() {
        assert!(outcome.flows.len() >= 25, "{}", outcome.report);
    }
}
