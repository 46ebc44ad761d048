//! Writing accounts, sign-in sessions with rotating refresh tokens,
//! integration tokens and settings. Tokens arrive already hashed.

use chrono::Duration;
use diesel::prelude::*;
use longform_domain::{NewUser, PasswordHash, Role, TokenScope, User, UserId};
use uuid::Uuid;

use super::check_version;
use crate::db::AnyConnection;
use crate::error::StoreError;
use crate::locks;
use crate::model::{ApiToken, Refresh, UserChanges};
use crate::read;
use crate::rows::users::{NewTokenRow, UserChangeset, UserRow};
use crate::schema::{api_tokens, refresh_tokens, sessions, settings, users};
use crate::time::{now, to_db};

/// Insert a user; a taken email is a conflict on `email`.
pub(crate) fn create_user(conn: &mut AnyConnection, new: &NewUser) -> Result<User, StoreError> {
    let row = UserRow::new(new, now());
    diesel::insert_into(users::table).values(&row).execute(conn)?;
    row.try_into()
}

/// Change an account as of version `expected` (else `VersionMismatch`);
/// disabling it also ends its sessions. Demoting or disabling the last
/// active admin is refused on `role`.
pub(crate) fn update_user(
    conn: &mut AnyConnection,
    id: UserId,
    expected: i64,
    changes: &UserChanges,
) -> Result<User, StoreError> {
    let mut user = locked_user(conn, id, expected)?;
    let was_admin = user.is_active_admin();
    if let Some(name) = &changes.name {
        user.name = name.clone();
    }
    if let Some(role) = changes.role {
        user.role = role;
    }
    if let Some(disabled) = changes.disabled {
        user.disabled = disabled;
    }
    if was_admin && !user.is_active_admin() {
        keep_an_admin(conn, id)?;
    }
    user.updated_at = now();
    user.version = expected + 1;
    let changed = diesel::update(users::table.find(id).filter(users::version.eq(expected)))
        .set(&UserChangeset::of(&user))
        .execute(conn)?;
    if changed == 0 {
        return Err(StoreError::VersionMismatch { expected, current: read::accounts::user(conn, id)?.version });
    }
    if changes.disabled == Some(true) {
        revoke_user_sessions(conn, id)?;
    }
    Ok(user)
}

/// Delete an account as of version `expected`; deleting the last active
/// admin is refused on `role`.
pub(crate) fn delete_user(conn: &mut AnyConnection, id: UserId, expected: i64) -> Result<(), StoreError> {
    let user = locked_user(conn, id, expected)?;
    if user.is_active_admin() {
        keep_an_admin(conn, id)?;
    }
    let deleted = diesel::delete(users::table.find(id).filter(users::version.eq(expected))).execute(conn)?;
    if deleted == 0 {
        return Err(StoreError::VersionMismatch { expected, current: read::accounts::user(conn, id)?.version });
    }
    Ok(())
}

/// The account `id`, read after the writers before this one committed
/// (they take turns: [`locks::ACCOUNTS`]), if it is at version `expected`.
fn locked_user(conn: &mut AnyConnection, id: UserId, expected: i64) -> Result<User, StoreError> {
    locks::transaction_lock(conn, locks::ACCOUNTS)?;
    let user = read::accounts::user(conn, id)?;
    check_version(user.version, Some(expected))?;
    Ok(user)
}

/// Refuse, on `role`, a change that leaves no active admin but `id`. Two
/// admins demoting each other at once each see the other's change: the
/// second is refused.
fn keep_an_admin(conn: &mut AnyConnection, id: UserId) -> Result<(), StoreError> {
    let others: i64 = users::table
        .filter(users::role.eq(Role::Admin.as_str()))
        .filter(users::disabled.eq(false))
        .filter(users::id.ne(id))
        .count()
        .get_result(conn)?;
    if others == 0 {
        return Err(StoreError::Refused { field: "role", reason: "the site must keep at least one active admin" });
    }
    Ok(())
}

/// Set a password; the account moves to its next version.
pub(crate) fn set_password(conn: &mut AnyConnection, id: UserId, hash: &PasswordHash) -> Result<(), StoreError> {
    let changed = diesel::update(users::table.find(id))
        .set((
            users::password_hash.eq(hash.as_str()),
            users::updated_at.eq(to_db(now())),
            users::version.eq(users::version + 1),
        ))
        .execute(conn)?;
    if changed == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

pub(crate) fn create_session(
    conn: &mut AnyConnection,
    user: UserId,
    refresh_hash: &str,
    ttl: Duration,
) -> Result<Uuid, StoreError> {
    let id = Uuid::now_v7();
    let at = now();
    diesel::insert_into(sessions::table)
        .values((
            sessions::id.eq(id.to_string()),
            sessions::user_id.eq(user),
            sessions::created_at.eq(to_db(at)),
            sessions::expires_at.eq(to_db(at + ttl)),
        ))
        .execute(conn)?;
    insert_refresh(conn, id, refresh_hash)?;
    Ok(id)
}

fn insert_refresh(conn: &mut AnyConnection, session: Uuid, hash: &str) -> Result<(), StoreError> {
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::token_hash.eq(hash),
            refresh_tokens::session_id.eq(session.to_string()),
            refresh_tokens::created_at.eq(to_db(now())),
        ))
        .execute(conn)?;
    Ok(())
}

/// Spend the refresh token `hash` for `new_hash`. Reusing a spent token
/// revokes its session (the family), per the OAuth 2.0 security BCP.
pub(crate) fn rotate_refresh(conn: &mut AnyConnection, hash: &str, new_hash: &str) -> Result<Refresh, StoreError> {
    let Some((session_id, used_at)) = read::accounts::refresh_token(conn, hash)? else { return Ok(Refresh::Invalid) };
    if used_at.is_some() {
        revoke_session(conn, session_id)?;
        return Ok(Refresh::Reused);
    }
    let Some(active) = read::accounts::active_session(conn, session_id)? else { return Ok(Refresh::Invalid) };
    diesel::update(refresh_tokens::table.find(hash)).set(refresh_tokens::used_at.eq(to_db(now()))).execute(conn)?;
    insert_refresh(conn, session_id, new_hash)?;
    Ok(Refresh::Rotated { session_id, user: active.user })
}

pub(crate) fn revoke_session(conn: &mut AnyConnection, session_id: Uuid) -> Result<(), StoreError> {
    diesel::update(sessions::table.find(session_id.to_string()).filter(sessions::revoked_at.is_null()))
        .set(sessions::revoked_at.eq(to_db(now())))
        .execute(conn)?;
    Ok(())
}

/// End the session a refresh token belongs to, spent or not (signing out
/// with the cookie alone). An unknown token ends nothing.
pub(crate) fn revoke_by_refresh(conn: &mut AnyConnection, hash: &str) -> Result<(), StoreError> {
    match read::accounts::refresh_token(conn, hash)? {
        Some((session_id, _)) => revoke_session(conn, session_id),
        None => Ok(()),
    }
}

/// End every session of a user (password change, disabling).
pub(crate) fn revoke_user_sessions(conn: &mut AnyConnection, user: UserId) -> Result<(), StoreError> {
    diesel::update(sessions::table.filter(sessions::user_id.eq(user)).filter(sessions::revoked_at.is_null()))
        .set(sessions::revoked_at.eq(to_db(now())))
        .execute(conn)?;
    Ok(())
}

pub(crate) fn create_api_token(
    conn: &mut AnyConnection,
    name: &str,
    scope: TokenScope,
    hash: &str,
    created_by: Option<UserId>,
) -> Result<ApiToken, StoreError> {
    let id = Uuid::now_v7();
    let row = NewTokenRow {
        id: id.to_string(),
        name,
        token_hash: hash,
        scope: scope.as_str(),
        created_by,
        created_at: to_db(now()),
    };
    diesel::insert_into(api_tokens::table).values(&row).execute(conn)?;
    read::accounts::api_token(conn, id)
}

/// Revoke a token still at version `expected`, as its next version. The
/// version is checked by the write itself, so of two racing writers one
/// loses with `VersionMismatch`.
pub(crate) fn revoke_api_token(conn: &mut AnyConnection, id: Uuid, expected: i64) -> Result<ApiToken, StoreError> {
    let live = api_tokens::table
        .find(id.to_string())
        .filter(api_tokens::revoked_at.is_null())
        .filter(api_tokens::version.eq(expected));
    let revoked = diesel::update(live)
        .set((api_tokens::revoked_at.eq(to_db(now())), api_tokens::version.eq(expected + 1)))
        .execute(conn)?;
    let token = read::accounts::api_token(conn, id)?;
    let already_revoked = token.version == expected && token.revoked_at.is_some();
    if revoked == 0 && !already_revoked {
        return Err(StoreError::VersionMismatch { expected, current: token.version });
    }
    Ok(token)
}

pub(crate) fn touch_api_token(
    conn: &mut AnyConnection,
    id: Uuid,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<(), StoreError> {
    diesel::update(api_tokens::table.find(id.to_string())).set(api_tokens::last_used_at.eq(to_db(at))).execute(conn)?;
    Ok(())
}

/// The stored value of `key`, storing `value` first if there is none: the
/// first of several starting replicas wins, the others read its value.
pub(crate) fn setting_or_insert(conn: &mut AnyConnection, key: &str, value: &str) -> Result<String, StoreError> {
    if let Some(existing) = read::accounts::setting(conn, key)? {
        return Ok(existing);
    }
    let inserted = conn.transaction(|c| {
        diesel::insert_into(settings::table)
            .values((settings::key.eq(key), settings::value.eq(value), settings::updated_at.eq(to_db(now()))))
            .execute(c)
            .map_err(StoreError::from)
    });
    match inserted {
        Ok(_) | Err(StoreError::Conflict { .. }) => read::accounts::setting(conn, key)?.ok_or(StoreError::NotFound),
        Err(other) => Err(other),
    }
}
