//! Bearer secrets: refresh tokens, integration tokens and preview tokens.
//! 256 random bits, shown to their holder once; the server keeps only a
//! SHA-256 hash (a database dump grants nothing). SHA-256 rather than a
//! slow hash is right here: the input is uniformly random, not a password.

use std::fmt;

use argon2::password_hash::rand_core::{OsRng, RngCore};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// A freshly generated secret, with a prefix saying what it is for.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// `prefix` + 43 base64url characters of randomness.
    pub fn generate(prefix: &str) -> Self {
        let mut bytes = [0u8; 32];
        OsRng.fill_bytes(&mut bytes);
        Self(format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// 256 random bits as 64 lowercase hex characters, without a prefix:
    /// the form Ghost's clients check a content key against.
    pub fn generate_hex() -> Self {
        let mut bytes = [0u8; 32];
        OsRng.fill_bytes(&mut bytes);
        Self(hex(&bytes))
    }

    /// Wrap a secret a client presented.
    pub fn presented(raw: &str) -> Self {
        Self(raw.to_owned())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What the server stores and looks up: hex SHA-256 of the secret.
    pub fn hash(&self) -> String {
        hash_hex(self.0.as_bytes())
    }
}

pub fn hash_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_prefixed_and_hashed() {
        let a = Secret::generate("lf_");
        let b = Secret::generate("lf_");
        assert_ne!(a, b);
        assert!(a.expose().starts_with("lf_") && a.expose().len() == 3 + 43);
        assert_eq!(a.hash(), Secret::presented(a.expose()).hash());
        assert_eq!(a.hash().len(), 64);
        assert_eq!(hash_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert!(!format!("{a:?}").contains("lf_"));
        let key = Secret::generate_hex();
        assert!(
            key.expose().len() == 64 && key.expose().bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
        assert_ne!(key, Secret::generate_hex());
    }
}
