//! Repository behaviour, written once and run on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use chrono::Duration;
use longform_domain::{
    Email, Markdown, Move, Name, NewTerm, NewUser, Password, PasswordHash, PostDraft, PostStatus, Role, Slug, Title,
};
use longform_persistence::{Keyset, ListingFilter, Missing, Store, StoreError, both_backends};

both_backends!(
    users_round_trip_and_duplicate_email_is_a_conflict_on_email,
    derived_slugs_get_suffixes_and_explicit_duplicates_conflict,
    taxonomy_keeps_order_and_creates_or_refuses_missing_terms,
    publishing_sets_the_date_once_and_drives_listings,
    stale_versions_are_refused_and_nothing_is_written,
    keyset_pagination_walks_every_post_once_in_order,
    listing_filters,
    concurrent_writers_all_succeed,
    failed_write_leaves_nothing_behind,
    counts_follow_the_filters,
    related_posts_share_the_most_tags,
    taxonomy_counts_only_published_posts,
    every_write_returns_the_post_a_read_returns,
);

fn slug(s: &str) -> Slug {
    Slug::parse(s).unwrap()
}

fn draft(title: &str) -> PostDraft {
    PostDraft::new(Title::parse(title).unwrap(), Markdown::parse("# Intro\n\nSome words here.\n").unwrap())
}

async fn new_user(store: &Store, email: &str, role: Role) -> Result<longform_domain::User, StoreError> {
    let hash = PasswordHash::create(&Password::parse("correct horse battery").unwrap()).unwrap();
    store
        .users()
        .create(NewUser {
            email: Email::parse(email).unwrap(),
            name: Name::parse("Jane Doe").unwrap(),
            role,
            password_hash: hash,
        })
        .await
}

async fn users_round_trip_and_duplicate_email_is_a_conflict_on_email(store: &Store) {
    let created = new_user(store, "Jane@Example.com", Role::Editor).await.unwrap();
    assert_eq!(created.email.as_str(), "jane@example.com");
    assert_eq!(created.role, Role::Editor);
    let found = store.users().find_by_email(Email::parse("jane@example.com").unwrap()).await.unwrap().unwrap();
    assert_eq!(found.id, created.id);
    assert!(found.password_hash.verify("correct horse battery"));
    assert!(store.users().find_by_email(Email::parse("nobody@example.com").unwrap()).await.unwrap().is_none());
    match new_user(store, "jane@example.com", Role::Admin).await {
        Err(StoreError::Conflict { field }) => assert_eq!(field, "email"),
        other => panic!("expected a conflict on email, got {other:?}"),
    }
    assert_eq!(store.users().list().await.unwrap().len(), 1);
}

async fn derived_slugs_get_suffixes_and_explicit_duplicates_conflict(store: &Store) {
    let posts = store.posts();
    let first = posts.create(draft("Go Channels Are Not Queues"), Missing::Create, None).await.unwrap();
    let second = posts.create(draft("Go Channels Are Not Queues"), Missing::Create, None).await.unwrap();
    let third = posts.create(draft("Go channels are not queues!"), Missing::Create, None).await.unwrap();
    assert_eq!(first.card.slug.as_str(), "go-channels-are-not-queues");
    assert_eq!(second.card.slug.as_str(), "go-channels-are-not-queues-2");
    assert_eq!(third.card.slug.as_str(), "go-channels-are-not-queues-3");
    let mut explicit = draft("Another");
    explicit.slug = Some(slug("go-channels-are-not-queues"));
    match posts.create(explicit, Missing::Create, None).await {
        Err(StoreError::Conflict { field }) => assert_eq!(field, "slug"),
        other => panic!("expected a conflict on slug, got {other:?}"),
    }
    assert_eq!(first.card.version, 1);
    assert_eq!(first.card.status, PostStatus::Draft);
    assert_eq!(first.body.toc.len(), 1);
    assert_eq!(first.card.summary, "Some words here.");
    assert!(first.body.html.contains("<h1 id=\"intro\">"), "{}", first.body.html);
}

async fn taxonomy_keeps_order_and_creates_or_refuses_missing_terms(store: &Store) {
    let mut d = draft("Memory Models");
    d.tags = vec![slug("memory-models"), slug("go-concurrency"), slug("runtime")];
    d.authors = vec![slug("jane-doe"), slug("mei-chen")];
    d.category = Some(slug("blog"));
    let post = store.posts().create(d, Missing::Create, None).await.unwrap();
    let tags: Vec<&str> = post.card.tags.iter().map(|t| t.slug.as_str()).collect();
    assert_eq!(tags, ["memory-models", "go-concurrency", "runtime"]);
    assert_eq!(post.card.primary_tag().unwrap().slug.as_str(), "memory-models");
    assert_eq!(post.card.primary_tag().unwrap().name.as_str(), "memory models");
    assert_eq!(post.card.primary_author().unwrap().slug.as_str(), "jane-doe");
    assert_eq!(post.card.category.as_ref().unwrap().slug.as_str(), "blog");
    assert_eq!(store.taxonomy().tags().await.unwrap().len(), 3);

    let mut long = draft("Long Tag");
    let long_slug = format!("{}tail", "word-".repeat(23));
    long.tags = vec![slug(&long_slug)];
    let created = store.posts().create(long, Missing::Create, None).await.unwrap();
    assert!(
        created.card.tags[0].name.as_str().chars().count() <= longform_domain::Name::MAX_CHARS,
        "a long slug makes a name that fits"
    );

    let mut refused = draft("Contributor Post");
    refused.tags = vec![slug("runtime"), slug("brand-new-tag")];
    match store.posts().create(refused, Missing::Refuse, None).await {
        Err(StoreError::Domain(e)) => assert!(e.to_string().contains("tags \"brand-new-tag\" does not exist"), "{e}"),
        other => panic!("expected an unknown-tag error, got {other:?}"),
    }
    assert_eq!(store.taxonomy().tags().await.unwrap().len(), 4, "nothing half-written");
    let conflict = store
        .taxonomy()
        .create_tag(NewTerm {
            slug: slug("runtime"),
            name: Name::parse("Runtime").unwrap(),
            description: None,
            public: false,
        })
        .await;
    assert!(matches!(conflict, Err(StoreError::Conflict { ref field }) if field == "slug"), "{conflict:?}");
}

async fn publishing_sets_the_date_once_and_drives_listings(store: &Store) {
    let posts = store.posts();
    let post = posts.create(draft("Schedulers"), Missing::Create, None).await.unwrap();
    let all = ListingFilter::default();
    assert!(posts.list_published(all.clone(), None, 20).await.unwrap().cards.is_empty(), "drafts are not listed");

    let published = posts.apply_move(post.card.id, Move::Publish, Some(1), None).await.unwrap();
    assert_eq!(published.card.status, PostStatus::Published);
    assert_eq!(published.card.version, 2);
    let first_date = published.card.published_at.unwrap();
    assert_eq!(posts.list_published(all.clone(), None, 20).await.unwrap().cards[0].id, post.card.id);

    let unpublished = posts.apply_move(post.card.id, Move::Unpublish, None, None).await.unwrap();
    assert_eq!(unpublished.card.published_at, Some(first_date));
    assert!(posts.list_published(all.clone(), None, 20).await.unwrap().cards.is_empty());
    let again = posts.apply_move(post.card.id, Move::Publish, None, None).await.unwrap();
    assert_eq!(again.card.published_at, Some(first_date), "re-publishing keeps the first date");

    let edited =
        posts.update(post.card.id, draft("Schedulers, Revised"), Some(4), Missing::Create, None).await.unwrap();
    assert_eq!(edited.card.version, 5);
    assert_eq!(edited.card.published_at, Some(first_date), "edits keep the date");
    assert_eq!(edited.card.slug.as_str(), "schedulers", "editing a title keeps the URL");

    let illegal = posts.apply_move(post.card.id, Move::Publish, None, None).await;
    assert!(matches!(illegal, Err(StoreError::Domain(_))), "{illegal:?}");
    let past = store.posts().create(draft("Later"), Missing::Create, None).await.unwrap();
    let scheduled = posts
        .apply_move(past.card.id, Move::Schedule(longform_persistence::now() + Duration::hours(1)), None, None)
        .await
        .unwrap();
    assert_eq!(scheduled.card.status, PostStatus::Scheduled);
    assert_eq!(posts.list_published(all, None, 20).await.unwrap().cards.len(), 1, "scheduled posts are not listed");
}

async fn stale_versions_are_refused_and_nothing_is_written(store: &Store) {
    let posts = store.posts();
    let post = posts.create(draft("Original"), Missing::Create, None).await.unwrap();
    posts.update(post.card.id, draft("First Writer"), Some(1), Missing::Create, None).await.unwrap();
    match posts.update(post.card.id, draft("Second Writer"), Some(1), Missing::Create, None).await {
        Err(StoreError::VersionMismatch { expected: 1, current: 2 }) => {}
        other => panic!("expected a version mismatch, got {other:?}"),
    }
    let stored = posts.get(post.card.id).await.unwrap();
    assert_eq!(stored.card.title.as_str(), "First Writer");
    assert_eq!(stored.card.version, 2);
    let missing = posts.get(longform_domain::PostId::new()).await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
}

/// Publish `n` posts with distinct dates; returns them newest first.
async fn publish_many(store: &Store, n: usize) -> Vec<longform_domain::Post> {
    let mut out = Vec::new();
    for i in 0..n {
        let mut d = draft(&format!("Post {i}"));
        d.tags = vec![slug(if i % 2 == 0 { "even" } else { "odd" })];
        d.authors = vec![slug(if i % 3 == 0 { "jane-doe" } else { "ravi-menon" })];
        d.category = (i % 4 == 0).then(|| slug("notes"));
        d.featured = i % 5 == 0;
        let post = store.posts().create(d, Missing::Create, None).await.unwrap();
        out.push(store.posts().apply_move(post.card.id, Move::Publish, None, None).await.unwrap());
    }
    out.reverse();
    out
}

async fn keyset_pagination_walks_every_post_once_in_order(store: &Store) {
    let expected: Vec<_> = publish_many(store, 23).await.iter().map(|p| p.card.id).collect();
    let mut seen = Vec::new();
    let mut after = None;
    for _ in 0..10 {
        let page = store.posts().list_published(ListingFilter::default(), after, 5).await.unwrap().cards;
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 5);
        after = Keyset::of(page.last().unwrap());
        seen.extend(page.iter().map(|c| c.id));
    }
    assert_eq!(seen, expected);
    let capped = store.posts().list_published(ListingFilter::default(), None, 10_000).await.unwrap().cards;
    assert_eq!(capped.len(), 23, "an oversized limit is capped, not an error here");
}

async fn listing_filters(store: &Store) {
    let all = publish_many(store, 12).await;
    let ids = |filter: ListingFilter| async move {
        store
            .posts()
            .list_published(filter, None, 100)
            .await
            .unwrap()
            .cards
            .into_iter()
            .map(|c| c.id)
            .collect::<Vec<_>>()
    };
    let want = |pred: &dyn Fn(&longform_domain::Post) -> bool| {
        all.iter().filter(|p| pred(p)).map(|p| p.card.id).collect::<Vec<_>>()
    };
    let has_tag = |p: &longform_domain::Post, t: &str| p.card.tags.iter().any(|x| x.slug.as_str() == t);
    let by = |p: &longform_domain::Post, a: &str| p.card.authors.iter().any(|x| x.slug.as_str() == a);

    assert_eq!(
        ids(ListingFilter { tag: Some(slug("even")), ..Default::default() }).await,
        want(&|p| has_tag(p, "even"))
    );
    assert_eq!(
        ids(ListingFilter { author: Some(slug("jane-doe")), ..Default::default() }).await,
        want(&|p| by(p, "jane-doe"))
    );
    assert_eq!(
        ids(ListingFilter { category: Some(slug("notes")), ..Default::default() }).await,
        want(&|p| p.card.category.is_some())
    );
    assert_eq!(ids(ListingFilter { featured: Some(true), ..Default::default() }).await, want(&|p| p.card.featured));
    assert_eq!(ids(ListingFilter { featured: Some(false), ..Default::default() }).await, want(&|p| !p.card.featured));
    assert_eq!(
        ids(ListingFilter { category: Some(slug("notes")), author: Some(slug("jane-doe")), ..Default::default() })
            .await,
        want(&|p| p.card.category.is_some() && by(p, "jane-doe"))
    );
    assert_eq!(
        ids(ListingFilter { tag: Some(slug("odd")), featured: Some(true), ..Default::default() }).await,
        want(&|p| has_tag(p, "odd") && p.card.featured)
    );
    let middle = all[5].card.published_at.unwrap();
    assert_eq!(
        ids(ListingFilter { published_before: Some(middle), ..Default::default() }).await,
        want(&|p| p.card.published_at.unwrap() < middle)
    );
    assert_eq!(
        ids(ListingFilter { published_after: Some(middle), ..Default::default() }).await,
        want(&|p| p.card.published_at.unwrap() > middle)
    );
    assert!(ids(ListingFilter { tag: Some(slug("no-such-tag")), ..Default::default() }).await.is_empty());
}

async fn concurrent_writers_all_succeed(store: &Store) {
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut d = draft("Concurrent Essay");
                d.tags = vec![slug("shared-tag"), slug(&format!("tag-{i}"))];
                let post = store.posts().create(d, Missing::Create, None).await?;
                store.posts().apply_move(post.card.id, Move::Publish, Some(1), None).await
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().expect("no writer fails with a lock or a conflict");
    }
    let listed = store
        .posts()
        .list_published(ListingFilter { tag: Some(slug("shared-tag")), ..Default::default() }, None, 100)
        .await
        .unwrap()
        .cards;
    assert_eq!(listed.len(), 16);
    let mut slugs: Vec<_> = listed.iter().map(|c| c.slug.to_string()).collect();
    slugs.sort();
    slugs.dedup();
    assert_eq!(slugs.len(), 16, "each writer got its own slug");
}

async fn failed_write_leaves_nothing_behind(store: &Store) {
    let mut d = draft("Half Written");
    d.tags = vec![slug("fresh-tag")];
    d.authors = vec![slug("fresh-author")];
    // The idempotency key is the write's last row: by then the tag, the
    // author, the post, its listings, revision and change are written.
    longform_persistence::testing::inject_fault(store, "idempotency_keys", "INSERT", "1 = 1".into()).await.unwrap();
    let result =
        store.posts().create_once("someone".into(), "key".into(), "hash".into(), d, Missing::Create, None).await;
    assert!(format!("{result:?}").contains("injected fault"), "{result:?}");
    assert!(store.taxonomy().tags().await.unwrap().is_empty());
    assert!(store.taxonomy().authors().await.unwrap().is_empty());
    assert!(store.posts().find_by_slug(slug("half-written")).await.unwrap().is_none());
    assert!(store.posts().none_exist().await.unwrap());
    assert!(store.content().changes_since(0, 10).await.unwrap().is_empty());
}

async fn counts_follow_the_filters(store: &Store) {
    let all = publish_many(store, 12).await;
    store.posts().create(draft("Unpublished"), Missing::Create, None).await.unwrap();
    let count = |filter: ListingFilter| async move { store.posts().count_published(filter).await.unwrap() };
    assert_eq!(count(ListingFilter::default()).await, 12);
    let even = all.iter().filter(|p| p.card.tags[0].slug.as_str() == "even").count();
    assert_eq!(count(ListingFilter { tag: Some(slug("even")), ..Default::default() }).await, even as i64);
    let featured_jane = all.iter().filter(|p| p.card.featured && p.card.authors[0].slug.as_str() == "jane-doe").count();
    assert_eq!(
        count(ListingFilter { author: Some(slug("jane-doe")), featured: Some(true), ..Default::default() }).await,
        featured_jane as i64
    );
    assert_eq!(count(ListingFilter { tag: Some(slug("nope")), ..Default::default() }).await, 0);

    // Whole listings are counted from listing_counts; a time bound forces a
    // real count of the same rows. They agree after every kind of change.
    let agree = |filter: ListingFilter| async move {
        let stored = count(filter.clone()).await;
        let epoch = chrono::DateTime::from_timestamp(0, 0).unwrap();
        let counted = count(ListingFilter { published_after: Some(epoch), ..filter.clone() }).await;
        assert_eq!(stored, counted, "{filter:?}");
        stored
    };
    let posts = store.posts();
    posts.apply_move(all[0].card.id, Move::Unpublish, None, None).await.unwrap();
    store.posts().trash(all[1].card.id, None, None).await.unwrap();
    let mut retagged = draft("Retagged");
    retagged.tags = vec![slug("odd"), slug("fresh")];
    retagged.featured = true;
    posts.update(all[2].card.id, retagged, None, Missing::Create, None).await.unwrap();
    store.taxonomy().delete_term(longform_persistence::TermKind::Tag, slug("even"), None).await.unwrap();
    assert_eq!(agree(ListingFilter::default()).await, 10);
    assert_eq!(agree(ListingFilter { tag: Some(slug("fresh")), ..Default::default() }).await, 1);
    assert_eq!(agree(ListingFilter { tag: Some(slug("even")), ..Default::default() }).await, 0);
    let odd = agree(ListingFilter { tag: Some(slug("odd")), ..Default::default() }).await;
    assert_eq!(odd, all.iter().skip(3).filter(|p| p.card.tags[0].slug.as_str() == "odd").count() as i64 + 1);
    agree(ListingFilter { featured: Some(true), ..Default::default() }).await;
    agree(ListingFilter { author: Some(slug("jane-doe")), ..Default::default() }).await;
}

async fn publish_tagged(store: &Store, title: &str, tags: &[&str]) -> longform_domain::Post {
    let mut d = draft(title);
    d.tags = tags.iter().map(|t| slug(t)).collect();
    let post = store.posts().create(d, Missing::Create, None).await.unwrap();
    store.posts().apply_move(post.card.id, Move::Publish, None, None).await.unwrap()
}

async fn related_posts_share_the_most_tags(store: &Store) {
    let subject = publish_tagged(store, "Subject", &["go", "runtime", "scheduler"]).await;
    let one = publish_tagged(store, "One Shared", &["go"]).await;
    let three = publish_tagged(store, "Three Shared", &["go", "runtime", "scheduler"]).await;
    let two = publish_tagged(store, "Two Shared", &["runtime", "scheduler", "other"]).await;
    let none = publish_tagged(store, "None Shared", &["other"]).await;
    let also_one = publish_tagged(store, "Also One", &["scheduler"]).await;
    let draft_post = store.posts().create(draft("Draft Shares All"), Missing::Create, None).await.unwrap();
    let _ = (none, draft_post);
    let related = store.posts().related(vec![subject.card.id], 3).await.unwrap();
    let ids: Vec<_> = related[&subject.card.id].iter().map(|c| c.id).collect();
    // Most shared first; among equals (one shared tag each) the newest.
    assert_eq!(ids, [three.card.id, two.card.id, also_one.card.id]);
    assert!(!ids.contains(&one.card.id));
    let untagged = publish_tagged(store, "Untagged", &[]).await;
    assert!(
        store
            .posts()
            .related(vec![untagged.card.id], 3)
            .await
            .unwrap()
            .get(&untagged.card.id)
            .is_none_or(Vec::is_empty)
    );
}

async fn taxonomy_counts_only_published_posts(store: &Store) {
    publish_tagged(store, "A", &["go", "runtime"]).await;
    publish_tagged(store, "B", &["go"]).await;
    let mut d = draft("Draft");
    d.tags = vec![slug("go"), slug("drafts-only")];
    store.posts().create(d, Missing::Create, None).await.unwrap();
    let counted: Vec<(String, i64)> = store
        .taxonomy()
        .tags_counted()
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.item.slug.to_string(), c.published_posts))
        .collect();
    assert_eq!(counted, [("drafts-only".into(), 0), ("go".into(), 2), ("runtime".into(), 1)]);
    let go = store.taxonomy().tag_counted(slug("go")).await.unwrap().unwrap();
    assert_eq!(go.published_posts, 2);
    assert!(store.taxonomy().tag_counted(slug("missing")).await.unwrap().is_none());
}

/// Writes build the post they return from the row they wrote instead of
/// reading it back: what they return must be exactly what a read gives.
async fn every_write_returns_the_post_a_read_returns(store: &Store) {
    let posts = store.posts();
    let read = |id| async move { store.posts().get(id).await.unwrap() };
    let mut d = draft("Returned As Read");
    d.tags = vec![slug("alpha"), slug("beta")];
    d.authors = vec![slug("jane")];
    d.category = Some(slug("essays"));
    d.featured = true;
    let created = posts.create(d.clone(), Missing::Create, None).await.unwrap();
    assert_eq!(created, read(created.card.id).await, "create");
    let id = created.card.id;
    let published = posts.apply_move(id, Move::Publish, Some(1), None).await.unwrap();
    assert_eq!(published, read(id).await, "publish");
    d.tags = vec![slug("beta"), slug("gamma")];
    d.category = None;
    d.slug = Some(slug("returned"));
    let edited = posts.update(id, d, Some(2), Missing::Create, None).await.unwrap();
    assert_eq!(edited, read(id).await, "edit");
    let restored = posts.restore_revision(id, 1, Some(3), Missing::Create, None).await.unwrap();
    assert_eq!(restored, read(id).await, "restore a revision");
    let later = longform_persistence::now() + Duration::days(1);
    let unpublished = posts.apply_move(id, Move::Unpublish, Some(4), None).await.unwrap();
    assert_eq!(unpublished, read(id).await, "unpublish");
    let scheduled = posts.apply_move(id, Move::Schedule(later), Some(5), None).await.unwrap();
    assert_eq!(scheduled, read(id).await, "schedule");
    posts.trash(id, Some(6), None).await.unwrap();
    let back = posts.restore(id, None).await.unwrap();
    assert_eq!(back, read(id).await, "restore from the trash");
}
