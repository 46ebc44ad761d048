//! `longform import DIR`: a folder of Markdown files with YAML front matter
//! (and `_authors.json`), upserted by slug. Bad files are reported with
//! their path and reason and skipped; the rest lands. Batches of files share
//! a transaction; each file has its own savepoint.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use longform_api::media::{Media, Upload, original_url};
use longform_domain::frontmatter::{self, ImportedPost};
use longform_domain::markdown::{local_files, replace_ranges};
use longform_domain::{Description, FeatureImage, Markdown, Name, NewAuthor, Slug, WebUrl};
use longform_persistence::{ImportOutcome as Outcome, Store};

use crate::config::Settings;
use crate::error::CliError;
use crate::media::open_media_store;
use crate::runtime::open_store;

/// Files per transaction: large enough to amortise commits, small enough
/// that a progress bar moves.
const BATCH: usize = 100;

/// Every `*.md` below `dir`, sorted, skipping `_`-prefixed files (section
/// indexes in Hugo) and hidden folders.
fn markdown_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            markdown_files(&path, out)?;
        } else if name.ends_with(".md") && !name.starts_with('_') {
            out.push(path);
        }
    }
    Ok(())
}

#[derive(serde::Deserialize)]
struct AuthorFile {
    name: String,
    slug: Option<String>,
    bio: Option<String>,
    website: Option<String>,
    avatar_url: Option<String>,
}

fn authors(dir: &Path) -> Result<Vec<NewAuthor>, CliError> {
    let path = dir.join("_authors.json");
    if !path.exists() {
        return Ok(Vec::new());
    }
    let bad = |reason: String| CliError::Invalid(format!("{}: {reason}", path.display()));
    let text = std::fs::read_to_string(&path).map_err(|e| bad(e.to_string()))?;
    let files: Vec<AuthorFile> = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    files
        .into_iter()
        .map(|a| {
            let name = Name::parse(&a.name).map_err(|e| bad(e.to_string()))?;
            let slug = match a.slug {
                Some(s) => Slug::parse(&s).map_err(|e| bad(format!("slug {e}")))?,
                None => Slug::from_text(name.as_str()).unwrap_or_else(Slug::fallback),
            };
            let url = |field, raw: Option<String>| raw.map(|u| WebUrl::parse_field(field, &u)).transpose();
            Ok(NewAuthor {
                slug,
                name,
                bio: a.bio.map(|b| Description::parse(&b)).transpose().map_err(|e| bad(e.to_string()))?,
                website: url("website", a.website).map_err(|e| bad(e.to_string()))?,
                avatar_url: url("avatar_url", a.avatar_url).map_err(|e| bad(e.to_string()))?,
                links: Vec::new(),
                user_id: None,
                public: false,
            })
        })
        .collect()
}

/// Read and parse every file; the ones that fail, and later files reusing
/// a slug, go to `skipped` with their reason.
fn parse_all(files: &[PathBuf], skipped: &mut Vec<(PathBuf, String)>) -> Vec<(PathBuf, ImportedPost)> {
    let mut seen: HashMap<String, PathBuf> = HashMap::new();
    let mut parsed = Vec::new();
    for path in files {
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let post = std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|text| frontmatter::parse(&stem, &text).map_err(|e| e.to_string()));
        match post {
            Err(reason) => skipped.push((path.clone(), reason)),
            Ok(post) => {
                let slug = post.draft.slug.as_ref().map(ToString::to_string).unwrap_or_default();
                if let Some(first) = seen.get(&slug) {
                    skipped.push((path.clone(), format!("slug {slug:?} is already used by {}", first.display())));
                } else {
                    seen.insert(slug, path.clone());
                    parsed.push((path.clone(), post));
                }
            }
        }
    }
    parsed
}

/// Upload the files posts name by relative paths (within `root`), and
/// point each post at their addresses: `![queue](img/q.png)` becomes
/// `![queue](/media/ID/q.png)`, and `feature_image: cover.jpg` the upload.
/// A file several posts name is uploaded once, and an import run again
/// reuses its earlier uploads. A file that is missing, outside the folder
/// or refused (its type, its size) is a warning naming the post's file and
/// line; the post is still imported, that reference as it was (a feature
/// image left out). In a dry run the files are only checked. The posts,
/// and how many files they name.
async fn bring_media(
    settings: &Settings,
    store: &Store,
    root: &Path,
    parsed: Vec<(PathBuf, ImportedPost)>,
    warnings: &mut Vec<String>,
    dry_run: bool,
) -> Result<(Vec<(PathBuf, ImportedPost)>, usize), CliError> {
    let mut files = Files { settings, store, root: root.canonicalize()?, media: None, found: HashMap::new(), dry_run };
    let mut ready = Vec::with_capacity(parsed.len());
    for (path, mut post) in parsed {
        let mut replacements = Vec::new();
        for file in local_files(post.draft.markdown.as_str()) {
            match files.bring(&path, &file.dest).await? {
                Ok(Some(address)) => replacements.push((file.at, address)),
                Ok(None) => {}
                Err(reason) => {
                    let line = body_line(&path, post.draft.markdown.as_str(), file.at.start);
                    warnings.push(format!("{}:{line}: {}: {reason}", path.display(), file.dest))
                }
            }
        }
        if !replacements.is_empty() {
            let markdown = replace_ranges(post.draft.markdown.as_str(), &replacements);
            post.draft.markdown = Markdown::parse(&markdown).map_err(|e| CliError::Invalid(e.to_string()))?;
        }
        if let Some((dest, alt)) = post.feature_image_file.take() {
            match files.bring(&path, &dest).await? {
                Ok(Some(address)) => {
                    // Any base will do: an upload's address is served under
                    // the API's address of the moment.
                    let base = settings.api_url.as_deref().unwrap_or("http://localhost").trim_end_matches('/');
                    let url = WebUrl::parse_field("feature_image", &format!("{base}{address}"))
                        .map_err(|e| CliError::Invalid(e.to_string()))?;
                    post.draft.feature_image = Some(FeatureImage::new(url, alt));
                }
                Ok(None) => {}
                Err(reason) => {
                    let line = front_matter_line(&path, &["feature_image:", "image:", "cover:"]);
                    warnings.push(format!("{}:{line}: feature image {dest}: {reason}", path.display()));
                }
            }
        }
        ready.push((path, post));
    }
    Ok((ready, files.found.len()))
}

/// The files an import brings in, each once.
struct Files<'a> {
    settings: &'a Settings,
    store: &'a Store,
    root: PathBuf,
    /// Opened at the first file a post names: most imports have none.
    media: Option<Media>,
    /// Each file's address (none yet in a dry run), by its real path.
    found: HashMap<PathBuf, Option<String>>,
    dry_run: bool,
}

impl Files<'_> {
    /// The address of the file `dest` names, relative to the post at
    /// `post`: uploaded (or found) once; the inner error is why not.
    async fn bring(&mut self, post: &Path, dest: &str) -> Result<Result<Option<String>, String>, CliError> {
        let relative = dest.split(['?', '#']).next().unwrap_or_default();
        let relative = percent_encoding::percent_decode_str(relative).decode_utf8_lossy();
        let found = match post.parent().unwrap_or(&self.root).join(&*relative).canonicalize() {
            Err(_) => return Ok(Err("not found".to_owned())),
            Ok(found) if !found.starts_with(&self.root) || !found.is_file() => {
                return Ok(Err("not a file inside the imported folder".to_owned()));
            }
            Ok(found) => found,
        };
        if let Some(address) = self.found.get(&found) {
            return Ok(Ok(address.clone()));
        }
        let media = match self.media {
            Some(ref media) => media,
            None => {
                let (settings, files) = (self.settings, open_media_store(self.settings).await?);
                self.media.insert(Media::new(files, settings.media_max_bytes, settings.media_max_pixels))
            }
        };
        let address = upload(media, self.store, &found, self.dry_run).await;
        if let Ok(address) = &address {
            self.found.insert(found, address.clone());
        }
        Ok(address)
    }
}

/// The line of the file at `path` that sets one of `keys` in its front
/// matter (1 when none can be found).
fn front_matter_line(path: &Path, keys: &[&str]) -> usize {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines().position(|line| keys.iter().any(|key| line.starts_with(key))).map_or(1, |at| at + 1)
}

/// The line of the file at `path` that byte `at` of its Markdown `body`
/// (as parsed, after the front matter) is on. Read again only for a
/// warning: most imports never need it.
fn body_line(path: &Path, body: &str, at: usize) -> usize {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let offset = if text.ends_with(body) { text.len() - body.len() } else { 0 };
    text.get(..offset + at).map_or(0, |before| before.matches('\n').count()) + 1
}

/// Keep one file as a media item (or find the one an earlier import
/// made); its address as the Markdown names it. In a dry run, nothing is
/// kept and a new file has no address yet.
async fn upload(media: &Media, store: &Store, file: &Path, dry_run: bool) -> Result<Option<String>, String> {
    let size = std::fs::metadata(file).map_err(|e| e.to_string())?.len();
    if size > media.max_bytes as u64 {
        return Err(format!("{size} bytes, over media_max_bytes ({})", media.max_bytes));
    }
    let bytes: std::sync::Arc<[u8]> = std::fs::read(file).map_err(|e| e.to_string())?.into();
    let filename = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let item = if dry_run {
        // Checked, not kept: the address an earlier import gave it, else
        // the path as written (its post counts as changed).
        match media.earlier_import(store, &bytes, &filename).await.map_err(|e| e.detail())? {
            Some(item) => item,
            None => return Ok(None),
        }
    } else {
        let upload = Upload { bytes, filename, alt: None, caption: None, uploaded_by: None, reuse_imported: true };
        media.ingest(store, upload).await.map_err(|e| e.detail())?
    };
    Ok(Some(original_url("", item.id, &item.filename)))
}

#[derive(Default)]
struct Tally {
    created: usize,
    updated: usize,
    unchanged: usize,
}

impl Tally {
    fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Created => self.created += 1,
            Outcome::Updated => self.updated += 1,
            Outcome::Unchanged => self.unchanged += 1,
        }
    }
}

pub async fn run(settings: &Settings, dir: &Path, dry_run: bool) -> Result<(), CliError> {
    let started = Instant::now();
    if !dir.is_dir() {
        return Err(CliError::Invalid(format!("{} is not a folder", dir.display())));
    }
    let mut files = Vec::new();
    markdown_files(dir, &mut files)?;
    files.sort();
    let mut skipped = Vec::new();
    let parsed = parse_all(&files, &mut skipped);
    let store = open_store(settings)?;
    store.migrate().await?;
    let mut warnings = Vec::new();
    let (parsed, media_files) = bring_media(settings, &store, dir, parsed, &mut warnings, dry_run).await?;
    let progress = Progress::new(parsed.len() as u64);
    let mut tally = Tally::default();
    let mut pending_authors = authors(dir)?;
    for chunk in parsed.chunks(BATCH) {
        let posts: Vec<ImportedPost> = chunk.iter().map(|(_, post)| post.clone()).collect();
        let outcome = store.content().import(std::mem::take(&mut pending_authors), posts, dry_run).await?;
        if let Some(Err(e)) = outcome.authors.into_iter().find(Result::is_err) {
            return Err(CliError::Invalid(format!("_authors.json: {e}")));
        }
        for ((path, _), result) in chunk.iter().zip(outcome.posts) {
            match result {
                Ok(outcome) => tally.add(outcome),
                Err(e) => skipped.push((path.clone(), e.to_string())),
            }
        }
        progress.advance(chunk.len() as u64);
    }
    progress.finish();
    for (path, reason) in &skipped {
        eprintln!("skipped {}: {reason}", path.display());
    }
    for warning in &warnings {
        eprintln!("warning: {warning} (imported without it)");
    }
    let rehearsal = if dry_run { " (dry run: nothing written)" } else { "" };
    println!(
        "created {}, updated {}, unchanged {}, skipped {} in {:.1} s{rehearsal}",
        tally.created,
        tally.updated,
        tally.unchanged,
        skipped.len(),
        started.elapsed().as_secs_f64()
    );
    if media_files > 0 {
        println!("with {media_files} media file(s) the posts name, each stored once");
    }
    match (skipped.len(), warnings.len()) {
        (0, 0) => Ok(()),
        (0, warned) => Err(CliError::Warned(warned)),
        (skipped, _) => Err(CliError::Skipped(skipped)),
    }
}

/// A bar on a terminal, a line per batch otherwise.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    total: u64,
    done: std::cell::Cell<u64>,
}

impl Progress {
    fn new(total: u64) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| indicatif::ProgressBar::new(total));
        Self { bar, total, done: std::cell::Cell::new(0) }
    }

    fn advance(&self, n: u64) {
        self.done.set(self.done.get() + n);
        match &self.bar {
            Some(bar) => bar.inc(n),
            None => eprintln!("imported {}/{}", self.done.get(), self.total),
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
