//! `longform media gc` and `longform media verify`: the media store kept
//! in step with the database.

use longform_persistence::DatabaseUrl;
use longform_persistence::media_store::{MediaLocation, MediaStore};
use secrecy::ExposeSecret;

use crate::config::Settings;
use crate::error::CliError;
use crate::runtime::open_store;

/// Where uploads are kept: `media_store` (a directory or a bucket); else
/// `media/` beside the SQLite file; else (PostgreSQL) `data/media`. A
/// bucket must answer now, so that a wrong endpoint, bucket or key stops
/// `serve` at once rather than failing the first upload.
pub async fn open_media_store(settings: &Settings) -> Result<MediaStore, CliError> {
    let store = match (&settings.media_store, &settings.s3_credentials) {
        (Some(MediaLocation::S3(location)), Some(credentials)) => MediaStore::s3(location, credentials.clone())
            .map_err(|e| CliError::Invalid(format!("media_store {location}: {e}")))?,
        // Settings::load refuses a bucket without credentials.
        (Some(MediaLocation::S3(location)), None) => {
            return Err(CliError::Invalid(format!(
                "media_store {location}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
            )));
        }
        (Some(MediaLocation::Directory(dir)), _) => local(dir.clone())?,
        (None, _) => match DatabaseUrl::parse(settings.database_url.expose_secret()) {
            Ok(DatabaseUrl::Sqlite(path)) => local(MediaStore::beside(&path))?,
            _ => local("data/media".into())?,
        },
    };
    store.check().await.map_err(|e| match e {
        // Its text names the store already.
        longform_persistence::StoreError::Unavailable(reason) => CliError::Invalid(reason),
        other => CliError::Invalid(format!("media store {}: {other}", store.describe())),
    })?;
    Ok(store)
}

fn local(dir: std::path::PathBuf) -> Result<MediaStore, CliError> {
    MediaStore::local(&dir).map_err(|e| CliError::Invalid(format!("media_store {}: {e}", dir.display())))
}

pub async fn gc(settings: &Settings, dry_run: bool) -> Result<(), CliError> {
    let store = open_store(settings)?;
    let files = open_media_store(settings).await?;
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
        files.describe()
    );
    Ok(())
}

pub async fn verify(settings: &Settings) -> Result<(), CliError> {
    let store = open_store(settings)?;
    let files = open_media_store(settings).await?;
    let problems = store.media().verify(&files).await?;
    for problem in &problems {
        println!("{problem}");
    }
    if problems.is_empty() {
        println!("every stored blob and rendition in {} matches the database", files.describe());
        Ok(())
    } else {
        Err(CliError::Invalid(format!("{} stored file(s) do not match the database (above)", problems.len())))
    }
}
