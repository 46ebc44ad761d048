//! Full-text search, written once and run on SQLite (FTS5) and PostgreSQL
//! (tsvector): ranking, snippets, phrases, prefixes, code tokens, filters,
//! pagination, and an index that follows every write at once.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use longform_domain::{Markdown, Move, Name, PostDraft, PostId, SearchQuery, SearchQueryError, Slug, Title};
use longform_persistence::{Missing, SearchFilter, SearchPage, Store, both_backends};
use longform_persistence::{TermChanges, TermKind};

both_backends!(
    title_matches_rank_first_and_snippets_mark_the_words,
    phrases_prefixes_and_code_tokens,
    the_index_follows_every_write,
    filters_narrow_and_unknown_terms_find_nothing,
    pages_walk_every_hit_once,
    hostile_queries_find_nothing_without_failing,
    applying_the_search_migration_indexes_existing_posts,
    a_capped_ranking_keeps_the_title_match,
);

fn slug(s: &str) -> Slug {
    Slug::parse(s).unwrap()
}

fn draft(title: &str, body: &str, tags: &[&str]) -> PostDraft {
    let mut draft = PostDraft::new(Title::parse(title).unwrap(), Markdown::parse(body).unwrap());
    draft.tags = tags.iter().map(|t| slug(t)).collect();
    draft
}

async fn publish(store: &Store, draft: PostDraft) -> PostId {
    let post = store.posts().create(draft, Missing::Create, None).await.unwrap();
    store.posts().apply_move(post.card.id, Move::Publish, None, None).await.unwrap();
    post.card.id
}

async fn search(store: &Store, q: &str) -> SearchPage {
    search_in(store, q, SearchFilter::default()).await
}

async fn search_in(store: &Store, q: &str, filter: SearchFilter) -> SearchPage {
    store.posts().search(SearchQuery::parse(q).unwrap(), filter, None, 20).await.unwrap()
}

fn titles(page: &SearchPage) -> Vec<String> {
    page.hits.iter().map(|h| h.card.title.to_string()).collect()
}

async fn title_matches_rank_first_and_snippets_mark_the_words(store: &Store) {
    publish(store, draft("Notes on garbage", "The collector pauses are short. Nothing on schedulers here.", &[])).await;
    publish(store, draft("Schedulers in depth", "How a work-stealing runtime picks the next task.", &[])).await;
    publish(store, draft("Unrelated", "Nothing to see: ownership and borrowing.", &[])).await;
    let page = search(store, "schedulers").await;
    assert_eq!(titles(&page), ["Schedulers in depth", "Notes on garbage"]);
    let snippet = &page.hits[1].snippet;
    assert!(snippet.contains("<mark>schedulers</mark>"), "{snippet}");
    assert!(page.hits[0].score < page.hits[1].score, "lower scores rank first");
    assert!(page.next.is_none());
}

async fn phrases_prefixes_and_code_tokens(store: &Store) {
    publish(store, draft("Adjacent", "Every memory model is a contract.", &[])).await;
    publish(store, draft("Apart", "A model of memory, loosely.", &[])).await;
    publish(store, draft("Locks", "Guard the map with a `sync.Mutex` and use `go:linkname` sparingly.", &[])).await;
    publish(store, draft("Scheduling", "The scheduler parks goroutines.", &[])).await;
    let mut both = titles(&search(store, "memory model").await);
    both.sort();
    assert_eq!(both, ["Adjacent", "Apart"]);
    assert_eq!(titles(&search(store, "\"memory model\"").await), ["Adjacent"]);
    assert_eq!(titles(&search(store, "sched*").await), ["Scheduling"]);
    assert!(search(store, "sched").await.hits.is_empty(), "a bare word is not a prefix");
    assert_eq!(titles(&search(store, "sync.Mutex").await), ["Locks"]);
    assert_eq!(titles(&search(store, "go:linkname").await), ["Locks"]);
    assert!(search(store, "sync.Scheduler").await.hits.is_empty(), "code tokens match as a phrase");
}

async fn the_index_follows_every_write(store: &Store) {
    let posts = store.posts();
    let draft_post =
        posts.create(draft("Lock-free queues", "Hazard pointers.", &["concurrency"]), Missing::Create, None);
    let id = draft_post.await.unwrap().card.id;
    assert!(search(store, "hazard").await.hits.is_empty(), "drafts are not searchable");
    posts.apply_move(id, Move::Publish, None, None).await.unwrap();
    assert_eq!(titles(&search(store, "hazard").await), ["Lock-free queues"]);
    assert_eq!(titles(&search(store, "concurrency").await), ["Lock-free queues"], "tag names are searched");

    let edited = draft("Wait-free queues", "Epoch reclamation.", &["concurrency"]);
    posts.update(id, edited, None, Missing::Create, None).await.unwrap();
    assert!(search(store, "hazard").await.hits.is_empty(), "the old body is gone");
    assert_eq!(titles(&search(store, "epoch").await), ["Wait-free queues"]);

    let taxonomy = store.taxonomy();
    let renamed = Some(Name::parse("Parallelism").unwrap());
    taxonomy
        .update_term(TermKind::Tag, slug("concurrency"), TermChanges { name: renamed, ..Default::default() }, None)
        .await
        .unwrap();
    assert_eq!(titles(&search(store, "parallelism").await), ["Wait-free queues"], "a renamed tag is searched");
    taxonomy.delete_term(TermKind::Tag, slug("concurrency"), None).await.unwrap();
    assert!(search(store, "parallelism").await.hits.is_empty(), "a deleted tag is not");

    posts.apply_move(id, Move::Unpublish, None, None).await.unwrap();
    assert!(search(store, "epoch").await.hits.is_empty(), "unpublished posts leave the index");
    posts.apply_move(id, Move::Publish, None, None).await.unwrap();
    store.posts().trash(id, None, None).await.unwrap();
    assert!(search(store, "epoch").await.hits.is_empty(), "trashed posts leave the index");
    store.posts().restore(id, None).await.unwrap();
    assert_eq!(titles(&search(store, "epoch").await), ["Wait-free queues"]);
    store.posts().trash(id, None, None).await.unwrap();
    store.posts().purge(id, None).await.unwrap();
    assert!(search(store, "epoch").await.hits.is_empty());
}

async fn filters_narrow_and_unknown_terms_find_nothing(store: &Store) {
    publish(store, draft("Go memory", "The Go memory model.", &["go"])).await;
    let mut rust = draft("Rust memory", "The Rust memory model.", &["rust"]);
    rust.category = Some(slug("essays"));
    publish(store, rust).await;
    let by_tag = SearchFilter { tag: Some(slug("go")), ..SearchFilter::default() };
    assert_eq!(titles(&search_in(store, "memory", by_tag).await), ["Go memory"]);
    let by_category = SearchFilter { category: Some(slug("essays")), ..SearchFilter::default() };
    assert_eq!(titles(&search_in(store, "memory", by_category).await), ["Rust memory"]);
    let both = SearchFilter { tag: Some(slug("go")), category: Some(slug("essays")), author: None };
    assert!(search_in(store, "memory", both).await.hits.is_empty());
    let unknown = SearchFilter { author: Some(slug("nobody")), ..SearchFilter::default() };
    assert!(search_in(store, "memory", unknown).await.hits.is_empty());
}

async fn pages_walk_every_hit_once(store: &Store) {
    for i in 0..7 {
        // Different lengths give different scores; equal ones tie on the id.
        let body = format!("Futex {}", "padding ".repeat(i % 3));
        publish(store, draft(&format!("Futex part {i}"), &body, &[])).await;
    }
    let query = SearchQuery::parse("futex").unwrap();
    let (mut seen, mut after, mut pages) = (Vec::new(), None, 0);
    loop {
        let page = store.posts().search(query.clone(), SearchFilter::default(), after, 3).await.unwrap();
        assert!(page.hits.len() <= 3);
        seen.extend(page.hits.iter().map(|h| (h.score, h.card.id)));
        pages += 1;
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
        assert!(pages < 10, "pagination must end");
    }
    assert_eq!(pages, 3);
    let mut sorted = seen.clone();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.to_string().cmp(&b.1.to_string())));
    assert_eq!(seen, sorted, "pages continue in rank order");
    sorted.dedup_by_key(|h| h.1);
    assert_eq!(sorted.len(), 7, "every hit once");
}

/// Each hostile query is either refused by the parser, for the reason given,
/// or runs and finds nothing: none is passed over.
async fn hostile_queries_find_nothing_without_failing(store: &Store) {
    publish(store, draft("Plain", "Ordinary words.", &[])).await;
    let crowded = "w ".repeat(longform_domain::search::MAX_TERMS + 1);
    for (q, refused) in [
        ("NEAR AND OR NOT", None),
        ("\"and\" or", None),
        ("title:body", None),
        ("a'b\"c", None),
        ("x86_64 ²³", None),
        ("日本語 文章", None),
        ("İstanbul", None),
        ("the", None),
        ("'); DROP TABLE posts; --", None),
        ("zzz*", None),
        ("&|!<->:*", Some(SearchQueryError::Empty)),
        ("\"\" * -- ::", Some(SearchQueryError::Empty)),
        (&crowded as &str, Some(SearchQueryError::TooManyTerms)),
    ] {
        match (SearchQuery::parse(q), refused) {
            (Err(error), Some(expected)) => assert_eq!(error, expected, "{q:?}"),
            (Ok(query), None) => {
                let page = store.posts().search(query, SearchFilter::default(), None, 10).await;
                assert!(page.as_ref().is_ok_and(|p| p.hits.is_empty()), "{q:?}: {page:?}");
            }
            (parsed, expected) => panic!("{q:?}: parsed as {parsed:?}, expected {expected:?}"),
        }
    }
    assert_eq!(titles(&search(store, "ordinary").await), ["Plain"], "the posts are still there");
}

async fn applying_the_search_migration_indexes_existing_posts(store: &Store) {
    publish(store, draft("Before search", "Written before the index existed.", &[])).await;
    store.revert_migrations_through(longform_persistence::migrations::SEARCH_MIGRATION).await.unwrap();
    store.migrate().await.unwrap();
    assert_eq!(titles(&search(store, "existed").await), ["Before search"]);
}

async fn a_capped_ranking_keeps_the_title_match(store: &Store) {
    publish(store, draft("Futex internals", "How a futex waits.", &[])).await;
    for i in 0..4 {
        publish(store, draft(&format!("Later {i}"), "A futex, a futex, a futex.", &[])).await;
    }
    let query = SearchQuery::parse("futex").unwrap();
    let page = store.posts().search_ranking_at_most(query, 10, 2).await.unwrap();
    assert_eq!(page.hits[0].card.title.as_str(), "Futex internals", "the oldest post, titled, still ranks first");
    let expected = match store.backend() {
        longform_persistence::Backend::Sqlite => 3, // the two newest body matches and the title match
        longform_persistence::Backend::Postgres => 5, // PostgreSQL ranks every match
    };
    assert_eq!(page.hits.len(), expected);
}
