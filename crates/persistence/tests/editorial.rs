//! Revisions, the trash, the admin listing, sessions and tokens, on both backends.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use chrono::Duration;
use longform_domain::{
    Email, Markdown, Move, Name, NewUser, Password, PasswordHash, PostDraft, PostStatus, Role, Secret, Slug, Title,
    TokenScope,
};
use longform_persistence::Refresh;
use longform_persistence::{AdminFilter, ListingFilter, Missing, Store, StoreError, both_backends};

both_backends!(
    every_change_keeps_a_revision_and_any_can_be_restored,
    trashed_posts_vanish_from_public_reads_until_restored,
    the_admin_list_shows_every_status_and_pages_by_creation,
    refresh_tokens_rotate_and_reuse_revokes_the_family,
    disabled_users_and_revoked_sessions_are_inactive,
    api_tokens_are_found_by_hash_until_revoked,
    settings_keep_the_first_value,
);

fn draft(title: &str, body: &str) -> PostDraft {
    PostDraft::new(Title::parse(title).unwrap(), Markdown::parse(body).unwrap())
}

async fn user(store: &Store, email: &str) -> longform_domain::User {
    let hash = PasswordHash::create(&Password::parse("correct horse battery").unwrap()).unwrap();
    store
        .users()
        .create(NewUser {
            email: Email::parse(email).unwrap(),
            name: Name::parse("Ed").unwrap(),
            role: Role::Editor,
            password_hash: hash,
        })
        .await
        .unwrap()
}

async fn every_change_keeps_a_revision_and_any_can_be_restored(store: &Store) {
    let ed = user(store, "ed@example.com").await;
    let editorial = store.posts();
    let post = editorial.create(draft("First Title", "First body."), Missing::Create, Some(ed.id)).await.unwrap();
    assert_eq!(post.card.owner, Some(ed.id));
    let mut second = draft("Second Title", "Second body.");
    second.tags = vec![Slug::parse("go").unwrap()];
    editorial.update(post.card.id, second, Some(1), Missing::Create, Some(ed.id)).await.unwrap();
    editorial.apply_move(post.card.id, Move::Publish, Some(2), None).await.unwrap();
    let revisions = editorial.revisions(post.card.id).await.unwrap();
    let numbers: Vec<u32> = revisions.iter().map(|r| r.number).collect();
    assert_eq!(numbers, [3, 2, 1], "newest first");
    assert_eq!(revisions[2].markdown, "First body.");
    assert_eq!(revisions[2].user_id, Some(ed.id));
    assert_eq!(revisions[1].metadata.tags, [Slug::parse("go").unwrap()]);
    assert_eq!(revisions[0].metadata.status, "published");

    let restored = editorial.restore_revision(post.card.id, 1, Some(3), Missing::Create, Some(ed.id)).await.unwrap();
    assert_eq!(restored.card.title.as_str(), "First Title");
    assert_eq!(restored.body.markdown, "First body.");
    assert!(restored.card.tags.is_empty());
    assert_eq!(restored.card.status, PostStatus::Published, "restoring text never unpublishes");
    assert_eq!(editorial.revisions(post.card.id).await.unwrap().len(), 4);
    let stale = editorial.restore_revision(post.card.id, 2, Some(3), Missing::Create, None).await;
    assert!(matches!(stale, Err(StoreError::VersionMismatch { expected: 3, current: 4 })), "{stale:?}");
    let missing = editorial.restore_revision(post.card.id, 99, None, Missing::Create, None).await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
}

async fn trashed_posts_vanish_from_public_reads_until_restored(store: &Store) {
    let editorial = store.posts();
    let post = editorial.create(draft("Doomed", "Body."), Missing::Create, None).await.unwrap();
    editorial.apply_move(post.card.id, Move::Publish, None, None).await.unwrap();
    let slug = post.card.slug.clone();
    let stale = editorial.trash(post.card.id, Some(1), None).await;
    assert!(matches!(stale, Err(StoreError::VersionMismatch { .. })), "{stale:?}");
    editorial.trash(post.card.id, Some(2), None).await.unwrap();
    assert!(store.posts().find_by_slug(slug.clone()).await.unwrap().is_none());
    assert!(store.posts().list_published(ListingFilter::default(), None, 10).await.unwrap().cards.is_empty());
    let trash = editorial.list_admin(AdminFilter { trashed: true, ..Default::default() }, None, 10).await.unwrap().0;
    assert_eq!(trash.len(), 1);
    assert!(editorial.list_admin(AdminFilter::default(), None, 10).await.unwrap().0.is_empty());

    let back = editorial.restore(post.card.id, None).await.unwrap();
    assert_eq!(back.card.deleted_at, None);
    assert_eq!(store.posts().find_by_slug(slug).await.unwrap().unwrap().card.id, post.card.id);
    assert_eq!(store.posts().list_published(ListingFilter::default(), None, 10).await.unwrap().cards.len(), 1);
    assert!(
        matches!(editorial.purge(post.card.id, None).await, Err(StoreError::NotFound)),
        "only trashed posts are purged"
    );
    editorial.trash(post.card.id, None, None).await.unwrap();
    editorial.purge(post.card.id, None).await.unwrap();
    assert!(matches!(editorial.get(post.card.id).await, Err(StoreError::NotFound)));
}

async fn the_admin_list_shows_every_status_and_pages_by_creation(store: &Store) {
    let editorial = store.posts();
    let mut ids = Vec::new();
    for i in 0..7 {
        let post = editorial.create(draft(&format!("P{i}"), "Body."), Missing::Create, None).await.unwrap();
        if i % 2 == 0 {
            editorial.apply_move(post.card.id, Move::Publish, None, None).await.unwrap();
        }
        ids.push(post.card.id);
    }
    ids.reverse();
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let (page, next) = editorial.list_admin(AdminFilter::default(), after, 3).await.unwrap();
        seen.extend(page.iter().map(|c| c.id));
        match next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    assert_eq!(seen, ids);
    let drafts = editorial
        .list_admin(AdminFilter { status: Some(PostStatus::Draft), ..Default::default() }, None, 100)
        .await
        .unwrap()
        .0;
    assert_eq!(drafts.len(), 3);
    assert!(drafts.iter().all(|c| c.status == PostStatus::Draft));
}

async fn refresh_tokens_rotate_and_reuse_revokes_the_family(store: &Store) {
    let ed = user(store, "ed@example.com").await;
    let auth = store.auth();
    let first = Secret::generate("r_");
    let session = auth.create_session(ed.id, first.hash(), Duration::days(30)).await.unwrap();
    assert!(auth.active_session(session).await.unwrap().is_some());
    let second = Secret::generate("r_");
    match auth.rotate_refresh(first.hash(), second.hash()).await.unwrap() {
        Refresh::Rotated { session_id, user } => assert_eq!((session_id, user.id), (session, ed.id)),
        other => panic!("expected a rotation, got {other:?}"),
    }
    // The spent token comes back: someone copied it. The whole family dies.
    let third = Secret::generate("r_");
    assert!(matches!(auth.rotate_refresh(first.hash(), third.hash()).await.unwrap(), Refresh::Reused));
    assert!(auth.active_session(session).await.unwrap().is_none());
    assert!(matches!(auth.rotate_refresh(second.hash(), third.hash()).await.unwrap(), Refresh::Invalid));
    assert!(matches!(auth.rotate_refresh("unknown".into(), third.hash()).await.unwrap(), Refresh::Invalid));
}

async fn disabled_users_and_revoked_sessions_are_inactive(store: &Store) {
    let ed = user(store, "ed@example.com").await;
    let auth = store.auth();
    let a = auth.create_session(ed.id, Secret::generate("r_").hash(), Duration::days(1)).await.unwrap();
    let b = auth.create_session(ed.id, Secret::generate("r_").hash(), Duration::days(1)).await.unwrap();
    let expired = auth.create_session(ed.id, Secret::generate("r_").hash(), Duration::seconds(-1)).await.unwrap();
    assert!(auth.active_session(expired).await.unwrap().is_none());
    auth.revoke_session(a).await.unwrap();
    assert!(auth.active_session(a).await.unwrap().is_none());
    assert!(auth.active_session(b).await.unwrap().is_some());
    auth.revoke_user_sessions(ed.id).await.unwrap();
    assert!(auth.active_session(b).await.unwrap().is_none());
}

async fn api_tokens_are_found_by_hash_until_revoked(store: &Store) {
    let secret = Secret::generate("lf_");
    let auth = store.auth();
    let token = auth.create_api_token("ci".into(), TokenScope::WriteContent, secret.hash(), None).await.unwrap();
    assert_eq!(token.last_used_at, None);
    let used = auth.use_api_token(secret.hash()).await.unwrap().unwrap();
    assert_eq!((used.id, used.scope), (token.id, TokenScope::WriteContent));
    assert!(used.last_used_at.is_some(), "last use is recorded");
    assert!(auth.use_api_token(Secret::generate("lf_").hash()).await.unwrap().is_none());
    let stale = auth.revoke_api_token(token.id, 2).await;
    assert!(matches!(stale, Err(StoreError::VersionMismatch { expected: 2, current: 1 })), "{stale:?}");
    let revoked = auth.revoke_api_token(token.id, token.version).await.unwrap();
    assert!(revoked.revoked_at.is_some());
    assert_eq!(revoked.version, 2, "a revocation is a change");
    let late = auth.revoke_api_token(token.id, 1).await;
    assert!(matches!(late, Err(StoreError::VersionMismatch { expected: 1, current: 2 })), "{late:?}");
    assert!(auth.use_api_token(secret.hash()).await.unwrap().is_none());
    assert_eq!(auth.list_api_tokens().await.unwrap().len(), 1);
}

async fn settings_keep_the_first_value(store: &Store) {
    let auth = store.auth();
    assert_eq!(auth.setting_or_insert("jwt_secret", "first".into()).await.unwrap(), "first");
    assert_eq!(auth.setting_or_insert("jwt_secret", "second".into()).await.unwrap(), "first");
}
