//! Feeds by their specs: JSON Feed 1.1's rules, RSS 2.0 and Atom 1.0 read
//! with a real XML parser; hostile titles; 304s; invalidation; slices; no
//! drafts.

use std::collections::HashMap;

use longform_domain::Move;
use serde_json::{Value, json};

use crate::helpers::{DEADLINE, Db, Reply, TestApp, both_backends, wait_for};
use crate::seed::{PostSpec, Seed};

both_backends!(
    json_feed_follows_the_spec,
    rss_and_atom_parse_and_carry_the_required_elements,
    hostile_titles_and_bodies_cannot_break_or_inject,
    control_characters_never_reach_a_feed,
    feeds_revalidate_with_etag_and_last_modified,
    feeds_change_after_each_kind_of_write,
    feeds_per_tag_category_and_author_hold_only_their_posts,
    the_sitemap_lists_public_pages_with_true_lastmod,
    public_urls_follow_the_configured_patterns,
    links_to_longform_itself_use_api_url,
);

/// Every element's text by path (`rss/channel/item/title`), in document
/// order; empty elements map to "". Panics unless the document is
/// well-formed XML.
fn xml(body: &str) -> HashMap<String, Vec<String>> {
    let doc = roxmltree::Document::parse(body).unwrap_or_else(|e| panic!("not well-formed XML ({e}): {body}"));
    let root = doc.root_element().tag_name().namespace();
    // Elements from another namespace than the root's get a prefix: `atom:link` inside RSS.
    let name = |n: roxmltree::Node| match n.tag_name().namespace() {
        ns if ns == root => n.tag_name().name().to_owned(),
        Some("http://www.w3.org/2005/Atom") => format!("atom:{}", n.tag_name().name()),
        Some("http://purl.org/dc/elements/1.1/") => format!("dc:{}", n.tag_name().name()),
        Some("http://purl.org/rss/1.0/modules/content/") => format!("content:{}", n.tag_name().name()),
        _ => format!("other:{}", n.tag_name().name()),
    };
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for node in doc.descendants().filter(roxmltree::Node::is_element) {
        let mut path: Vec<String> = node.ancestors().filter(roxmltree::Node::is_element).map(name).collect();
        path.reverse();
        let text: String = node.children().filter(roxmltree::Node::is_text).filter_map(|t| t.text()).collect();
        out.entry(path.join("/")).or_default().push(text.trim().to_owned());
    }
    out
}

fn json_feed_follows_the_spec(db: &Db) {
    let seed = Seed::new(db.url());
    let posts = seed.many(25);
    seed.post(PostSpec { title: "Draft Only", publish: false, ..Default::default() });
    let app = TestApp::spawn(db.url());
    let reply = app.get("/feed.json");
    assert_eq!(reply.status, 200);
    assert_eq!(reply.content_type, "application/feed+json");
    let feed = reply.json();
    assert_eq!(feed["version"], "https://jsonfeed.org/version/1.1");
    assert!(feed["title"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(feed["feed_url"].as_str().unwrap().ends_with("/feed.json"));
    let items = feed["items"].as_array().unwrap();
    assert_eq!(items.len(), 20, "a page of 20");
    let ids: Vec<&str> = items.iter().map(|i| i["id"].as_str().unwrap()).collect();
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "item ids are unique");
    for item in items {
        assert!(item["id"].as_str().unwrap().starts_with("urn:uuid:"));
        assert!(item["content_html"].is_string() || item["content_text"].is_string(), "an item has content");
        chrono::DateTime::parse_from_rfc3339(item["date_published"].as_str().unwrap()).unwrap();
        assert!(item["url"].as_str().unwrap().starts_with("http"));
    }
    assert_eq!(items[0]["id"], format!("urn:uuid:{}", posts[24].card.id), "newest first, with a stable id");
    assert!(!reply.body.contains("Draft Only"));
    let next = feed["next_url"].as_str().expect("a next page");
    let path = &next[next.find("/feed.json").unwrap()..];
    let second = app.get(path).json();
    assert_eq!(second["items"].as_array().unwrap().len(), 5);
    assert!(second.get("next_url").is_none());
    let summaries = app.get("/feed.json?content=summary").json();
    assert!(summaries["items"][0].get("content_html").is_none() && summaries["items"][0]["content_text"].is_string());
    assert_eq!(app.get("/feed.json?content=everything").status, 400);
}

fn rss_and_atom_parse_and_carry_the_required_elements(db: &Db) {
    let seed = Seed::new(db.url());
    seed.many(3);
    let mut draft = longform_domain::PostDraft::new(
        longform_domain::Title::parse("Pictured").unwrap(),
        longform_domain::Markdown::parse("x").unwrap(),
    );
    draft.feature_image = Some(longform_domain::FeatureImage::new(
        longform_domain::WebUrl::parse_field("feature_image", "https://cdn.example/cover.png").unwrap(),
        None,
    ));
    let pictured =
        seed.block_on(seed.store.posts().create(draft, longform_persistence::Missing::Create, None)).unwrap();
    seed.block_on(seed.store.posts().apply_move(pictured.card.id, Move::Publish, None, None)).unwrap();
    let app = TestApp::spawn(db.url());
    let rss = app.get("/feed.xml");
    assert!(rss.content_type.starts_with("application/rss+xml"));
    let doc = xml(&rss.body);
    for required in ["rss/channel/title", "rss/channel/link", "rss/channel/description"] {
        assert_eq!(doc[required].len(), 1, "{required}");
    }
    assert_eq!(doc["rss/channel/item/title"].len(), 4);
    assert_eq!(doc["rss/channel/item/guid"].len(), 4);
    assert!(
        rss.body.contains(r#"<enclosure url="https://cdn.example/cover.png" length="0" type="image/png"/>"#),
        "feature image"
    );
    for date in &doc["rss/channel/item/pubDate"] {
        chrono::DateTime::parse_from_rfc2822(date).unwrap_or_else(|e| panic!("{date}: {e}"));
    }
    // The summary in description, the whole post in content:encoded.
    let summaries: Vec<String> = app.get("/api/v1/posts").json()["posts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|card| card["summary"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(doc["rss/channel/item/description"], summaries);
    assert_eq!(doc["rss/channel/item/content:encoded"].len(), 4);
    assert!(doc["rss/channel/item/content:encoded"][1].contains("<h2 id=\"run-queues\">"), "full HTML, escaped once");
    let only_summaries = xml(&app.get("/feed.xml?content=summary").body);
    assert_eq!(only_summaries["rss/channel/item/description"], summaries);
    assert!(!only_summaries.contains_key("rss/channel/item/content:encoded"));
    let atom = app.get("/atom.xml");
    assert!(atom.content_type.starts_with("application/atom+xml"));
    let doc = xml(&atom.body);
    for required in ["feed/id", "feed/title", "feed/updated"] {
        assert_eq!(doc[required].len(), 1, "{required}");
    }
    assert_eq!(doc["feed/entry/id"].len(), 4);
    assert_eq!(doc["feed/entry/title"].len(), 4);
    assert!(atom.body.contains(r#"<link rel="enclosure" type="image/png" href="https://cdn.example/cover.png"/>"#));
    for date in doc["feed/entry/updated"].iter().chain(&doc["feed/updated"]) {
        chrono::DateTime::parse_from_rfc3339(date).unwrap_or_else(|e| panic!("{date}: {e}"));
    }
    assert!(doc.contains_key("feed/entry/link") && doc.contains_key("feed/link"));
    let rss_doc = xml(&rss.body);
    assert_eq!(rss_doc["rss/channel/atom:link"].len(), 1, "a self link");
    assert_eq!(
        rss_doc["rss/channel/item/dc:creator"].len(),
        3 + 1,
        "authors as dc:creator (the pictured post has none)"
    );
}

fn hostile_titles_and_bodies_cannot_break_or_inject(db: &Db) {
    let seed = Seed::new(db.url());
    let hostile = "<script>&\"'";
    let mut draft = longform_domain::PostDraft::new(
        longform_domain::Title::parse(hostile).unwrap(),
        longform_domain::Markdown::parse("A body with ]]> in it, <b>bold</b> and [a link](/relative/path).").unwrap(),
    );
    draft.slug = Some(longform_domain::Slug::parse("hostile").unwrap());
    let post = seed.block_on(seed.store.posts().create(draft, longform_persistence::Missing::Create, None)).unwrap();
    seed.block_on(seed.store.posts().apply_move(post.card.id, Move::Publish, None, None)).unwrap();
    let app = TestApp::spawn(db.url());
    let rss = app.get("/feed.xml").body;
    assert!(!rss.contains("<script>"), "{rss}");
    assert_eq!(xml(&rss)["rss/channel/item/title"], [hostile]);
    // `]]>` arrives as HTML text (`]]&gt;`) inside escaped XML text: no CDATA to break.
    assert!(xml(&rss)["rss/channel/item/content:encoded"][0].contains("with ]]&gt; in it"));
    let atom = app.get("/atom.xml").body;
    assert_eq!(xml(&atom)["feed/entry/title"], [hostile]);
    let content = &xml(&atom)["feed/entry/content"][0];
    assert!(
        content.contains("href=\"http://127.0.0.1:8080/relative/path\""),
        "relative links made absolute: {content}"
    );
    let json = app.get("/feed.json").json();
    assert_eq!(json["items"][0]["title"], hostile);
}

/// What XML 1.0 forbids, as `\u{..}` escapes for messages.
fn forbidden_in(text: &str) -> Vec<String> {
    text.chars()
        .filter(|c| longform_domain::text::is_xml_forbidden(*c))
        .map(|c| c.escape_unicode().to_string())
        .collect()
}

fn control_characters_never_reach_a_feed(db: &Db) {
    let seed = Seed::new(db.url());
    let app = TestApp::spawn(db.url());
    let editor = seed.sign_in(&app, "ed@example.com", longform_domain::Role::Editor);
    let auth = [("Authorization", editor.as_str())];
    let tag = json!({ "name": "Bell\u{7}Tag", "slug": "bell" });
    assert_eq!(app.send("POST", "/api/v1/admin/tags", &auth, Some(&tag)).status, 201);
    let body = json!({
        "title": "Pasted\u{1} from a terminal\u{1b}[0m",
        "summary": "A summary\u{0} with NUL\u{b} and\u{ffff} more.",
        "markdown": "Output: \u{1}\u{2}\u{8}done.\n\n```\n$ make\u{1b}[31m\u{7}\n```\n",
        "tags": ["bell"],
        "feature_image": { "url": "https://img.example/a.png", "alt": "A diagram\u{1}" },
    });
    let created = app.send("POST", "/api/v1/admin/posts", &auth, Some(&body));
    assert_eq!(created.status, 201, "{}", created.body);
    let post = created.json()["post"].clone();
    assert_eq!(post["title"], "Pasted from a terminal[0m");
    assert_eq!(post["markdown"], "Output: done.\n\n```\n$ make[31m\n```\n");
    assert_eq!(post["summary"], "A summary with NUL and more.");
    assert_eq!(post["feature_image"]["alt"], "A diagram");
    let path = format!("/api/v1/admin/posts/{}/publish", post["id"].as_str().unwrap());
    let published = app.send("POST", &path, &[auth[0], ("If-Match", "\"1\"")], None);
    assert_eq!(published.status, 200, "{}", published.body);
    // Text stored before the rule (or by hand) cannot break a feed either.
    let raw = "\u{1}\u{1f}";
    crate::logging::execute(db, &format!("UPDATE posts SET summary = summary || '{raw}', html = html || '{raw}'"));
    let fresh = TestApp::spawn(db.url());
    for path in ["/feed.xml", "/atom.xml", "/tags/bell/feed.xml", "/sitemap.xml"] {
        let reply = fresh.get(path);
        assert_eq!(reply.status, 200, "{path}");
        assert!(forbidden_in(&reply.body).is_empty(), "{path}: {:?}", forbidden_in(&reply.body));
        roxmltree::Document::parse(&reply.body).unwrap_or_else(|e| panic!("{path} is not well-formed: {e}"));
    }
    assert_eq!(xml(&fresh.get("/feed.xml").body)["rss/channel/item/title"], ["Pasted from a terminal[0m"]);
}

fn feeds_revalidate_with_etag_and_last_modified(db: &Db) {
    let seed = Seed::new(db.url());
    seed.many(2);
    let app = TestApp::spawn(db.url());
    for path in ["/feed.json", "/feed.xml", "/atom.xml", "/tags/even/feed.xml"] {
        let first = app.get(path);
        let etag = first.header("etag").unwrap().to_owned();
        let modified = first.header("last-modified").expect("Last-Modified").to_owned();
        assert_eq!(app.get_with(path, &[("If-None-Match", &etag)]).status, 304, "{path}");
        let by_date = app.get_with(path, &[("If-Modified-Since", &modified)]);
        assert_eq!((by_date.status, by_date.body.as_str()), (304, ""), "{path}");
        assert_eq!(app.get_with(path, &[("If-Modified-Since", "Mon, 01 Jan 2001 00:00:00 GMT")]).status, 200);
    }
    let index = app.get("/api/v1/posts");
    let links = index.header("link").unwrap();
    for href in ["</feed.json>", "</feed.xml>", "</atom.xml>"] {
        assert!(links.contains(href) && links.contains("rel=\"alternate\""), "{links}");
    }
}

fn wait_for_change(app: &TestApp, path: &str, etag: &str) -> Reply {
    wait_for(DEADLINE, &format!("{path} changes"), || {
        Some(app.get_with(path, &[("If-None-Match", etag)])).filter(|reply| reply.status == 200)
    })
}

fn feeds_change_after_each_kind_of_write(db: &Db) {
    let seed = Seed::new(db.url());
    let posts = seed.many(2);
    let app = TestApp::spawn(db.url());
    let titles = |reply: &Reply| -> Vec<String> {
        reply.json()["items"].as_array().unwrap().iter().map(|i| i["title"].as_str().unwrap().to_owned()).collect()
    };
    let mut etag = app.get("/feed.json").header("etag").unwrap().to_owned();
    let mut step = |what: &str, write: &dyn Fn(), expect: &[&str]| {
        write();
        let reply = wait_for_change(&app, "/feed.json", &etag);
        assert_eq!(titles(&reply), expect, "after {what}");
        etag = reply.header("etag").unwrap().to_owned();
    };
    let store = &seed.store;
    step(
        "publish",
        &|| {
            seed.post(PostSpec { title: "Fresh", ..Default::default() });
        },
        &["Fresh", "Post 1", "Post 0"],
    );
    step(
        "edit",
        &|| {
            let mut draft = longform_domain::PostDraft::new(
                longform_domain::Title::parse("Post 1, Edited").unwrap(),
                longform_domain::Markdown::parse("New.").unwrap(),
            );
            draft.slug = Some(posts[1].card.slug.clone());
            seed.block_on(store.posts().update(
                posts[1].card.id,
                draft,
                None,
                longform_persistence::Missing::Create,
                None,
            ))
            .unwrap();
        },
        &["Fresh", "Post 1, Edited", "Post 0"],
    );
    step(
        "unpublish",
        &|| {
            seed.block_on(store.posts().apply_move(posts[0].card.id, Move::Unpublish, None, None)).unwrap();
        },
        &["Fresh", "Post 1, Edited"],
    );
    step(
        "delete",
        &|| {
            seed.block_on(store.posts().trash(posts[1].card.id, None, None)).unwrap();
        },
        &["Fresh"],
    );
}

fn feeds_per_tag_category_and_author_hold_only_their_posts(db: &Db) {
    let seed = Seed::new(db.url());
    let all = seed.many(9);
    seed.post(PostSpec { title: "Hidden Even Draft", tags: &["even"], publish: false, ..Default::default() });
    let app = TestApp::spawn(db.url());
    let titles = |path: &str| -> Vec<String> {
        app.get(path).json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["title"].as_str().unwrap().to_owned())
            .collect()
    };
    let expect = |pred: &dyn Fn(&longform_domain::Post) -> bool| -> Vec<String> {
        all.iter().rev().filter(|p| pred(p)).map(|p| p.card.title.to_string()).collect()
    };
    assert_eq!(titles("/tags/even/feed.json"), expect(&|p| p.card.tags[0].slug.as_str() == "even"));
    assert_eq!(
        titles("/categories/notes/feed.json"),
        expect(&|p| p.card.category.as_ref().unwrap().slug.as_str() == "notes")
    );
    assert_eq!(
        titles("/authors/jane-doe/feed.json"),
        expect(&|p| p.card.authors.iter().any(|a| a.slug.as_str() == "jane-doe"))
    );
    assert_eq!(xml(&app.get("/tags/odd/atom.xml").body)["feed/entry/title"].len(), 4);
    assert_eq!(app.get("/tags/no-such-tag/feed.xml").status, 404);
    for path in ["/feed.json", "/feed.xml", "/atom.xml", "/tags/even/feed.json", "/tags/even/feed.xml"] {
        assert!(!app.get(path).body.contains("Hidden Even Draft"), "{path} leaks a draft");
    }
    let _: Value = app.get("/authors/jane-doe/feed.json").json();
}

fn the_sitemap_lists_public_pages_with_true_lastmod(db: &Db) {
    let seed = Seed::new(db.url());
    let posts = seed.many(4);
    seed.post(PostSpec { title: "Secret Draft", tags: &["draft-only"], publish: false, ..Default::default() });
    let app = TestApp::spawn(db.url());
    let reply = app.get("/sitemap.xml");
    assert_eq!(reply.status, 200);
    assert!(reply.content_type.starts_with("application/xml"));
    let doc = roxmltree::Document::parse(&reply.body).unwrap();
    assert_eq!(doc.root_element().tag_name().name(), "urlset");
    let urls: HashMap<String, String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("url"))
        .map(|u| {
            let text =
                |name: &str| u.children().find(|c| c.has_tag_name(name)).and_then(|c| c.text()).unwrap().to_owned();
            (text("loc"), text("lastmod"))
        })
        .collect();
    let base = "http://127.0.0.1:8080";
    for post in &posts {
        let lastmod = &urls[&format!("{base}/{}/", post.card.slug)];
        let at = chrono::DateTime::parse_from_rfc3339(lastmod).unwrap();
        assert_eq!(at.timestamp(), post.card.updated_at.timestamp(), "{}", post.card.slug);
    }
    let newest_even =
        posts.iter().filter(|p| p.card.tags[0].slug.as_str() == "even").map(|p| p.card.updated_at).max().unwrap();
    let tag = chrono::DateTime::parse_from_rfc3339(&urls[&format!("{base}/tag/even/")]).unwrap();
    assert_eq!(tag.timestamp(), newest_even.timestamp(), "a tag page changes when its newest post does");
    for page in
        ["/category/notes/", "/category/blog/", "/author/jane-doe/", "/author/mei-chen/", "/tag/odd/", "/tag/runtime/"]
    {
        assert!(urls.contains_key(&format!("{base}{page}")), "{page}");
    }
    assert_eq!(urls.len(), 4 + 3 + 2 + 2, "posts, tags, categories, authors");
    assert!(!reply.body.contains("secret-draft") && !reply.body.contains("draft-only"), "no drafts, no empty tags");
    let etag = reply.header("etag").unwrap().to_owned();
    assert_eq!(app.get_with("/sitemap.xml", &[("If-None-Match", &etag)]).status, 304);
    assert_eq!(app.get("/sitemap-1.xml").status, 200);
    assert_eq!(app.get("/sitemap-2.xml").status, 404);
}

fn public_urls_follow_the_configured_patterns(db: &Db) {
    let seed = Seed::new(db.url());
    seed.many(1);
    let env = [
        ("LONGFORM_BASE_URL", "https://blog.example"),
        ("LONGFORM_POST_URL", "{base_url}/posts/{slug}.html"),
        ("LONGFORM_TAG_URL", "{base_url}/topics/{slug}"),
        ("LONGFORM_AUTHOR_URL", "https://people.example/{slug}"),
    ];
    let app = TestApp::spawn_with(tempfile::tempdir().unwrap(), db.url(), &env);
    let card = &app.get("/api/v1/posts").json()["posts"][0];
    assert_eq!(card["url"], "https://blog.example/posts/post-0.html");
    assert_eq!(app.get("/api/v1/tags/even").json()["tag"]["url"], "https://blog.example/topics/even");
    assert_eq!(app.get("/feed.json").json()["items"][0]["url"], "https://blog.example/posts/post-0.html");
    let sitemap = app.get("/sitemap.xml").body;
    assert!(sitemap.contains("<loc>https://people.example/jane-doe</loc>"), "{sitemap}");
}

fn links_to_longform_itself_use_api_url(db: &Db) {
    Seed::new(db.url()).many(21);
    let frontend = [("LONGFORM_BASE_URL", "https://blog.example")];
    let set = [frontend[0], ("LONGFORM_API_URL", "https://api.example/longform/")];
    for (env, api) in [(&frontend[..], None), (&set[..], Some("https://api.example/longform"))] {
        let app = TestApp::spawn_with(tempfile::tempdir().unwrap(), db.url(), env);
        // Unset: the address the server listens on, not the frontend's.
        let api = api.map_or_else(|| app.url(""), str::to_owned);
        let feed = app.get("/feed.json").json();
        assert_eq!(feed["feed_url"], format!("{api}/feed.json"));
        assert!(feed["next_url"].as_str().unwrap().starts_with(&format!("{api}/feed.json?after=")), "{feed}");
        assert_eq!(feed["home_page_url"], "https://blog.example/", "home is the frontend");
        assert_eq!(feed["items"][0]["url"], "https://blog.example/post-20/");
        let tag = app.get("/tags/odd/feed.xml");
        assert_eq!(tag.status, 200, "{}", tag.body);
        let self_link = format!(r#"<atom:link href="{api}/tags/odd/feed.xml" rel="self""#);
        assert!(tag.body.contains(&self_link), "{}", tag.body);
        let atom = app.get("/atom.xml").body;
        assert!(atom.contains(&format!(r#"<link rel="self" type="application/atom+xml" href="{api}/atom.xml"/>"#)));
        let openapi = app.get("/openapi.yaml").body;
        assert!(openapi.contains(&format!("servers:\n  - url: \"{api}\"\n")), "{}", &openapi[..1200]);
    }
}
