//! `longform media gc` and `longform media verify`: the media store kept
//! in step with the database.

use crate::config::Settings;
use crate::error::CliError;
use crate::runtime::open_store;
use crate::serve::open_media_store;

pub async fn gc(settings: &Settings, dry_run: bool) -> Result<(), CliError> {
    let store = open_store(settings)?;
    let files = open_media_store(settings)?;
    let garbage = store.media().collect_garbage(&files, dry_run).await?;
    let verb = if dry_run { "would remove" } else { "removed" };
    let bytes: u64 = garbage.blobs.iter().map(|(_, bytes)| bytes).sum();
    for (sha, size) in &garbage.blobs {
        println!("{verb} {sha} ({size} bytes, and its renditions): no media item uses it");
    }
    for path in &garbage.stray {
        println!("{verb} {path}: under no stored blob's name");
    }
    println!(
        "{verb} {} unused blob(s) of {bytes} bytes and {} stray file(s) from {}",
        garbage.blobs.len(),
        garbage.stray.len(),
        files.root().display()
    );
    Ok(())
}

pub async fn verify(settings: &Settings) -> Result<(), CliError> {
    let store = open_store(settings)?;
    let files = open_media_store(settings)?;
    let problems = store.media().verify(&files).await?;
    for problem in &problems {
        println!("{problem}");
    }
    if problems.is_empty() {
        println!("every stored blob and rendition in {} matches the database", files.root().display());
        Ok(())
    } else {
        Err(CliError::Invalid(format!("{} stored file(s) do not match the database (above)", problems.len())))
    }
}
