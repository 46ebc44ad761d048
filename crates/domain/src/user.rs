//! User accounts: who may sign in, with which role, and how passwords are
//! checked. Hashing is argon2id at OWASP's recommended parameters.

use std::fmt;
use std::str::FromStr;

use std::cell::RefCell;

use argon2::password_hash::{Output, ParamsString, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Block, Params, Version};
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

thread_local! {
    /// Argon2's working memory (19 MiB), kept by each thread that hashes
    /// and reused: allocated and freed per hash, it stayed behind in the
    /// allocator's per-thread arenas, a few copies each, after a burst of
    /// logins (241 MB after 160).
    static BLOCKS: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Argon2 of `password` and `salt` into `out`, in this thread's blocks.
fn hash_into(params: &Params, argon2: &Argon2<'_>, password: &[u8], salt: &[u8], out: &mut [u8]) -> argon2::Result<()> {
    BLOCKS.with_borrow_mut(|blocks| {
        let needed = params.block_count();
        if blocks.len() < needed {
            blocks.resize(needed, Block::default());
        }
        argon2.hash_password_into_with_memory(password, salt, out, &mut blocks[..needed])
    })
}

impl PasswordHash {
    /// OWASP's minimum for argon2id: 19 MiB of memory, 2 passes, 1 lane.
    fn params() -> Result<Params, HashError> {
        Params::new(19_456, 2, 1, None).map_err(|e| HashError(e.to_string()))
    }

    /// Hash with a fresh random salt. CPU-bound for tens of milliseconds:
    /// call it off the async executor.
    pub fn create(password: &Password) -> Result<Self, HashError> {
        let failed = |e: argon2::password_hash::Error| HashError(e.to_string());
        let params = Self::params()?;
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
        let salt = SaltString::generate(&mut OsRng);
        let mut salt_bytes = [0u8; 64];
        let salt_raw = salt.as_salt().decode_b64(&mut salt_bytes).map_err(failed)?;
        let output = Output::init_with(Params::DEFAULT_OUTPUT_LEN, |out| {
            Ok(hash_into(&params, &argon2, password.expose().as_bytes(), salt_raw, out)?)
        })
        .map_err(failed)?;
        Self::argon2id(&params, &salt, output)
    }

    /// A hash to check against when the account is unknown, so that it
    /// costs what a wrong password does: `create`'s parameters, a fixed salt
    /// and an output of zeros, which no password is known to produce (and
    /// the caller refuses an unknown account whatever it matches). Built
    /// without hashing, so the server starts without 19 MiB of argon2
    /// memory held by the thread that starts it.
    pub fn decoy() -> Result<Self, HashError> {
        let failed = |e: argon2::password_hash::Error| HashError(e.to_string());
        let salt = SaltString::from_b64("ZGVjb3ktc2FsdC1sb25nZm9ybQ").map_err(failed)?;
        let output = Output::new(&[0; Params::DEFAULT_OUTPUT_LEN]).map_err(failed)?;
        Self::argon2id(&Self::params()?, &salt, output)
    }

    fn argon2id(params: &Params, salt: &SaltString, output: Output) -> Result<Self, HashError> {
        let phc = argon2::PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(params).map_err(|e| HashError(e.to_string()))?,
            salt: Some(salt.as_salt()),
            hash: Some(output),
        };
        Ok(Self(phc.to_string()))
    }

    /// Wrap a stored hash.
    pub fn from_stored(phc: String) -> Self {
        Self(phc)
    }

    /// With the stored hash's own parameters; the comparison is
    /// constant-time (`Output`'s). A malformed stored hash never matches.
    pub fn verify(&self, candidate: &str) -> bool {
        let Ok(parsed) = argon2::PasswordHash::new(&self.0) else { return false };
        let (Ok(algorithm), Ok(params)) = (Algorithm::try_from(parsed.algorithm), Params::try_from(&parsed)) else {
            return false;
        };
        let Ok(version) = parsed.version.map(Version::try_from).transpose() else { return false };
        let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else { return false };
        let mut salt_bytes = [0u8; 64];
        let Ok(salt_raw) = salt.decode_b64(&mut salt_bytes) else { return false };
        let argon2 = Argon2::new(algorithm, version.unwrap_or_default(), params.clone());
        let computed = Output::init_with(expected.len(), |out| {
            Ok(hash_into(&params, &argon2, candidate.as_bytes(), salt_raw, out)?)
        });
        computed.is_ok_and(|computed| computed == expected)
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
    /// Moves on with every change to the account: its ETag.
    pub version: i64,
}

impl User {
    /// An admin who can sign in: the site must always keep one.
    pub fn is_active_admin(&self) -> bool {
        self.role == Role::Admin && !self.disabled
    }
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

    #[test]
    fn the_decoy_costs_a_real_check_and_matches_nothing() {
        let decoy = PasswordHash::decoy().unwrap();
        let real = PasswordHash::create(&Password::parse("correct horse battery staple").unwrap()).unwrap();
        let params = |hash: &PasswordHash| argon2::PasswordHash::new(hash.as_str()).unwrap().params.to_string();
        assert_eq!(params(&decoy), params(&real), "{}", decoy.as_str());
        assert!(!decoy.verify("correct horse battery staple"));
        assert!(!decoy.verify(""));
    }

    /// Hashes stored before the reused working memory (made by the argon2
    /// crate's own `hash_password`) verify, and the other way round.
    #[test]
    fn hashes_agree_with_the_argon2_crate() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, PasswordHash::params().unwrap());
        let salt = SaltString::generate(&mut OsRng);
        let theirs = argon2.hash_password(b"correct horse battery staple", &salt).unwrap().to_string();
        assert!(PasswordHash::from_stored(theirs.clone()).verify("correct horse battery staple"));
        assert!(!PasswordHash::from_stored(theirs).verify("correct horse battery"));
        let ours = PasswordHash::create(&Password::parse("correct horse battery staple").unwrap()).unwrap();
        let parsed = argon2::PasswordHash::new(ours.as_str()).unwrap();
        assert!(argon2.verify_password(b"correct horse battery staple", &parsed).is_ok());
    }
}
