//! User accounts.

use diesel::prelude::*;
use longform_domain::{Email, Name, NewUser, PasswordHash, Role, User, UserId};

use crate::db::AnyConnection;
use crate::error::StoreError;
use crate::rows::{parse_id, parse_value};
use crate::schema::users;
use crate::store::{Store, from_db, to_db};

#[derive(Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub(crate) struct UserRow {
    id: String,
    email: String,
    name: String,
    role: String,
    password_hash: String,
    disabled: bool,
    created_at: chrono::NaiveDateTime,
    updated_at: chrono::NaiveDateTime,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;
    fn try_from(row: UserRow) -> Result<Self, StoreError> {
        Ok(User {
            id: parse_id(&row.id)?,
            email: parse_value(Email::parse(&row.email))?,
            name: parse_value(Name::parse(&row.name))?,
            role: parse_value(Role::parse(&row.role))?,
            password_hash: PasswordHash::from_stored(row.password_hash),
            disabled: row.disabled,
            created_at: from_db(row.created_at),
            updated_at: from_db(row.updated_at),
        })
    }
}

/// Insert a user; a taken email is a conflict on `email`.
pub fn insert(conn: &mut AnyConnection, new: &NewUser) -> Result<User, StoreError> {
    let now = to_db(crate::store::now());
    let id: String = diesel::insert_into(users::table)
        .values((
            users::id.eq(UserId::new().to_string()),
            users::email.eq(new.email.as_str()),
            users::name.eq(new.name.as_str()),
            users::role.eq(new.role.as_str()),
            users::password_hash.eq(new.password_hash.as_str()),
            users::disabled.eq(false),
            users::created_at.eq(now),
            users::updated_at.eq(now),
        ))
        .returning(users::id)
        .get_result(conn)?;
    get(conn, parse_id(&id)?)
}

pub fn get(conn: &mut AnyConnection, id: UserId) -> Result<User, StoreError> {
    users::table.find(id.to_string()).select(UserRow::as_select()).first(conn)?.try_into()
}

pub fn find_by_email(conn: &mut AnyConnection, email: &Email) -> Result<Option<User>, StoreError> {
    users::table
        .filter(users::email.eq(email.as_str()))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?
        .map(User::try_from)
        .transpose()
}

pub fn list(conn: &mut AnyConnection) -> Result<Vec<User>, StoreError> {
    users::table
        .order(users::created_at.asc())
        .select(UserRow::as_select())
        .load(conn)?
        .into_iter()
        .map(User::try_from)
        .collect()
}

/// What an admin may change about an account (each `None` is kept).
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub name: Option<Name>,
    pub role: Option<Role>,
    pub disabled: Option<bool>,
}

pub fn update(conn: &mut AnyConnection, id: UserId, changes: &UserChanges) -> Result<User, StoreError> {
    let key = id.to_string();
    let current = get(conn, id)?;
    diesel::update(users::table.find(&key))
        .set((
            users::name.eq(changes.name.as_ref().unwrap_or(&current.name).as_str()),
            users::role.eq(changes.role.unwrap_or(current.role).as_str()),
            users::disabled.eq(changes.disabled.unwrap_or(current.disabled)),
            users::updated_at.eq(to_db(crate::store::now())),
        ))
        .execute(conn)?;
    get(conn, id)
}

pub fn set_password(conn: &mut AnyConnection, id: UserId, hash: &PasswordHash) -> Result<(), StoreError> {
    let changed = diesel::update(users::table.find(id.to_string()))
        .set((users::password_hash.eq(hash.as_str()), users::updated_at.eq(to_db(crate::store::now()))))
        .execute(conn)?;
    if changed == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

pub fn delete(conn: &mut AnyConnection, id: UserId) -> Result<(), StoreError> {
    let deleted = diesel::delete(users::table.find(id.to_string())).execute(conn)?;
    if deleted == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// The async repository.
pub struct Users<'a>(&'a Store);

impl Store {
    pub fn users(&self) -> Users<'_> {
        Users(self)
    }
}

impl Users<'_> {
    pub async fn create(&self, new: NewUser) -> Result<User, StoreError> {
        self.0.write_unseen(move |conn| insert(conn, &new)).await
    }

    pub async fn find_by_email(&self, email: Email) -> Result<Option<User>, StoreError> {
        self.0.read(move |conn| find_by_email(conn, &email)).await
    }

    pub async fn get(&self, id: UserId) -> Result<User, StoreError> {
        self.0.read(move |conn| get(conn, id)).await
    }

    pub async fn list(&self) -> Result<Vec<User>, StoreError> {
        self.0.read(list).await
    }

    /// Change an account; disabling it also ends its sessions.
    pub async fn update(&self, id: UserId, changes: UserChanges) -> Result<User, StoreError> {
        self.0
            .write_unseen(move |conn| {
                let user = update(conn, id, &changes)?;
                if changes.disabled == Some(true) {
                    crate::auth::revoke_user_sessions(conn, id)?;
                }
                Ok(user)
            })
            .await
    }

    pub async fn set_password(&self, id: UserId, hash: PasswordHash) -> Result<(), StoreError> {
        self.0.write_unseen(move |conn| set_password(conn, id, &hash)).await
    }

    pub async fn delete(&self, id: UserId) -> Result<(), StoreError> {
        self.0.write_unseen(move |conn| delete(conn, id)).await
    }
}
