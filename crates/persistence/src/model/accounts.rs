//! Accounts, sessions and integration tokens.

use chrono::{DateTime, Utc};
use longform_domain::{Name, Role, TokenScope, User};
use uuid::Uuid;

/// What an admin may change about an account (each `None` is kept).
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub name: Option<Name>,
    pub role: Option<Role>,
    pub disabled: Option<bool>,
}

/// What a presented refresh token turned out to be.
#[derive(Debug)]
pub enum Refresh {
    /// Valid: it is now spent, and the new hash replaces it in the same session.
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

/// An integration token as admins see it (never its secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: Uuid,
    pub name: String,
    pub scope: TokenScope,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// Grows with every change (a revocation); `If-Match` names it.
    pub version: i64,
}
