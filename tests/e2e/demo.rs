//! The demo blog, as `make run` serves it on an empty database: the index
//! of demo/INDEX.md exactly (the ten newest posts with their category,
//! summary, date and reading time, newest first), the site's description,
//! and the corpus posts behind them.

use crate::helpers::{Db, TestApp, both_backends};

both_backends!(an_empty_database_serves_the_demo_index);

/// demo/INDEX.md: the description, and the rows (date, minutes, summary).
fn index() -> (String, Vec<(String, u64, String)>) {
    let text = include_str!("../../demo/INDEX.md");
    let description = text.lines().find_map(|l| l.strip_prefix("> ")).unwrap().to_owned();
    let rows = text
        .lines()
        .filter(|l| l.starts_with("| ") && l.as_bytes().get(2).is_some_and(u8::is_ascii_digit))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split(" | ").map(str::trim).collect();
            (cells[1].to_owned(), cells[2].trim_end_matches(" min").parse().unwrap(), cells[3].to_owned())
        })
        .collect();
    (description, rows)
}

fn an_empty_database_serves_the_demo_index(db: &Db) {
    let app = TestApp::spawn_with_demo(db.url());
    let (description, rows) = index();
    assert_eq!(rows.len(), 10);
    let page = app.get("/api/v1/posts?limit=10");
    assert_eq!(page.status, 200, "{}", page.body);
    let page = page.json();
    let cards = page["posts"].as_array().unwrap();
    let shown: Vec<(String, u64, String)> = cards
        .iter()
        .map(|c| {
            let date = c["published_at"].as_str().unwrap()[..10].to_owned();
            (date, c["reading_time_minutes"].as_u64().unwrap(), c["summary"].as_str().unwrap().to_owned())
        })
        .collect();
    assert_eq!(shown, rows);
    for card in cards {
        assert_eq!(card["category"]["name"], "Blog", "{card}");
        let title = card["title"].as_str().unwrap();
        assert!(!title.contains('(') && title.len() > 20, "a fitting title: {title}");
    }
    // Behind the ten, the corpus posts, all older.
    let total = page["meta"]["pagination"]["total"].as_u64().unwrap();
    assert!(total > 10, "{total}");
    let next = page["meta"]["pagination"]["next_cursor"].as_str().unwrap();
    let older = app.get(&format!("/api/v1/posts?limit=100&after={next}")).json();
    let oldest_essay = &rows[9].0;
    for post in older["posts"].as_array().unwrap() {
        assert!(&post["published_at"].as_str().unwrap()[..10] < oldest_essay.as_str(), "{post}");
    }
    let feed = app.get("/feed.json").json();
    assert_eq!(feed["description"].as_str(), Some(description.as_str()));
}
