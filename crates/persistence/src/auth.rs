//! Sign-in sessions, rotating refresh tokens, integration tokens and
//! settings. Tokens arrive here already hashed: this module never sees a
//! secret a client could replay.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use longform_domain::{TokenScope, User, UserId};
use uuid::Uuid;

use crate::db::AnyConnection;
use crate::error::StoreError;
use crate::rows::{parse_id, parse_value};
use crate::schema::{api_tokens, refresh_tokens, sessions, settings, users};
use crate::store::{Store, from_db, now, to_db};

/// What a presented refresh token turned out to be.
#[derive(Debug)]
pub enum Refresh {
    /// Valid: it is now spent, and `new_hash` replaces it in the same session.
    Rotated { session_id: Uuid, user: User },
    /// Already spent: someone replayed it, so the whole session is revoked.
    Reused,
    /// Unknown, expired or revoked.
    Invalid,
}

/// A session and its user, as an authenticated request needs them.
#[derive(Debug)]
pub struct ActiveSession {
    pub session_id: Uuid,
    pub user: User,
}

pub fn create_session(
    conn: &mut AnyConnection,
    user_id: UserId,
    refresh_hash: &str,
    ttl: Duration,
) -> Result<Uuid, StoreError> {
    let id = Uuid::now_v7();
    let at = now();
    diesel::insert_into(sessions::table)
        .values((
            sessions::id.eq(id.to_string()),
            sessions::user_id.eq(user_id.to_string()),
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
pub fn rotate_refresh(conn: &mut AnyConnection, hash: &str, new_hash: &str) -> Result<Refresh, StoreError> {
    let found: Option<(String, Option<NaiveDateTime>)> = refresh_tokens::table
        .find(hash)
        .select((refresh_tokens::session_id, refresh_tokens::used_at))
        .first(conn)
        .optional()?;
    let Some((session, used_at)) = found else { return Ok(Refresh::Invalid) };
    let session_id: Uuid = parse_id(&session)?;
    if used_at.is_some() {
        revoke_session(conn, session_id)?;
        return Ok(Refresh::Reused);
    }
    let Some(active) = active_session(conn, session_id)? else { return Ok(Refresh::Invalid) };
    diesel::update(refresh_tokens::table.find(hash)).set(refresh_tokens::used_at.eq(to_db(now()))).execute(conn)?;
    insert_refresh(conn, session_id, new_hash)?;
    Ok(Refresh::Rotated { session_id, user: active.user })
}

/// The session if it is neither revoked nor expired and its user is enabled.
pub fn active_session(conn: &mut AnyConnection, session_id: Uuid) -> Result<Option<ActiveSession>, StoreError> {
    let row: Option<(NaiveDateTime, Option<NaiveDateTime>, crate::users::UserRow)> = sessions::table
        .inner_join(users::table)
        .filter(sessions::id.eq(session_id.to_string()))
        .select((sessions::expires_at, sessions::revoked_at, crate::users::UserRow::as_select()))
        .first(conn)
        .optional()?;
    let Some((expires_at, revoked_at, user)) = row else { return Ok(None) };
    let user = User::try_from(user)?;
    let live = revoked_at.is_none() && from_db(expires_at) > now() && !user.disabled;
    Ok(live.then_some(ActiveSession { session_id, user }))
}

pub fn revoke_session(conn: &mut AnyConnection, session_id: Uuid) -> Result<(), StoreError> {
    diesel::update(sessions::table.find(session_id.to_string()).filter(sessions::revoked_at.is_null()))
        .set(sessions::revoked_at.eq(to_db(now())))
        .execute(conn)?;
    Ok(())
}

/// End every session of a user (password change, disabling).
pub fn revoke_user_sessions(conn: &mut AnyConnection, user_id: UserId) -> Result<(), StoreError> {
    diesel::update(
        sessions::table.filter(sessions::user_id.eq(user_id.to_string())).filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(to_db(now())))
    .execute(conn)?;
    Ok(())
}

/// An integration token as admins see it (never its secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: Uuid,
    pub name: String,
    pub scope: TokenScope,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

type TokenRow = (String, String, String, NaiveDateTime, Option<NaiveDateTime>, Option<NaiveDateTime>);
const TOKEN_COLUMNS: (
    api_tokens::id,
    api_tokens::name,
    api_tokens::scope,
    api_tokens::created_at,
    api_tokens::last_used_at,
    api_tokens::revoked_at,
) = (
    api_tokens::id,
    api_tokens::name,
    api_tokens::scope,
    api_tokens::created_at,
    api_tokens::last_used_at,
    api_tokens::revoked_at,
);

fn token_from_row(row: TokenRow) -> Result<ApiToken, StoreError> {
    Ok(ApiToken {
        id: parse_id(&row.0)?,
        name: row.1,
        scope: parse_value(row.2.parse::<TokenScope>())?,
        created_at: from_db(row.3),
        last_used_at: row.4.map(from_db),
        revoked_at: row.5.map(from_db),
    })
}

pub fn create_api_token(
    conn: &mut AnyConnection,
    name: &str,
    scope: TokenScope,
    hash: &str,
    created_by: Option<UserId>,
) -> Result<ApiToken, StoreError> {
    let id = Uuid::now_v7();
    diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::id.eq(id.to_string()),
            api_tokens::name.eq(name),
            api_tokens::token_hash.eq(hash),
            api_tokens::scope.eq(scope.as_str()),
            api_tokens::created_by.eq(created_by.map(|u| u.to_string())),
            api_tokens::created_at.eq(to_db(now())),
        ))
        .execute(conn)?;
    token_from_row(api_tokens::table.find(id.to_string()).select(TOKEN_COLUMNS).first(conn)?)
}

/// The live (unrevoked) token with this hash.
pub fn find_api_token(conn: &mut AnyConnection, hash: &str) -> Result<Option<ApiToken>, StoreError> {
    api_tokens::table
        .filter(api_tokens::token_hash.eq(hash))
        .filter(api_tokens::revoked_at.is_null())
        .select(TOKEN_COLUMNS)
        .first(conn)
        .optional()?
        .map(token_from_row)
        .transpose()
}

/// How stale a token's recorded last use may get before it is written again.
const LAST_USE_PRECISION: Duration = Duration::minutes(1);

pub fn list_api_tokens(conn: &mut AnyConnection) -> Result<Vec<ApiToken>, StoreError> {
    api_tokens::table
        .order(api_tokens::created_at.asc())
        .select(TOKEN_COLUMNS)
        .load(conn)?
        .into_iter()
        .map(token_from_row)
        .collect()
}

pub fn revoke_api_token(conn: &mut AnyConnection, id: Uuid) -> Result<ApiToken, StoreError> {
    diesel::update(api_tokens::table.find(id.to_string()).filter(api_tokens::revoked_at.is_null()))
        .set(api_tokens::revoked_at.eq(to_db(now())))
        .execute(conn)?;
    token_from_row(api_tokens::table.find(id.to_string()).select(TOKEN_COLUMNS).first(conn)?)
}

pub fn setting(conn: &mut AnyConnection, key: &str) -> Result<Option<String>, StoreError> {
    Ok(settings::table.find(key).select(settings::value).first(conn).optional()?)
}

/// The stored value of `key`, storing `value` first if there is none: the
/// first of several starting replicas wins, the others read its value.
pub fn setting_or_insert(conn: &mut AnyConnection, key: &str, value: &str) -> Result<String, StoreError> {
    if let Some(existing) = setting(conn, key)? {
        return Ok(existing);
    }
    let inserted = conn.transaction(|c| {
        diesel::insert_into(settings::table)
            .values((settings::key.eq(key), settings::value.eq(value), settings::updated_at.eq(to_db(now()))))
            .execute(c)
            .map_err(StoreError::from)
    });
    match inserted {
        Ok(_) | Err(StoreError::Conflict { .. }) => setting(conn, key)?.ok_or(StoreError::NotFound),
        Err(other) => Err(other),
    }
}

/// The async repository.
pub struct Auth<'a>(&'a Store);

impl Store {
    pub fn auth(&self) -> Auth<'_> {
        Auth(self)
    }
}

impl Auth<'_> {
    pub async fn create_session(
        &self,
        user_id: UserId,
        refresh_hash: String,
        ttl: Duration,
    ) -> Result<Uuid, StoreError> {
        self.0.write_unseen(move |c| create_session(c, user_id, &refresh_hash, ttl)).await
    }

    pub async fn rotate_refresh(&self, hash: String, new_hash: String) -> Result<Refresh, StoreError> {
        self.0.write_unseen(move |c| rotate_refresh(c, &hash, &new_hash)).await
    }

    pub async fn active_session(&self, session_id: Uuid) -> Result<Option<ActiveSession>, StoreError> {
        self.0.read(move |c| active_session(c, session_id)).await
    }

    pub async fn revoke_session(&self, session_id: Uuid) -> Result<(), StoreError> {
        self.0.write_unseen(move |c| revoke_session(c, session_id)).await
    }

    pub async fn revoke_user_sessions(&self, user_id: UserId) -> Result<(), StoreError> {
        self.0.write_unseen(move |c| revoke_user_sessions(c, user_id)).await
    }

    pub async fn create_api_token(
        &self,
        name: String,
        scope: TokenScope,
        hash: String,
        by: Option<UserId>,
    ) -> Result<ApiToken, StoreError> {
        self.0.write_unseen(move |c| create_api_token(c, &name, scope, &hash, by)).await
    }

    /// The live token with this hash, its last use recorded. The lookup
    /// reads; the write happens at most once a minute per token, so a busy
    /// pipeline does not queue on SQLite's single writer with every request.
    pub async fn use_api_token(&self, hash: String) -> Result<Option<ApiToken>, StoreError> {
        let Some(mut token) = self.0.read(move |c| find_api_token(c, &hash)).await? else { return Ok(None) };
        let at = now();
        if token.last_used_at.is_none_or(|last| at - last > LAST_USE_PRECISION) {
            let id = token.id.to_string();
            self.0
                .write_unseen(move |c| {
                    diesel::update(api_tokens::table.find(id))
                        .set(api_tokens::last_used_at.eq(to_db(at)))
                        .execute(c)?;
                    Ok(())
                })
                .await?;
            token.last_used_at = Some(at);
        }
        Ok(Some(token))
    }

    pub async fn list_api_tokens(&self) -> Result<Vec<ApiToken>, StoreError> {
        self.0.read(list_api_tokens).await
    }

    pub async fn revoke_api_token(&self, id: Uuid) -> Result<ApiToken, StoreError> {
        self.0.write_unseen(move |c| revoke_api_token(c, id)).await
    }

    pub async fn setting_or_insert(&self, key: &'static str, value: String) -> Result<String, StoreError> {
        self.0.write_unseen(move |c| setting_or_insert(c, key, &value)).await
    }
}
