//! Browsing by NQL filters (Ghost's Content API), run on SQLite and
//! PostgreSQL. The property: for any filter over the public fields, the
//! database answers exactly what an evaluator over the *public* posts
//! alone answers (SQL's three-valued logic included). The evaluator never
//! sees a draft, a scheduled or trashed post, an account or a private
//! term, and the fixture holds all of those, named to collide with public
//! values; so equal answers show that no filter learns anything about
//! them. Names outside the allowlist are refused alike, existing column or
//! not.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use chrono::{DateTime, Duration, NaiveDate, Utc};
use longform_domain::nql::{self, Comparison, Filter, Literal, Op, PostField, Syntax, Value};
use longform_domain::{Markdown, Move, PostCard, PostDraft, Slug, Title};
use longform_persistence::{Browse, BrowsedPost, ListingFilter, Missing, Store, both_backends};
use std::sync::Arc;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

both_backends!(
    filters_answer_what_the_public_posts_alone_answer,
    names_outside_the_allowlist_are_refused_alike,
    a_browse_costs_the_same_statements_whatever_its_filter,
);

fn draft(title: &str, words: usize, tags: &[&str], authors: &[&str], featured: bool) -> PostDraft {
    let body = format!("# {title}\n\n{}\n", "word ".repeat(words));
    let mut d = PostDraft::new(Title::parse(title).unwrap(), Markdown::parse(&body).unwrap());
    d.tags = tags.iter().map(|t| Slug::parse(t).unwrap()).collect();
    d.authors = authors.iter().map(|a| Slug::parse(a).unwrap()).collect();
    d.featured = featured;
    d
}

/// Public posts (newest first, as the listing reads them) and the values
/// filters draw from, private ones included.
struct Fixture {
    public: Vec<PostCard>,
    slugs: Vec<String>,
    titles: Vec<String>,
    tag_slugs: Vec<String>,
    tag_ids: Vec<String>,
    author_slugs: Vec<String>,
    times: Vec<DateTime<Utc>>,
}

async fn fixture(store: &Store) -> Fixture {
    let posts = store.posts();
    let tags = ["go", "rust", "kernels", "gc"];
    let authors = ["ada", "grace", "linus"];
    let mut published = Vec::new();
    for i in 0..12 {
        let mine: Vec<&str> = (0..tags.len()).filter(|t| (i + t) % 3 == 0).map(|t| tags[t]).collect();
        let by: Vec<&str> = vec![authors[i % 3], authors[(i + 1) % 3]][..1 + i % 2].to_vec();
        let post = posts
            .create(
                draft(&format!("Essay {i} on Schedulers"), 200 * (1 + i % 4), &mine, &by, i % 4 == 0),
                Missing::Create,
                None,
            )
            .await
            .unwrap();
        posts.apply_move(post.card.id, Move::Publish, None, None).await.unwrap();
        published.push(post.card.id);
    }
    // What must stay invisible, named like what is public: a draft on the
    // public tags with a public title, a draft-only tag and author, a
    // scheduled post, a trashed one.
    let secret = posts
        .create(
            draft("Essay 1 on Schedulers", 900, &["go", "secret-tag"], &["ghostwriter", "ada"], true),
            Missing::Create,
            None,
        )
        .await
        .unwrap();
    let scheduled = posts
        .create(draft("Scheduled Essay", 400, &["rust", "embargo"], &["grace"], true), Missing::Create, None)
        .await
        .unwrap();
    posts
        .apply_move(scheduled.card.id, Move::Schedule(longform_persistence::now() + Duration::days(3)), None, None)
        .await
        .unwrap();
    let trashed = posts
        .create(draft("Trashed Essay", 300, &["gc", "binned"], &["linus"], false), Missing::Create, None)
        .await
        .unwrap();
    posts.apply_move(trashed.card.id, Move::Publish, None, None).await.unwrap();
    posts.trash(trashed.card.id, None, None).await.unwrap();

    let public = posts.list_published(ListingFilter::default(), None, 100).await.unwrap().cards;
    assert_eq!(public.len(), 12);
    let all_tags = store.taxonomy().tags().await.unwrap();
    let mut times: Vec<DateTime<Utc>> =
        public.iter().flat_map(|c| [c.published_at.unwrap(), c.created_at, c.updated_at]).collect();
    times.extend(public.iter().map(|c| c.published_at.unwrap() + Duration::microseconds(1)));
    Fixture {
        slugs: public
            .iter()
            .map(|c| c.slug.to_string())
            .chain([secret.card.slug.to_string(), scheduled.card.slug.to_string(), trashed.card.slug.to_string()])
            .collect(),
        titles: public
            .iter()
            .map(|c| c.title.to_string())
            .chain(["Scheduled Essay".to_owned(), "Trashed Essay".to_owned()])
            .collect(),
        tag_slugs: all_tags.iter().map(|t| t.slug.to_string()).chain(["nope".to_owned()]).collect(),
        tag_ids: all_tags.iter().map(|t| t.id.to_string()).collect(),
        author_slugs: store.taxonomy().authors().await.unwrap().iter().map(|a| a.slug.to_string()).collect(),
        times,
        public,
    }
}

// ------------------------------------------------------------------ the evaluator

/// SQL's three-valued logic: `None` is NULL.
fn eval(filter: &Filter<PostField>, post: &PostCard) -> Option<bool> {
    match filter {
        Filter::Const(b) => Some(*b),
        Filter::And(terms) => {
            let values: Vec<Option<bool>> = terms.iter().map(|t| eval(t, post)).collect();
            if values.contains(&Some(false)) {
                Some(false)
            } else {
                values.iter().all(|v| *v == Some(true)).then_some(true)
            }
        }
        Filter::Or(terms) => {
            let values: Vec<Option<bool>> = terms.iter().map(|t| eval(t, post)).collect();
            if values.contains(&Some(true)) {
                Some(true)
            } else {
                values.iter().all(|v| *v == Some(false)).then_some(false)
            }
        }
        Filter::Test { field, op, negated, values } => test(*field, *op, values, post).map(|b| b != *negated),
    }
}

fn test(field: PostField, op: Op, values: &[Value], post: &PostCard) -> Option<bool> {
    let text = |v: &Value| match v {
        Value::Text(t) => t.clone(),
        other => panic!("{other:?}"),
    };
    let any_text = |have: &[String]| Some(values.iter().any(|v| have.contains(&text(v))));
    let on_text = |have: &str| match op {
        Op::Eq => Some(values.iter().any(|v| text(v) == have)),
        Op::Contains => Some(have.to_lowercase().contains(&text(&values[0]).to_lowercase())),
        Op::StartsWith => Some(have.to_lowercase().starts_with(&text(&values[0]).to_lowercase())),
        Op::EndsWith => Some(have.to_lowercase().ends_with(&text(&values[0]).to_lowercase())),
        other => panic!("{other:?} on text"),
    };
    let ordered = |have: std::cmp::Ordering| match op {
        Op::Eq => have.is_eq(),
        Op::Gt => have.is_gt(),
        Op::Ge => have.is_ge(),
        Op::Lt => have.is_lt(),
        Op::Le => have.is_le(),
        other => panic!("{other:?} on an ordered field"),
    };
    let time = |at: DateTime<Utc>| {
        Some(values.iter().any(|v| match v {
            Value::Time(t) => ordered(at.cmp(t)),
            other => panic!("{other:?}"),
        }))
    };
    let tags: Vec<&longform_domain::Tag> = post.tags.iter().collect();
    let authors: Vec<&longform_domain::Author> = post.authors.iter().collect();
    match field {
        PostField::Id => on_text(&post.id.to_string()),
        PostField::Slug => on_text(post.slug.as_str()),
        PostField::Title => on_text(&post.title.to_string()),
        PostField::Featured => Some(values.contains(&Value::Bool(post.featured))),
        PostField::ReadingTime => Some(values.iter().any(|v| match v {
            Value::Int(n) => ordered(i64::from(post.reading_time_minutes).cmp(n)),
            other => panic!("{other:?}"),
        })),
        PostField::PublishedAt => time(post.published_at.unwrap()),
        PostField::UpdatedAt => time(post.updated_at),
        PostField::CreatedAt => time(post.created_at),
        PostField::FeatureImage if values == [Value::Null] => Some(post.feature_image.is_none()),
        PostField::FeatureImage => None.filter(|_: &bool| post.feature_image.is_some()),
        PostField::TagSlug => any_text(&tags.iter().map(|t| t.slug.to_string()).collect::<Vec<_>>()),
        PostField::TagId => any_text(&tags.iter().map(|t| t.id.to_string()).collect::<Vec<_>>()),
        PostField::TagName => any_text(&tags.iter().map(|t| t.name.to_string()).collect::<Vec<_>>()),
        PostField::PrimaryTag => any_text(&tags.first().map(|t| t.slug.to_string()).into_iter().collect::<Vec<_>>()),
        PostField::AuthorSlug => any_text(&authors.iter().map(|a| a.slug.to_string()).collect::<Vec<_>>()),
        PostField::AuthorId => any_text(&authors.iter().map(|a| a.id.to_string()).collect::<Vec<_>>()),
        PostField::AuthorName => any_text(&authors.iter().map(|a| a.name.to_string()).collect::<Vec<_>>()),
        PostField::PrimaryAuthor => {
            any_text(&authors.first().map(|a| a.slug.to_string()).into_iter().collect::<Vec<_>>())
        }
        PostField::Visibility => panic!("visibility is a constant"),
    }
}

// ------------------------------------------------------------------ filters

/// A comparison drawn from `f`'s values, private ones included; `pick`
/// indexes into the pools.
fn comparison(f: &Fixture, kind: u8, pick: usize, negated: bool, op_pick: u8, list: bool) -> Syntax {
    let word = |s: &str| Literal::Word(s.to_owned());
    let quoted = |s: &str| Literal::Quoted(s.to_owned());
    let pool =
        |v: &[String], n: usize| -> Vec<Literal> { (0..n).map(|k| quoted(&v[(pick + k * 7) % v.len()])).collect() };
    let many = if list { 1 + pick % 3 } else { 1 };
    let ordered = [Op::Eq, Op::Gt, Op::Ge, Op::Lt, Op::Le][usize::from(op_pick) % 5];
    let pattern = [Op::Eq, Op::Contains, Op::StartsWith, Op::EndsWith][usize::from(op_pick) % 4];
    let (field, op, values) = match kind % 14 {
        0 => ("tag", Op::Eq, pool(&f.tag_slugs, many)),
        1 => ("tags.id", Op::Eq, pool(&f.tag_ids, many)),
        2 => ("author", Op::Eq, pool(&f.author_slugs, many)),
        3 => ("primary_tag", Op::Eq, pool(&f.tag_slugs, many)),
        4 => ("primary_author", Op::Eq, pool(&f.author_slugs, many)),
        5 => ("slug", Op::Eq, pool(&f.slugs, many)),
        6 => (
            "title",
            pattern,
            if pattern == Op::Eq {
                pool(&f.titles, many)
            } else {
                vec![quoted(["essay 1", "Sched", "ulers", "Trashed", "1 on"][pick % 5])]
            },
        ),
        7 => ("featured", Op::Eq, vec![word(if pick.is_multiple_of(2) { "true" } else { "false" })]),
        8 => ("reading_time", ordered, vec![word(&(pick % 6).to_string())]),
        9 => ("published_at", ordered, vec![quoted(&f.times[pick % f.times.len()].to_rfc3339())]),
        10 => ("updated_at", ordered, vec![quoted(&f.times[pick % f.times.len()].to_rfc3339())]),
        11 => ("feature_image", Op::Eq, vec![word("null")]),
        12 => ("visibility", Op::Eq, vec![word(["public", "paid"][pick % 2])]),
        _ => ("id", Op::Eq, vec![quoted(&f.public[pick % f.public.len()].id.to_string())]),
    };
    let list = values.len() > 1;
    Syntax::Compare(Comparison { field: field.into(), negated, op, values, list, at: 0 })
}

fn filter_text(f: &Arc<Fixture>) -> impl Strategy<Value = String> {
    let f = Arc::clone(f);
    let leaf = (any::<u8>(), any::<usize>(), any::<bool>(), any::<u8>(), any::<bool>())
        .prop_map(move |(kind, pick, negated, op, list)| comparison(&f, kind, pick, negated, op, list));
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 2..4).prop_map(Syntax::And),
            proptest::collection::vec(inner, 2..4).prop_map(Syntax::Or),
        ]
    })
    .prop_map(|tree| tree.to_string())
}

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

async fn filters_answer_what_the_public_posts_alone_answer(store: &Store) {
    let f = Arc::new(fixture(store).await);
    let handle = tokio::runtime::Handle::current();
    let mut runner = TestRunner::new(Config { cases: 192, failure_persistence: None, ..Config::default() });
    let result = runner.run(&filter_text(&f), |text| {
        let checked =
            nql::parse_checked::<PostField>(&text, today()).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        let browse = Browse { filter: Some(checked.filter.clone()), order: Vec::new(), page: 1, limit: 1000 };
        let got = tokio::task::block_in_place(|| handle.block_on(store.browse().posts(browse, None)))
            .map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?
            .unwrap();
        let got: Vec<String> = got.items.iter().map(|p| p.card().slug.to_string()).collect();
        // The listing's order is the browse's default: newest first.
        let want: Vec<String> =
            f.public.iter().filter(|p| eval(&checked.filter, p) == Some(true)).map(|p| p.slug.to_string()).collect();
        prop_assert_eq!(&got, &want, "{}", text);
        // Oldest first takes the other path (sorting the posts' rows):
        // the same posts, the other way round.
        let oldest_first = Browse {
            filter: Some(checked.filter.clone()),
            order: vec![(PostField::PublishedAt, nql::Direction::Asc)],
            page: 1,
            limit: 1000,
        };
        let got = tokio::task::block_in_place(|| handle.block_on(store.browse().posts(oldest_first, None)))
            .map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?
            .unwrap();
        let mut reversed: Vec<String> = got.items.iter().map(|p| p.card().slug.to_string()).collect();
        reversed.reverse();
        prop_assert_eq!(reversed, want, "oldest first: {}", text);
        Ok(())
    });
    result.unwrap();

    // The fixture is not degenerate: a filter finds some, and not all.
    let go = Browse {
        filter: Some(nql::parse_checked::<PostField>("tag:go", today()).unwrap().filter),
        order: Vec::new(),
        page: 1,
        limit: 100,
    };
    let found = store.browse().posts(go, Some(1 << 20)).await.unwrap().unwrap();
    assert!(found.total > 0 && found.total < 12, "{}", found.total);
    assert!(found.items.iter().all(|p| matches!(p, BrowsedPost::Whole(_))), "bodies were asked for");
}

async fn names_outside_the_allowlist_are_refused_alike(store: &Store) {
    let f = fixture(store).await;
    // Columns of the schema that are not public, and names that are no column at all.
    let private = [
        "status",
        "markdown",
        "owner_id",
        "deleted_at",
        "version",
        "email",
        "password_hash",
        "role",
        "user_id",
        "token_hash",
        "posts.status",
        "authors.email",
        "tags.public",
        "no_such_field",
        "x",
    ];
    for name in private {
        for value in ["draft", "'a@b.c'", "null", "true"] {
            let e = nql::parse_checked::<PostField>(&format!("{name}:{value}"), today()).unwrap_err();
            assert_eq!(e.message, format!("{name} is not a field this resource can be filtered by"));
            assert_eq!(e.position, 0);
        }
    }
    // And what the public fields answer does not move when private data
    // changes: a draft renamed to a public post's slug is still not found.
    let slug = &f.public[0].slug;
    let filter = nql::parse_checked::<PostField>(&format!("slug:{slug}"), today()).unwrap().filter;
    let before = store
        .browse()
        .posts(Browse { filter: Some(filter.clone()), order: Vec::new(), page: 1, limit: 10 }, None)
        .await
        .unwrap()
        .unwrap();
    store.posts().create(draft("Another Draft", 10, &["go"], &["ada"], true), Missing::Create, None).await.unwrap();
    let after = store
        .browse()
        .posts(Browse { filter: Some(filter), order: Vec::new(), page: 1, limit: 10 }, None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((before.total, after.total), (1, 1));
}

async fn a_browse_costs_the_same_statements_whatever_its_filter(store: &Store) {
    let f = fixture(store).await;
    let browse = |text: &str| Browse {
        filter: Some(nql::parse_checked::<PostField>(text, today()).unwrap().filter),
        order: Vec::new(),
        page: 1,
        limit: 100,
    };
    let everything: Vec<String> = (0..nql::MAX_COMPARISONS / 3)
        .map(|i| {
            format!(
                "(tag:[{}]+-author:{}+published_at:<=now)",
                f.tag_slugs[i % f.tag_slugs.len()],
                f.author_slugs[i % f.author_slugs.len()]
            )
        })
        .collect();
    let big = everything.join(",");
    assert!(big.len() <= nql::MAX_FILTER_BYTES, "{}", big.len());
    for text in ["tag:go", big.as_str()] {
        store.record_statements();
        let cards = store.browse().posts(browse(text), None).await.unwrap().unwrap();
        let without = store.recorded_statements();
        store.record_statements();
        store.browse().posts(browse(text), Some(1 << 30)).await.unwrap().unwrap();
        let with = store.recorded_statements();
        // The pool's liveness check, a count, the page's ids down the
        // listing index, their cards, tags, authors and categories; then
        // its bodies' sizes and its bodies.
        let statements: Vec<&String> = without.iter().filter(|s| *s != "SELECT 1").collect();
        assert!(statements.len() <= 6, "{text}: {without:#?}");
        assert!(with.len() <= without.len() + 2, "{text}: {with:#?}");
        assert!(cards.total > 0, "{text}");
    }
    // A page whose HTML is larger than the budget loads no body.
    let over = store.browse().posts(browse("featured:true,featured:false"), Some(10)).await.unwrap();
    assert!(matches!(over, Err(longform_persistence::BodiesTooLarge { bytes }) if bytes > 10), "{over:?}");
}
