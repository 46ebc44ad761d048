//! `longform export` and `longform import-json`: the lossless JSON backup,
//! and the Markdown folder (front matter that `longform import` reads back).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use longform_persistence::export::{Export, PostRecord};
use longform_persistence::media_store::{BlobKey, MediaStore};

use crate::config::Settings;
use crate::error::CliError;
use crate::media::open_media_store;
use crate::runtime::open_store;

/// Where a JSON export's media bytes go: `OUT.media/`, laid out as a media
/// store directory (originals and renditions under their sha256).
fn media_folder(document: &Path) -> std::path::PathBuf {
    let mut name = document.as_os_str().to_owned();
    name.push(".media");
    name.into()
}

/// Every stored file the document names, as (key, length).
fn media_files(doc: &Export) -> Result<Vec<(BlobKey, u64)>, CliError> {
    let length = |n: i64| u64::try_from(n).map_err(|_| CliError::Invalid(format!("a stored length of {n}")));
    let mut files = Vec::new();
    for blob in &doc.media_blobs {
        files.push((BlobKey::original(&blob.sha256)?, length(blob.bytes)?));
    }
    for rendition in &doc.media_renditions {
        let format =
            rendition.format.parse().map_err(|()| CliError::Invalid(format!("format {:?}", rendition.format)))?;
        let width = u32::try_from(rendition.width).map_err(|_| CliError::Invalid("a rendition width".into()))?;
        files.push((BlobKey::rendition(&rendition.sha256, width, format)?, length(rendition.bytes)?));
    }
    Ok(files)
}

/// Copy each of `files` from `from` to `to`, checking its length (and an
/// original's sha256: what a restore trusts is what was exported).
async fn copy_media(files: &[(BlobKey, u64)], from: &MediaStore, to: &MediaStore) -> Result<(), CliError> {
    use sha2::Digest;
    for (key, len) in files {
        let bytes = from
            .read(key, 0, usize::try_from(*len).unwrap_or(usize::MAX))
            .await
            .map_err(|e| CliError::Invalid(format!("{} in {}: {e}", key.path(), from.describe())))?;
        let whole = bytes.len() as u64 == *len
            && match key {
                BlobKey::Original { sha256 } => format!("{:x}", sha2::Sha256::digest(&bytes)) == *sha256,
                BlobKey::Rendition { .. } => true,
            };
        if !whole {
            return Err(CliError::Invalid(format!("{} in {} does not match its record", key.path(), from.describe())));
        }
        to.put(key.clone(), bytes.into()).await?;
    }
    Ok(())
}

pub async fn export(settings: &Settings, format: &str, out: &Path) -> Result<(), CliError> {
    let store = open_store(settings)?;
    store.migrate().await?;
    let doc = store.content().export().await?;
    match format {
        "json" => {
            let text = serde_json::to_string_pretty(&doc).map_err(|e| CliError::Invalid(e.to_string()))?;
            std::fs::write(out, text + "\n")?;
            let files = media_files(&doc)?;
            if !files.is_empty() {
                let folder = media_folder(out);
                let to = MediaStore::local(&folder)?;
                copy_media(&files, &open_media_store(settings).await?, &to).await?;
                println!("wrote {} media file(s) to {}", files.len(), folder.display());
            }
        }
        "markdown" => {
            let paths = write_media(settings, &doc, out).await?;
            write_markdown(&doc, out, &paths)?;
        }
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
    // The bytes first: a row never names a file that is not there.
    let files = media_files(&doc)?;
    if !files.is_empty() {
        let folder = media_folder(file);
        let from = MediaStore::local(&folder)?;
        copy_media(&files, &from, &open_media_store(settings).await?).await?;
    }
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

/// Each media item's original beside the posts, at `media/{id}/{filename}`
/// in `dir`: the relative path a post names it by, by id.
async fn write_media(settings: &Settings, doc: &Export, dir: &Path) -> Result<HashMap<String, String>, CliError> {
    let mut paths = HashMap::new();
    if doc.media.is_empty() {
        return Ok(paths);
    }
    let store = open_media_store(settings).await?;
    let sizes: HashMap<&str, i64> = doc.media_blobs.iter().map(|b| (b.sha256.as_str(), b.bytes)).collect();
    for item in &doc.media {
        let key = BlobKey::original(&item.sha256)?;
        let len = sizes.get(item.sha256.as_str()).copied().unwrap_or_default();
        let bytes = store.read(&key, 0, usize::try_from(len).unwrap_or(0)).await?;
        let folder = dir.join("media").join(&item.id);
        std::fs::create_dir_all(&folder)?;
        std::fs::write(folder.join(&item.filename), bytes)?;
        let encoded =
            longform_api::media::original_url("", item.id.parse().map_err(|_| bad_id(&item.id))?, &item.filename);
        paths.insert(item.id.clone(), encoded.trim_start_matches('/').to_owned());
    }
    println!("wrote {} media file(s) to {}", paths.len(), dir.join("media").display());
    Ok(paths)
}

fn bad_id(id: &str) -> CliError {
    CliError::Invalid(format!("a media id {id:?} in the database"))
}

/// `markdown` with the uploads it names by their `/media/…` paths named by
/// the paths [`write_media`] put them at, relative to the post's file.
fn relative_media(markdown: &str, paths: &HashMap<String, String>) -> String {
    let mut out = markdown.to_owned();
    for id in longform_domain::media::mentioned(markdown) {
        if paths.contains_key(&id.to_string()) {
            for before in ["](", "](<", "]: ", "]: <"] {
                out = out.replace(&format!("{before}/media/{id}/"), &format!("{before}media/{id}/"));
            }
        }
    }
    out
}

/// One post as a front-matter file `longform import` reads back.
fn markdown_file(
    post: &PostRecord,
    terms: &HashMap<&str, &str>,
    tags: &[&str],
    authors: &[&str],
    media: &HashMap<String, String>,
) -> String {
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
        // An upload: its file beside the post (decoded: the import decodes it).
        let upload = longform_domain::media::mentioned(url).first().and_then(|id| media.get(&id.to_string()));
        let url = match upload {
            Some(path) => percent_encoding::percent_decode_str(path).decode_utf8_lossy().into_owned(),
            None => url.clone(),
        };
        let _ = writeln!(out, "feature_image: {}", quoted(&url));
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
    out.push_str(&relative_media(&post.markdown, media));
    out
}

/// The folder: one file per live post (the trash stays behind) and `_authors.json`.
fn write_markdown(doc: &Export, dir: &Path, media: &HashMap<String, String>) -> Result<(), CliError> {
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
        std::fs::write(dir.join(format!("{}.md", post.slug)), markdown_file(post, &terms, &tags, &authors, media))?;
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
