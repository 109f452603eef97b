//! Secrets, as the store keeps them: never in clear. A password is an argon2id hash (OWASP's
//! parameters or above); a token (API token, session, one-time link) is 32 random bytes shown
//! once, of which only the SHA-256 is stored — a token is random, so a fast hash is enough, and
//! a lookup by hash is one index probe.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use sha2::{Digest, Sha256};

/// argon2id with 19 MiB of memory, 2 passes, 1 lane: OWASP's minimum configuration for
/// argon2id (Password Storage Cheat Sheet).
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_else(|e| {
        unreachable!("the argon2 parameters are valid constants: {e}");
    });
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Why a password is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("a password has at least {MIN_PASSWORD_CHARS} characters")]
    TooShort,
    #[error("a password has at most 1024 characters")]
    TooLong,
}

/// Checks a new password's length (NIST SP 800-63B: length, not composition rules).
pub fn check_new_password(password: &str) -> Result<(), PasswordError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        Err(PasswordError::TooShort)
    } else if n > 1024 {
        Err(PasswordError::TooLong)
    } else {
        Ok(())
    }
}

/// The argon2id hash of a password in PHC format. Slow on purpose (tens of milliseconds): call
/// it on a blocking thread, never on the async workers.
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .unwrap_or_else(|e| unreachable!("hashing with valid parameters cannot fail: {e}"))
}

/// Whether `password` matches a stored PHC hash (any argon2 parameters the hash names).
pub fn verify_password(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(hash) => argon2().verify_password(password.as_bytes(), &hash).is_ok(),
        Err(_) => false,
    }
}

/// A new random token: `pacta_` and 43 characters of base64url (32 bytes from the OS).
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    format!(
        "pacta_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// What the store keeps of a token: its SHA-256, in hex.
pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_hash_verifies_its_password_only() {
        let hash = hash_password("correct horse battery staple");
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify_password("correct horse battery staple", &hash));
        assert!(!verify_password("correct horse battery stapler", &hash));
        assert!(!verify_password("anything", "not a hash"));
        assert_ne!(
            hash,
            hash_password("correct horse battery staple"),
            "salted"
        );
    }

    #[test]
    fn tokens_are_random_and_kept_as_hashes() {
        let a = new_token();
        assert!(a.starts_with("pacta_") && a.len() == 6 + 43, "{a}");
        assert_ne!(a, new_token());
        assert_eq!(token_hash(&a).len(), 64);
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn short_passwords_are_refused() {
        assert_eq!(check_new_password("short"), Err(PasswordError::TooShort));
        assert_eq!(check_new_password("pacta-demo-long"), Ok(()));
    }
}
