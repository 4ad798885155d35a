//! Identifier newtypes. All are `#[serde(transparent)]`, so on the wire they are
//! plain strings or numbers.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Per-meeting event sequence number: 1 for the first event, gap-free.
pub type Seq = u64;

/// The alphabet of meeting ids and invite codes: lowercase letters and digits
/// without the look-alikes (0/o, 1/l/i), because people type these from a projector.
pub const CODE_ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";

/// Length of a meeting id.
pub const MEETING_ID_LEN: usize = 8;

/// A meeting's public identifier, e.g. `k7m2x9qa`. It appears in every link.
///
/// Deserialising checks it like [`MeetingId::parse`]: an id read from an archive,
/// a backup or a request can never be anything but eight characters of the
/// alphabet, so stored keys (id bytes + sequence number) cannot run into another
/// meeting's range. (`Default`, the empty id, exists only for an empty state.)
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(try_from = "String", into = "String")]
pub struct MeetingId(String);

impl TryFrom<String> for MeetingId {
    type Error = String;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        MeetingId::parse(&s).ok_or_else(|| format!("{s:?} is not a meeting id"))
    }
}

impl From<MeetingId> for String {
    fn from(id: MeetingId) -> String {
        id.0
    }
}

impl MeetingId {
    /// Accepts exactly [`MEETING_ID_LEN`] characters of [`CODE_ALPHABET`].
    pub fn parse(s: &str) -> Option<Self> {
        let ok = s.len() == MEETING_ID_LEN && s.bytes().all(|b| CODE_ALPHABET.contains(&b));
        ok.then(|| Self(s.to_owned()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MeetingId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

macro_rules! number_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u32);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

number_id!(
    /// A participant (attendee, walk-in, recorder, official) within one meeting; from 1.
    ParticipantId
);
number_id!(
    /// An agenda topic within one meeting; from 1, never reused.
    TopicId
);
number_id!(
    /// An opinion within one meeting; from 1, in submission order.
    OpinionId
);

number_id!(
    /// A vote within one meeting; from 1.
    VoteId
);
number_id!(
    /// A commitment (承诺) within one meeting; from 1.
    CommitmentId
);
number_id!(
    /// A review (回顾) of an earlier commitment within one meeting; from 1.
    ReviewId
);

/// A client-generated command id, unique per sender. A resent command with the same
/// id is applied once and answered with its original result.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CommandId(pub String);

impl CommandId {
    /// 1 to [`crate::limits::COMMAND_ID_MAX`] printable ASCII characters.
    pub fn is_valid(&self) -> bool {
        !self.0.is_empty()
            && self.0.len() <= crate::limits::COMMAND_ID_MAX
            && self.0.bytes().all(|b| b.is_ascii_graphic())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meeting_id_parse_accepts_only_the_alphabet() {
        assert!(MeetingId::parse("k7m2x9qa").is_some());
        assert!(MeetingId::parse("k7m2x9q").is_none(), "too short");
        assert!(MeetingId::parse("k7m2x9q0").is_none(), "0 is not in the alphabet");
        assert!(MeetingId::parse("K7M2X9QA").is_none(), "uppercase");
        assert!(MeetingId::parse("../../et").is_none());
    }

    #[test]
    fn ids_are_transparent_on_the_wire() {
        assert_eq!(serde_json::to_string(&ParticipantId(7)).unwrap(), "7");
        assert_eq!(serde_json::to_string(&CommandId("c-1".into())).unwrap(), "\"c-1\"");
        let id: MeetingId = serde_json::from_str("\"k7m2x9qa\"").unwrap();
        assert_eq!(id.as_str(), "k7m2x9qa");
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"k7m2x9qa\"");
        for bad in ["\"k7m2x9qab\"", "\"k7m2x9q\"", "\"../../et\"", "\"\""] {
            assert!(
                serde_json::from_str::<MeetingId>(bad).is_err(),
                "{bad} is not a meeting id"
            );
        }
    }
}
