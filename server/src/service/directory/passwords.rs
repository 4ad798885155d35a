//! Passwords: hashed with argon2id (memory-hard, so a stolen database is slow
//! to guess from), and made readable when the server makes one.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::Rng;

/// The shortest password a person may choose.
pub const MIN_CHARS: usize = 8;
/// The longest (argon2 takes any length; this bounds the work a request asks).
pub const MAX_CHARS: usize = 128;

/// The PHC string of `password` (argon2id, its default cost: 19 MiB, 2 passes).
/// CPU-heavy: call off the async threads.
pub fn hash(password: &str) -> String {
    let salt: [u8; 16] = rand::rng().random();
    let salt = SaltString::encode_b64(&salt).expect("16 bytes encode");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashes any password")
        .to_string()
}

/// Whether `password` matches `phc`. CPU-heavy: call off the async threads.
pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// A password the server makes: 12 letters and digits that cannot be
/// mistaken for one another, in threes (`k7m-p2q-x9r-h4t`), to read out or copy.
pub fn generate() -> String {
    let code = crate::tokens::new_code(12);
    let chars: Vec<char> = code.chars().collect();
    chars
        .chunks(3)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// Why `password` may not be used, if it may not.
pub fn unusable(password: &str) -> Option<String> {
    let n = password.chars().count();
    if n < MIN_CHARS {
        Some(format!("the password must have at least {MIN_CHARS} characters"))
    } else if n > MAX_CHARS {
        Some(format!("the password may have at most {MAX_CHARS} characters"))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_is_argon2id_salted_and_verifies_only_its_password() {
        let h = hash("courtyard-2026");
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert_ne!(h, hash("courtyard-2026"), "salted");
        assert!(verify("courtyard-2026", &h));
        assert!(!verify("courtyard-2027", &h));
        assert!(!verify("courtyard-2026", "not a hash"));
    }

    #[test]
    fn a_made_password_is_long_enough_and_readable() {
        let p = generate();
        assert_eq!(p.len(), 15, "{p}");
        assert!(unusable(&p).is_none());
        assert!(unusable("short").is_some());
    }
}
