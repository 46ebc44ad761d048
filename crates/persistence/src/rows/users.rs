//! Account, session and integration-token rows.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use longform_domain::{Email, Name, NewUser, PasswordHash, Role, TokenScope, User, UserId};
use uuid::Uuid;

use super::parse_value;
use crate::error::StoreError;
use crate::model::ApiToken;
use crate::schema::{api_tokens, users};
use crate::time::{from_db, to_db};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub(crate) struct UserRow {
    pub(crate) id: UserId,
    pub(crate) email: String,
    pub(crate) name: String,
    pub(crate) role: String,
    pub(crate) password_hash: String,
    pub(crate) disabled: bool,
    pub(crate) created_at: NaiveDateTime,
    pub(crate) updated_at: NaiveDateTime,
    pub(crate) version: i64,
}

/// What an admin may change on an account, as of its next version: never
/// its email or password (a password change has its own write).
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub(crate) struct UserChangeset {
    pub(crate) name: String,
    pub(crate) role: String,
    pub(crate) disabled: bool,
    pub(crate) updated_at: NaiveDateTime,
    pub(crate) version: i64,
}

impl UserChangeset {
    pub(crate) fn of(user: &User) -> Self {
        Self {
            name: user.name.as_str().to_owned(),
            role: user.role.as_str().to_owned(),
            disabled: user.disabled,
            updated_at: to_db(user.updated_at),
            version: user.version,
        }
    }
}

impl UserRow {
    pub(crate) fn new(new: &NewUser, at: DateTime<Utc>) -> Self {
        Self {
            id: UserId::new(),
            email: new.email.as_str().to_owned(),
            name: new.name.as_str().to_owned(),
            role: new.role.as_str().to_owned(),
            password_hash: new.password_hash.as_str().to_owned(),
            disabled: false,
            created_at: to_db(at),
            updated_at: to_db(at),
            version: 1,
        }
    }
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;
    fn try_from(row: UserRow) -> Result<Self, StoreError> {
        Ok(User {
            id: row.id,
            email: parse_value(Email::parse(&row.email))?,
            name: parse_value(Name::parse(&row.name))?,
            role: parse_value(Role::parse(&row.role))?,
            password_hash: PasswordHash::from_stored(row.password_hash),
            disabled: row.disabled,
            created_at: from_db(row.created_at),
            updated_at: from_db(row.updated_at),
            version: row.version,
        })
    }
}

/// An integration token's row; the secret's hash is only ever compared.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_tokens, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub(crate) struct TokenRow {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) scope: String,
    pub(crate) created_at: NaiveDateTime,
    pub(crate) last_used_at: Option<NaiveDateTime>,
    pub(crate) revoked_at: Option<NaiveDateTime>,
    pub(crate) version: i64,
}

#[derive(Insertable)]
#[diesel(table_name = api_tokens)]
pub(crate) struct NewTokenRow<'a> {
    pub(crate) id: String,
    pub(crate) name: &'a str,
    pub(crate) token_hash: &'a str,
    pub(crate) scope: &'a str,
    pub(crate) created_by: Option<UserId>,
    pub(crate) created_at: NaiveDateTime,
}

impl TryFrom<TokenRow> for ApiToken {
    type Error = StoreError;
    fn try_from(row: TokenRow) -> Result<Self, StoreError> {
        Ok(ApiToken {
            id: parse_value(Uuid::parse_str(&row.id))?,
            name: row.name,
            scope: parse_value(row.scope.parse::<TokenScope>())?,
            created_at: from_db(row.created_at),
            last_used_at: row.last_used_at.map(from_db),
            revoked_at: row.revoked_at.map(from_db),
            version: row.version,
        })
    }
}
