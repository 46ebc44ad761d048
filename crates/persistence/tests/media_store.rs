//! The S3 media store against a real S3-compatible server (SeaweedFS, see
//! `testing::s3`): what the local directory does, the bucket does too, and
//! a wrong key or bucket fails at once, saying so without the secret.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use longform_domain::media::RenditionFormat;
use longform_persistence::StoreError;
use longform_persistence::media_store::{BlobKey, MediaLocation, MediaStore, S3Credentials};
use longform_persistence::testing::s3::{ACCESS_KEY_ID, SECRET_ACCESS_KEY, TestBucket, s3_bucket};

const SHA: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

fn store_at(url: &str, credentials: S3Credentials) -> MediaStore {
    let MediaLocation::S3(location) = MediaLocation::parse(url).unwrap() else { panic!("{url} is no bucket") };
    MediaStore::s3(&location, credentials).unwrap()
}

#[tokio::test]
async fn objects_are_stored_whole_under_their_key_and_read_in_ranges() {
    let Some(bucket) = s3_bucket() else { return };
    let store = bucket.store();
    store.check().await.unwrap();
    assert!(store.describe().contains(bucket.name()) && store.describe().contains(bucket.endpoint()));
    assert!(!store.describe().contains(SECRET_ACCESS_KEY));

    let key = BlobKey::original(SHA).unwrap();
    let bytes: Vec<u8> = (0..=255u8).cycle().take(300_000).collect();
    store.put(key.clone(), bytes.clone().into()).await.unwrap();
    assert_eq!(store.read(&key, 0, 5).await.unwrap(), bytes[..5]);
    assert_eq!(store.read(&key, 262_150, 1000).await.unwrap(), bytes[262_150..263_150]);
    assert_eq!(store.read(&key, 299_990, 100).await.unwrap(), bytes[299_990..], "fewer at the end");
    assert_eq!(store.read(&key, 7, 0).await.unwrap(), b"");
    assert!(store.exists(&key).await.unwrap());
    assert_eq!(store.len(&key).await.unwrap(), Some(300_000));
    assert_eq!(store.hash(&key).await.unwrap(), format!("{:x}", <sha2::Sha256 as sha2::Digest>::digest(&bytes)));

    let rendition = BlobKey::rendition(SHA, 960, RenditionFormat::Webp).unwrap();
    assert!(matches!(store.read(&rendition, 0, 1).await, Err(StoreError::NotFound)));
    assert!(matches!(store.hash(&rendition).await, Err(StoreError::NotFound)));
    assert_eq!(store.len(&rendition).await.unwrap(), None);
    store.put(rendition.clone(), b"webp".to_vec().into()).await.unwrap();
    let mut listed: Vec<(String, u64)> =
        store.list().await.unwrap().into_iter().map(|file| (file.key.path(), file.len)).collect();
    listed.sort();
    assert_eq!(listed, [(key.path(), 300_000), (rendition.path(), 4)]);
    assert!(store.list().await.unwrap().iter().all(|file| file.age.as_secs() < 600), "ages from the server's clock");
    assert_eq!(store.sweep_temporary(std::time::Duration::ZERO, false).await.unwrap(), Vec::<String>::new());

    store.delete(&key).await.unwrap();
    store.delete(&key).await.unwrap();
    assert!(!store.exists(&key).await.unwrap(), "deleted, and deleting again is no error");
    assert_eq!(store.list().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_prefix_keeps_its_keys_apart_in_a_shared_bucket() {
    let Some(bucket) = s3_bucket() else { return };
    let whole = bucket.store();
    let blog = store_at(&format!("{}&prefix=/blog/media/", bucket.url()), TestBucket::credentials());
    blog.check().await.unwrap();
    let key = BlobKey::original(SHA).unwrap();
    blog.put(key.clone(), b"in the blog".to_vec().into()).await.unwrap();
    assert_eq!(blog.read(&key, 0, 100).await.unwrap(), b"in the blog");
    assert!(!whole.exists(&key).await.unwrap(), "under the prefix, not at the top");
    assert_eq!(whole.list().await.unwrap().len(), 0);
    assert_eq!(blog.list().await.unwrap()[0].key, key);
    assert!(blog.describe().starts_with(&format!("s3://{}/blog/media at ", bucket.name())), "{}", blog.describe());
}

#[tokio::test]
async fn a_wrong_key_bucket_or_endpoint_fails_the_check_clearly_and_keeps_the_secret() {
    let Some(bucket) = s3_bucket() else { return };
    let wrong_secret = "wrong/secret+kept-out-of-errors";
    let wrong = store_at(
        &bucket.url(),
        S3Credentials::new(ACCESS_KEY_ID.to_owned(), wrong_secret.to_owned(), Some("session-token-xyz".to_owned())),
    );
    let error = wrong.check().await.unwrap_err().to_string();
    assert!(error.contains("403") && error.contains(bucket.name()), "{error}");
    assert!(!error.contains(wrong_secret) && !error.contains("session-token-xyz"), "{error}");
    assert!(!error.contains('\n'), "one line: {error}");
    let put = wrong.put(BlobKey::original(SHA).unwrap(), b"x".to_vec().into()).await.unwrap_err().to_string();
    assert!(put.contains("403") && !put.contains(wrong_secret), "{put}");

    let missing = store_at(&bucket.url().replacen(bucket.name(), "no-such-bucket", 1), TestBucket::credentials());
    let error = missing.check().await.unwrap_err().to_string();
    assert!(error.contains("NoSuchBucket") && error.contains("s3://no-such-bucket"), "{error}");

    // Nothing listens on a port we just held: refused at once, after a few quick retries.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let nowhere = store_at(&format!("s3://media?endpoint=http://127.0.0.1:{closed}"), TestBucket::credentials());
    let started = std::time::Instant::now();
    let error = nowhere.check().await.unwrap_err().to_string();
    assert!(error.contains(&format!("127.0.0.1:{closed}")), "{error}");
    assert!(started.elapsed() < std::time::Duration::from_secs(20), "{:?}", started.elapsed());
}
