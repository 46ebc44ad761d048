//! User accounts: who may sign in, with which role, and how passwords are
//! checked. Hashing is argon2id at OWASP's recommended parameters.

use std::fmt;
use std::str::FromStr;

use argon2::password_hash::{PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{FieldError, InvalidKind};
use crate::ids::UserId;
use crate::values::{Email, Name};

/// What a user may do; each role includes the powers of the ones below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Creates and edits own drafts; cannot publish.
    Contributor,
    /// Publishes own posts.
    Author,
    /// Edits and publishes every post; manages tags and categories.
    Editor,
    /// Everything, plus users, tokens and settings.
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Contributor, Role::Author, Role::Editor, Role::Admin];
    const NAMES: &'static str = "contributor, author, editor, admin";

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Contributor => "contributor",
            Role::Author => "author",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        raw.parse()
    }
}

impl FromStr for Role {
    type Err = FieldError;
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == raw)
            .ok_or(FieldError::new("role", InvalidKind::NotOneOf { allowed: Role::NAMES }))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A candidate password, checked for length before any hashing work so an
/// oversized input cannot make the server burn memory and time.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub const MIN_LEN: usize = 10;
    pub const MAX_BYTES: usize = 256;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        if raw.len() > Self::MAX_BYTES {
            return Err(FieldError::new("password", InvalidKind::TooLong { max: Self::MAX_BYTES }));
        }
        if raw.chars().count() < Self::MIN_LEN {
            return Err(FieldError::new("password", InvalidKind::TooShort { min: Self::MIN_LEN }));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(..)")
    }
}

/// A PHC-format argon2id hash (`$argon2id$v=19$m=19456,t=2,p=1$...`).
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

impl PasswordHash {
    /// OWASP's minimum for argon2id: 19 MiB of memory, 2 passes, 1 lane.
    fn hasher() -> Result<Argon2<'static>, HashError> {
        let params = Params::new(19_456, 2, 1, None).map_err(|e| HashError(e.to_string()))?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }

    /// Hash with a fresh random salt. CPU-bound for tens of milliseconds:
    /// call it off the async executor.
    pub fn create(password: &Password) -> Result<Self, HashError> {
        let salt = SaltString::generate(&mut OsRng);
        let hash =
            Self::hasher()?.hash_password(password.expose().as_bytes(), &salt).map_err(|e| HashError(e.to_string()))?;
        Ok(Self(hash.to_string()))
    }

    /// Wrap a stored hash.
    pub fn from_stored(phc: String) -> Self {
        Self(phc)
    }

    /// Constant-time comparison inside argon2; a malformed stored hash never matches.
    pub fn verify(&self, candidate: &str) -> bool {
        let Ok(parsed) = argon2::PasswordHash::new(&self.0) else {
            return false;
        };
        let Ok(hasher) = Self::hasher() else {
            return false;
        };
        hasher.verify_password(candidate.as_bytes(), &parsed).is_ok()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(..)")
    }
}

/// A stored user account. Never serialised to clients: public author
/// profiles are a separate type.
#[derive(Debug, Clone)]
pub struct User {
    pub id: UserId,
    pub email: Email,
    pub name: Name,
    pub role: Role,
    pub password_hash: PasswordHash,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Everything needed to create a user, already validated and hashed.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: Email,
    pub name: Name,
    pub role: Role,
    pub password_hash: PasswordHash,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_and_order_by_power() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()).unwrap(), role);
        }
        assert!(Role::Contributor < Role::Author && Role::Author < Role::Editor && Role::Editor < Role::Admin);
        let err = Role::parse("owner").unwrap_err();
        assert_eq!(err.field, "role");
        assert!(err.to_string().contains("contributor, author, editor, admin"));
    }

    #[test]
    fn password_length_is_checked_in_bytes_and_characters() {
        assert_eq!(Password::parse("short").unwrap_err().kind, InvalidKind::TooShort { min: 10 });
        assert!(Password::parse("ten chars!").is_ok());
        assert_eq!(Password::parse(&"x".repeat(257)).unwrap_err().kind, InvalidKind::TooLong { max: 256 });
        // 86 three-byte characters are 258 bytes: refused before hashing.
        assert!(Password::parse(&"€".repeat(86)).is_err());
        assert!(!format!("{:?}", Password::parse("correct horse battery").unwrap()).contains("horse"));
    }

    #[test]
    fn hashes_are_argon2id_with_owasp_parameters_and_verify() {
        let password = Password::parse("correct horse battery staple").unwrap();
        let hash = PasswordHash::create(&password).unwrap();
        assert!(hash.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{}", hash.as_str());
        assert!(hash.verify("correct horse battery staple"));
        assert!(!hash.verify("correct horse battery stapler"));
        assert_ne!(hash, PasswordHash::create(&password).unwrap(), "salts differ");
        assert!(!PasswordHash::from_stored("not a hash".into()).verify("anything"));
    }
}
