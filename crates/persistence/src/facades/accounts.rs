//! The account repositories: users, and sign-in sessions, integration
//! tokens and settings. None of these writes changes what the public sees,
//! so cached public reads stay valid.

use chrono::Duration;
use longform_domain::{Email, NewUser, PasswordHash, TokenScope, User, UserId};
use tracing::instrument;
use uuid::Uuid;

use crate::commands::accounts as command;
use crate::error::StoreError;
use crate::model::{ActiveSession, ApiToken, Refresh, UserChanges};
use crate::read;
use crate::store::Store;
use crate::time::now;

pub struct Users<'a>(&'a Store);

pub struct Auth<'a>(&'a Store);

impl Store {
    pub fn users(&self) -> Users<'_> {
        Users(self)
    }

    pub fn auth(&self) -> Auth<'_> {
        Auth(self)
    }
}

impl Users<'_> {
    #[instrument(level = "debug", skip_all)]
    pub async fn create(&self, new: NewUser) -> Result<User, StoreError> {
        self.0.write_unseen(move |c| command::create_user(c, &new)).await
    }

    #[instrument(level = "debug", skip_all)]
    pub async fn find_by_email(&self, email: Email) -> Result<Option<User>, StoreError> {
        self.0.read(move |c| read::accounts::user_by_email(c, &email)).await
    }

    #[instrument(level = "debug", skip_all, fields(user.id = %id))]
    pub async fn get(&self, id: UserId) -> Result<User, StoreError> {
        self.0.read(move |c| read::accounts::user(c, id)).await
    }

    /// The names of those of `ids` that exist.
    pub async fn names(&self, ids: Vec<UserId>) -> Result<std::collections::HashMap<UserId, String>, StoreError> {
        self.0.read(move |c| read::accounts::names(c, &ids)).await
    }

    pub async fn list(&self) -> Result<Vec<User>, StoreError> {
        self.0.read(read::accounts::users).await
    }

    /// Change an account as of version `expected` (else `VersionMismatch`);
    /// disabling it also ends its sessions. Leaving no active admin is
    /// `Refused` on `role`.
    #[instrument(level = "debug", skip_all, fields(user.id = %id))]
    pub async fn update(&self, id: UserId, expected: i64, changes: UserChanges) -> Result<User, StoreError> {
        self.0.write_unseen(move |c| command::update_user(c, id, expected, &changes)).await
    }

    #[instrument(level = "debug", skip_all, fields(user.id = %id))]
    pub async fn set_password(&self, id: UserId, hash: PasswordHash) -> Result<(), StoreError> {
        self.0.write_unseen(move |c| command::set_password(c, id, &hash)).await
    }

    /// Delete an account as of version `expected`, like [`Users::update`].
    #[instrument(level = "debug", skip_all, fields(user.id = %id))]
    pub async fn delete(&self, id: UserId, expected: i64) -> Result<(), StoreError> {
        self.0.write_unseen(move |c| command::delete_user(c, id, expected)).await
    }
}

/// How stale a token's recorded last use may get before it is written again.
const LAST_USE_PRECISION: Duration = Duration::minutes(1);

impl Auth<'_> {
    #[instrument(level = "debug", skip_all, fields(user.id = %user))]
    pub async fn create_session(&self, user: UserId, refresh_hash: String, ttl: Duration) -> Result<Uuid, StoreError> {
        self.0.write_unseen(move |c| command::create_session(c, user, &refresh_hash, ttl)).await
    }

    #[instrument(level = "debug", skip_all)]
    pub async fn rotate_refresh(&self, hash: String, new_hash: String) -> Result<Refresh, StoreError> {
        self.0.write_unseen(move |c| command::rotate_refresh(c, &hash, &new_hash)).await
    }

    #[instrument(level = "debug", skip_all, fields(session.id = %session_id))]
    pub async fn active_session(&self, session_id: Uuid) -> Result<Option<ActiveSession>, StoreError> {
        self.0.read(move |c| read::accounts::active_session(c, session_id)).await
    }

    #[instrument(level = "debug", skip_all, fields(session.id = %session_id))]
    pub async fn revoke_session(&self, session_id: Uuid) -> Result<(), StoreError> {
        self.0.write_unseen(move |c| command::revoke_session(c, session_id)).await
    }

    #[instrument(level = "debug", skip_all)]
    pub async fn revoke_by_refresh(&self, hash: String) -> Result<(), StoreError> {
        self.0.write_unseen(move |c| command::revoke_by_refresh(c, &hash)).await
    }

    #[instrument(level = "debug", skip_all, fields(user.id = %user))]
    pub async fn revoke_user_sessions(&self, user: UserId) -> Result<(), StoreError> {
        self.0.write_unseen(move |c| command::revoke_user_sessions(c, user)).await
    }

    #[instrument(level = "debug", skip_all)]
    pub async fn create_api_token(
        &self,
        name: String,
        scope: TokenScope,
        hash: String,
        by: Option<UserId>,
    ) -> Result<ApiToken, StoreError> {
        self.0.write_unseen(move |c| command::create_api_token(c, &name, scope, &hash, by)).await
    }

    /// The live token with this hash, its last use recorded. The lookup
    /// reads; the write happens at most once a minute per token, so a busy
    /// pipeline does not queue on SQLite's single writer with every request.
    #[instrument(level = "debug", skip_all)]
    pub async fn use_api_token(&self, hash: String) -> Result<Option<ApiToken>, StoreError> {
        let Some(mut token) = self.0.read(move |c| read::accounts::api_token_by_hash(c, &hash)).await? else {
            return Ok(None);
        };
        let at = now();
        if token.last_used_at.is_none_or(|last| at - last > LAST_USE_PRECISION) {
            let id = token.id;
            self.0.write_unseen(move |c| command::touch_api_token(c, id, at)).await?;
            token.last_used_at = Some(at);
        }
        Ok(Some(token))
    }

    pub async fn list_api_tokens(&self) -> Result<Vec<ApiToken>, StoreError> {
        self.0.read(read::accounts::api_tokens).await
    }

    /// Revoke the token if it is still at version `expected` (revoking a
    /// revoked token at its version changes nothing).
    #[instrument(level = "debug", skip_all, fields(token.id = %id))]
    pub async fn revoke_api_token(&self, id: Uuid, expected: i64) -> Result<ApiToken, StoreError> {
        self.0.write_unseen(move |c| command::revoke_api_token(c, id, expected)).await
    }

    #[instrument(level = "debug", skip_all, fields(key))]
    pub async fn setting_or_insert(&self, key: &'static str, value: String) -> Result<String, StoreError> {
        self.0.write_unseen(move |c| command::setting_or_insert(c, key, &value)).await
    }
}
