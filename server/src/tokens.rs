//! Random codes and capability tokens.
//!
//! Tokens carry 128 random bits (22 base64url characters); only their SHA-256
//! is stored, so a copy of the data directory does not let anyone in.
//! Meeting ids and invite codes are short and typeable instead: they locate a
//! meeting, they do not grant anything beyond joining it as a new attendee.

use babahui_shared::ids::{CODE_ALPHABET, MEETING_ID_LEN};
use babahui_shared::MeetingId;
use rand::Rng;
use sha2::{Digest, Sha256};

/// Length of a join invite code.
pub const INVITE_LEN: usize = 6;

/// A new random token (128 bits).
///
/// Never begins with `-`: tokens and the organiser key are typed after
/// command-line flags (`--organiser-key KEY`), where a leading dash reads as
/// another flag (one key in 64 did; CI met one).
pub fn new_token() -> String {
    loop {
        let bytes: [u8; 16] = rand::rng().random();
        let token = data_encoding::BASE64URL_NOPAD.encode(&bytes);
        if !token.starts_with('-') {
            return token;
        }
    }
}

/// Hex SHA-256 of a token, as stored and looked up.
pub fn hash_token(token: &str) -> String {
    data_encoding::HEXLOWER.encode(&Sha256::digest(token.as_bytes()))
}

/// A random code of `len` characters from the typeable alphabet.
pub fn new_code(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())] as char)
        .collect()
}

/// A new random meeting id.
pub fn new_meeting_id() -> MeetingId {
    MeetingId::parse(&new_code(MEETING_ID_LEN)).expect("generated from the alphabet")
}

/// A new node id, fresh at every start of a node of a shared store (a node
/// that restarts is a new node: it holds none of its old leases).
pub fn new_node_id() -> String {
    format!("node-{}", new_code(12))
}

/// The key of a secret ballot: derived from the voter's raw token, which the
/// server never stores (only its hash). So the key identifies the same voter's
/// ballot again (to replace it) while they are connected, but nothing on disk
/// or in any answer can tie a key to a person.
pub fn ballot_key(token: &str, meeting: &MeetingId, vote: babahui_shared::VoteId) -> String {
    sealed_key(b"babahui-ballot\0", token, meeting, vote.0)
}

/// A rater's key for one review (回顾): like [`ballot_key`], so a resident's
/// 不满意 is counted once per person but never tied to them.
pub fn rating_key(token: &str, meeting: &MeetingId, review: babahui_shared::ReviewId) -> String {
    sealed_key(b"babahui-rating\0", token, meeting, review.0)
}

fn sealed_key(domain: &[u8], token: &str, meeting: &MeetingId, item: u32) -> String {
    let mut h = Sha256::new();
    h.update(domain);
    h.update(meeting.as_str().as_bytes());
    h.update(item.to_be_bytes());
    h.update(token.as_bytes());
    data_encoding::HEXLOWER.encode(&h.finalize())
}

/// Compares two secrets without leaking where they differ (via their hashes).
pub fn same_secret(a: &str, b: &str) -> bool {
    let (ha, hb) = (Sha256::digest(a.as_bytes()), Sha256::digest(b.as_bytes()));
    ha.iter().zip(hb.iter()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hash_stably() {
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 22);
        assert_ne!(a, b);
        assert_eq!(hash_token(&a), hash_token(&a));
        assert_eq!(hash_token(&a).len(), 64);
        assert!(same_secret("k", "k") && !same_secret("k", "K"));
        assert!(MeetingId::parse(new_meeting_id().as_str()).is_some());
    }

    #[test]
    fn no_token_reads_as_a_command_line_flag() {
        // Before, one in 64 began with `-` (5,000 draws: all but certain to meet one).
        assert!((0..5_000)
            .map(|_| new_token())
            .all(|t| !t.starts_with('-') && t.len() == 22));
    }
}
