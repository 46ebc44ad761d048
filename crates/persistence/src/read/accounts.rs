//! Accounts, sessions, integration tokens and settings. Tokens arrive
//! already hashed: nothing here sees a secret a client could replay.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use longform_domain::{Email, User, UserId};
use uuid::Uuid;

use crate::db::AnyConnection;
use crate::error::StoreError;
use crate::model::{ActiveSession, ApiToken};
use crate::rows::users::{TokenRow, UserRow};
use crate::schema::{api_tokens, refresh_tokens, sessions, settings, users};
use crate::time::{from_db, now};

pub(crate) fn user(conn: &mut AnyConnection, id: UserId) -> Result<User, StoreError> {
    users::table.find(id).select(UserRow::as_select()).first(conn)?.try_into()
}

/// The names of the accounts among `ids` that exist (a writer's name next
/// to their revisions; nothing else of the account).
pub(crate) fn names(
    conn: &mut AnyConnection,
    ids: &[UserId],
) -> Result<std::collections::HashMap<UserId, String>, StoreError> {
    let rows: Vec<(UserId, String)> =
        users::table.filter(users::id.eq_any(ids)).select((users::id, users::name)).load(conn)?;
    Ok(rows.into_iter().collect())
}

pub(crate) fn user_by_email(conn: &mut AnyConnection, email: &Email) -> Result<Option<User>, StoreError> {
    users::table
        .filter(users::email.eq(email.as_str()))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?
        .map(User::try_from)
        .transpose()
}

pub(crate) fn users(conn: &mut AnyConnection) -> Result<Vec<User>, StoreError> {
    users::table
        .order(users::created_at.asc())
        .select(UserRow::as_select())
        .load(conn)?
        .into_iter()
        .map(User::try_from)
        .collect()
}

/// The session if it is neither revoked nor expired and its user is enabled.
pub(crate) fn active_session(conn: &mut AnyConnection, session_id: Uuid) -> Result<Option<ActiveSession>, StoreError> {
    let row: Option<(NaiveDateTime, Option<NaiveDateTime>, UserRow)> = sessions::table
        .inner_join(users::table)
        .filter(sessions::id.eq(session_id.to_string()))
        .select((sessions::expires_at, sessions::revoked_at, UserRow::as_select()))
        .first(conn)
        .optional()?;
    let Some((expires_at, revoked_at, user)) = row else { return Ok(None) };
    let user = User::try_from(user)?;
    let live = revoked_at.is_none() && from_db(expires_at) > now() && !user.disabled;
    Ok(live.then_some(ActiveSession { session_id, user }))
}

/// The session a refresh token belongs to, and when it was spent (if it was).
pub(crate) fn refresh_token(
    conn: &mut AnyConnection,
    hash: &str,
) -> Result<Option<(Uuid, Option<NaiveDateTime>)>, StoreError> {
    let found: Option<(String, Option<NaiveDateTime>)> = refresh_tokens::table
        .find(hash)
        .select((refresh_tokens::session_id, refresh_tokens::used_at))
        .first(conn)
        .optional()?;
    found
        .map(|(session, used_at)| {
            let id = Uuid::parse_str(&session).map_err(|_| StoreError::Corrupt(format!("bad id {session:?}")))?;
            Ok((id, used_at))
        })
        .transpose()
}

pub(crate) fn api_token(conn: &mut AnyConnection, id: Uuid) -> Result<ApiToken, StoreError> {
    api_tokens::table.find(id.to_string()).select(TokenRow::as_select()).first(conn)?.try_into()
}

/// The live (unrevoked) token with this hash.
pub(crate) fn api_token_by_hash(conn: &mut AnyConnection, hash: &str) -> Result<Option<ApiToken>, StoreError> {
    api_tokens::table
        .filter(api_tokens::token_hash.eq(hash))
        .filter(api_tokens::revoked_at.is_null())
        .select(TokenRow::as_select())
        .first(conn)
        .optional()?
        .map(ApiToken::try_from)
        .transpose()
}

pub(crate) fn api_tokens(conn: &mut AnyConnection) -> Result<Vec<ApiToken>, StoreError> {
    api_tokens::table
        .order(api_tokens::created_at.asc())
        .select(TokenRow::as_select())
        .load(conn)?
        .into_iter()
        .map(ApiToken::try_from)
        .collect()
}

pub(crate) fn setting(conn: &mut AnyConnection, key: &str) -> Result<Option<String>, StoreError> {
    Ok(settings::table.find(key).select(settings::value).first(conn).optional()?)
}
