//! Accounts on both backends: every change names the version it was made
//! against, and no change leaves the site without an active admin.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use longform_domain::{Email, Name, NewUser, Password, PasswordHash, Role, User};
use longform_persistence::{Store, StoreError, UserChanges, both_backends};

both_backends!(the_last_active_admin_stays, versions_move_with_every_change);

async fn new_user(store: &Store, email: &str, role: Role) -> User {
    let hash = PasswordHash::create(&Password::parse("correct horse battery").unwrap()).unwrap();
    let new =
        NewUser { email: Email::parse(email).unwrap(), name: Name::parse("Jo").unwrap(), role, password_hash: hash };
    store.users().create(new).await.unwrap()
}

fn demote() -> UserChanges {
    UserChanges { role: Some(Role::Editor), ..Default::default() }
}

fn disable() -> UserChanges {
    UserChanges { disabled: Some(true), ..Default::default() }
}

#[track_caller]
fn assert_refused<T: std::fmt::Debug>(result: Result<T, StoreError>) {
    assert!(matches!(result, Err(StoreError::Refused { field: "role", .. })), "{result:?}");
}

async fn the_last_active_admin_stays(store: &Store) {
    let root = new_user(store, "root@example.com", Role::Admin).await;
    let other = new_user(store, "other@example.com", Role::Admin).await;
    new_user(store, "ed@example.com", Role::Editor).await;
    // A disabled admin is no admin anyone can sign in as.
    store.users().update(other.id, 1, disable()).await.unwrap();
    assert_refused(store.users().update(root.id, 1, demote()).await);
    assert_refused(store.users().update(root.id, 1, disable()).await);
    assert_refused(store.users().delete(root.id, 1).await);
    let root_now = store.users().get(root.id).await.unwrap();
    assert!(root_now.is_active_admin() && root_now.version == 1, "nothing written: {root_now:?}");
    // A change that keeps the role goes through.
    let renamed = UserChanges { name: Some(Name::parse("Root").unwrap()), ..Default::default() };
    assert_eq!(store.users().update(root.id, 1, renamed).await.unwrap().version, 2);
    // With another active admin, the first may go.
    store.users().update(other.id, 2, UserChanges { disabled: Some(false), ..Default::default() }).await.unwrap();
    store.users().update(root.id, 2, demote()).await.unwrap();
    assert_refused(store.users().delete(other.id, 3).await);
}

async fn versions_move_with_every_change(store: &Store) {
    new_user(store, "root@example.com", Role::Admin).await;
    let ed = new_user(store, "ed@example.com", Role::Editor).await;
    assert_eq!(ed.version, 1);
    let promote = UserChanges { role: Some(Role::Admin), ..Default::default() };
    assert_eq!(store.users().update(ed.id, 1, promote).await.unwrap().version, 2);
    let stale = store.users().update(ed.id, 1, demote()).await;
    assert!(matches!(stale, Err(StoreError::VersionMismatch { expected: 1, current: 2 })), "{stale:?}");
    let hash = PasswordHash::create(&Password::parse("another long password").unwrap()).unwrap();
    store.users().set_password(ed.id, hash).await.unwrap();
    let after = store.users().get(ed.id).await.unwrap();
    assert_eq!((after.version, after.role), (3, Role::Admin), "the stale change wrote nothing");
    let stale = store.users().delete(ed.id, 2).await;
    assert!(matches!(stale, Err(StoreError::VersionMismatch { expected: 2, current: 3 })), "{stale:?}");
    store.users().delete(ed.id, 3).await.unwrap();
    assert!(matches!(store.users().get(ed.id).await, Err(StoreError::NotFound)));
    assert!(matches!(store.users().delete(ed.id, 3).await, Err(StoreError::NotFound)));
}
