//! What lets a district trust a laptop's meeting: a hash chain over its
//! records (each hash covers the one before, so the log a district holds
//! is a prefix of what arrives, or the history was changed), and the id
//! its copy gets on the district (from the laptop's origin and its own id,
//! so two laptops' meetings never collide).

use crate::store::StoredEvent;
use babahui_shared::MeetingId;
use sha2::{Digest, Sha256};

/// The chain's hash after each record: `h[n] = SHA-256(h[n-1] ‖ record n as JSON)`.
pub fn chain(records: &[StoredEvent]) -> Vec<String> {
    let mut last = [0u8; 32];
    records
        .iter()
        .map(|r| {
            let mut h = Sha256::new();
            h.update(last);
            h.update(serde_json::to_vec(r).expect("a record serialises"));
            last = h.finalize().into();
            data_encoding::HEXLOWER.encode(&last)
        })
        .collect()
}

/// The id of the district's copy of `meeting` held on the laptop `origin`.
pub fn copy_id(origin: &str, meeting: &MeetingId) -> MeetingId {
    let digest = Sha256::digest(format!("{origin}/{meeting}").as_bytes());
    let alphabet = babahui_shared::ids::CODE_ALPHABET;
    let id: String = digest
        .iter()
        .take(babahui_shared::ids::MEETING_ID_LEN)
        .map(|b| alphabet[*b as usize % alphabet.len()] as char)
        .collect();
    MeetingId::parse(&id).expect("made from the alphabet")
}

/// Whether `origin` looks like a server's origin id (`laptop-k7m2…`).
pub fn valid_origin(origin: &str) -> bool {
    (3..=48).contains(&origin.len())
        && origin
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_laptops_meetings_get_different_copies_and_the_same_one_each_time() {
        let m = MeetingId::parse("abcdefgh").unwrap();
        assert_eq!(copy_id("laptop-a", &m), copy_id("laptop-a", &m));
        assert_ne!(copy_id("laptop-a", &m), copy_id("laptop-b", &m));
        assert!(valid_origin("laptop-k7m2x9"));
        assert!(!valid_origin("Laptop/../x"));
    }
}
