//! Slugs chosen for posts that do not name one: writers creating posts
//! with one title at the same moment each get a slug of their own, and
//! none of them is turned away.

use std::collections::BTreeSet;
use std::sync::Barrier;

use serde_json::json;

use crate::admin::{call, setup, user};
use crate::helpers::{Db, both_backends};

both_backends!(concurrent_creates_with_one_title_all_get_a_slug, long_titles_get_a_slug_every_time);

const WRITERS: usize = 8;
const POSTS_EACH: usize = 25;

fn concurrent_creates_with_one_title_all_get_a_slug(db: &Db) {
    let (seed, app) = setup(db);
    let editor = user(&seed, &app, "ed@example.com", "editor");
    let start = Barrier::new(WRITERS);
    let replies: Vec<(u16, String)> = std::thread::scope(|scope| {
        let writers: Vec<_> = (0..WRITERS)
            .map(|_| {
                scope.spawn(|| {
                    start.wait();
                    (0..POSTS_EACH)
                        .map(|_| {
                            let body = json!({ "title": "Same Title", "markdown": "Words." });
                            let reply = call(&app, &editor, "POST", "/api/v1/admin/posts", Some(body));
                            let slug = if reply.status == 201 {
                                reply.json()["post"]["slug"].as_str().unwrap().to_owned()
                            } else {
                                reply.body
                            };
                            (reply.status, slug)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        writers.into_iter().flat_map(|writer| writer.join().unwrap()).collect()
    });
    let failed: Vec<&(u16, String)> = replies.iter().filter(|(status, _)| *status != 201).collect();
    assert!(failed.is_empty(), "{} of {} creates failed: {failed:?}", failed.len(), replies.len());
    let slugs: BTreeSet<&str> = replies.iter().map(|(_, slug)| slug.as_str()).collect();
    assert_eq!(slugs.len(), WRITERS * POSTS_EACH, "every post got a slug of its own");
    assert!(slugs.contains("same-title"), "{slugs:?}");
}

/// A title whose slug is so long that a suffix trims it: the third post
/// with it was refused (409 on `slug`) after retrying the one slug the
/// lookup of taken ones missed, `...-wor-2`, 65 times.
fn long_titles_get_a_slug_every_time(db: &Db) {
    let (seed, app) = setup(db);
    let editor = user(&seed, &app, "ed@example.com", "editor");
    let title = ["Word"; 24].join(" ");
    let slugs: BTreeSet<String> = (0..4)
        .map(|_| {
            let reply = call(&app, &editor, "POST", "/api/v1/admin/posts", Some(json!({ "title": title })));
            assert_eq!(reply.status, 201, "{}", reply.body);
            reply.json()["post"]["slug"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(slugs.len(), 4, "{slugs:?}");
    assert!(slugs.iter().all(|slug| slug.len() <= 120), "{slugs:?}");
}
