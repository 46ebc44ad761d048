//! `longform export` and `longform import-json`: the lossless JSON backup,
//! and the Markdown folder (front matter that `longform import` reads back).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use longform_persistence::export::{Export, PostRecord};

use crate::config::Settings;
use crate::error::CliError;
use crate::runtime::open_store;

pub async fn export(settings: &Settings, format: &str, out: &Path) -> Result<(), CliError> {
    let store = open_store(settings)?;
    store.migrate().await?;
    let doc = store.content().export().await?;
    match format {
        "json" => {
            let text = serde_json::to_string_pretty(&doc).map_err(|e| CliError::Invalid(e.to_string()))?;
            std::fs::write(out, text + "\n")?;
        }
        "markdown" => write_markdown(&doc, out)?,
        other => return Err(CliError::Invalid(format!("unknown format {other:?}: use json or markdown"))),
    }
    println!("exported {} posts to {}", doc.posts.len(), out.display());
    Ok(())
}

pub async fn import_json(settings: &Settings, file: &Path) -> Result<(), CliError> {
    let text = std::fs::read_to_string(file).map_err(|e| CliError::Invalid(format!("{}: {e}", file.display())))?;
    let doc: Export = serde_json::from_str(&text).map_err(|e| CliError::Invalid(format!("{}: {e}", file.display())))?;
    let store = open_store(settings)?;
    store.migrate().await?;
    let posts = store.content().restore(doc).await?;
    println!("restored {posts} posts from {}", file.display());
    Ok(())
}

fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

fn stamp(at: chrono::NaiveDateTime) -> String {
    at.and_utc().to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// One post as a front-matter file `longform import` reads back.
fn markdown_file(post: &PostRecord, terms: &HashMap<&str, &str>, tags: &[&str], authors: &[&str]) -> String {
    let mut out = String::from("---\n");
    let _ = writeln!(out, "title: {}", quoted(&post.title));
    let _ = writeln!(out, "slug: {}", quoted(&post.slug));
    if post.custom_summary {
        let _ = writeln!(out, "summary: {}", quoted(&post.summary));
    }
    let _ = writeln!(out, "status: {}", post.status);
    if let Some(at) = post.published_at {
        let _ = writeln!(out, "published_at: {}", stamp(at));
    }
    let _ = writeln!(out, "updated_at: {}", stamp(post.updated_at));
    if let Some(name) = post.category_id.as_deref().and_then(|id| terms.get(id)) {
        let _ = writeln!(out, "category: {}", quoted(name));
    }
    let list = |items: &[&str]| items.iter().map(|i| quoted(i)).collect::<Vec<_>>().join(", ");
    let _ = writeln!(out, "tags: [{}]", list(tags));
    let _ = writeln!(out, "authors: [{}]", list(authors));
    if let Some(url) = &post.feature_image_url {
        let _ = writeln!(out, "feature_image: {}", quoted(url));
        if let Some(alt) = &post.feature_image_alt {
            let _ = writeln!(out, "feature_image_alt: {}", quoted(alt));
        }
    }
    if let Some(url) = &post.canonical_url {
        let _ = writeln!(out, "canonical_url: {}", quoted(url));
    }
    if post.featured {
        out.push_str("featured: true\n");
    }
    out.push_str("---\n");
    out.push_str(&post.markdown);
    out
}

/// The folder: one file per live post (the trash stays behind) and `_authors.json`.
fn write_markdown(doc: &Export, dir: &Path) -> Result<(), CliError> {
    std::fs::create_dir_all(dir)?;
    let mut terms: HashMap<&str, &str> = doc.tags.iter().map(|t| (t.id.as_str(), t.name.as_str())).collect();
    terms.extend(doc.categories.iter().map(|c| (c.id.as_str(), c.name.as_str())));
    let author_slugs: HashMap<&str, &str> = doc.authors.iter().map(|a| (a.id.as_str(), a.slug.as_str())).collect();
    for post in doc.posts.iter().filter(|p| p.deleted_at.is_none()) {
        let mut tags: Vec<_> = doc.post_tags.iter().filter(|t| t.post_id == post.id).collect();
        tags.sort_by_key(|t| t.position);
        let tags: Vec<&str> = tags.iter().filter_map(|t| terms.get(t.tag_id.as_str()).copied()).collect();
        let mut authors: Vec<_> = doc.post_authors.iter().filter(|a| a.post_id == post.id).collect();
        authors.sort_by_key(|a| a.position);
        let authors: Vec<&str> =
            authors.iter().filter_map(|a| author_slugs.get(a.author_id.as_str()).copied()).collect();
        std::fs::write(dir.join(format!("{}.md", post.slug)), markdown_file(post, &terms, &tags, &authors))?;
    }
    let authors: Vec<_> = doc
        .authors
        .iter()
        .map(|a| serde_json::json!({ "name": a.name, "slug": a.slug, "bio": a.bio, "website": a.website, "avatar_url": a.avatar_url }))
        .collect();
    let text = serde_json::to_string_pretty(&authors).map_err(|e| CliError::Invalid(e.to_string()))?;
    std::fs::write(dir.join("_authors.json"), text)?;
    Ok(())
}
