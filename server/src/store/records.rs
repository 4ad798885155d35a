//! What the log holds: records (an event and its private part), the index of
//! meetings, what a live meeting is loaded from, and how keys are made.

use babahui_shared::{Actor, CommandId, Event, MeetingId, Seq};
use serde::{Deserialize, Serialize};

/// A capability granted by an event: whoever holds the token whose SHA-256 is
/// `hash` acts as `to`. Only hashes are stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// Hex SHA-256 of the token.
    pub hash: String,
    /// Who the token makes its holder.
    pub to: Actor,
}

/// What is stored with an event but never sent to clients.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Meta {
    /// Id of the command that produced the event (for idempotent resends).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<CommandId>,
    /// Tokens this event grants.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<Grant>,
    /// A new join invite code (meeting creation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invite: Option<String>,
}

/// One record of the log as read back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredEvent {
    /// The public event.
    pub event: Event,
    /// The private part.
    #[serde(default)]
    pub meta: Meta,
}

/// One record to append: the event already serialised (the same JSON goes to
/// clients, so it is produced once) and its meta.
#[derive(Debug, Clone)]
pub struct NewRecord {
    /// Sequence number.
    pub seq: Seq,
    /// `serde_json::to_string(&event)`.
    pub event_json: std::sync::Arc<str>,
    /// Private part.
    pub meta: Meta,
}

/// A meeting's entry in the index of meetings (the same as the API lists).
pub use babahui_shared::api::MeetingIndex;

/// Key of one event: meeting id bytes then the big-endian sequence number.
pub fn event_key(meeting: &MeetingId, seq: Seq) -> Vec<u8> {
    let mut key = Vec::with_capacity(meeting.as_str().len() + 8);
    key.extend_from_slice(meeting.as_str().as_bytes());
    key.extend_from_slice(&seq.to_be_bytes());
    key
}

pub(super) fn key_seq(key: &[u8]) -> Option<Seq> {
    let tail: [u8; 8] = key.get(key.len().checked_sub(8)?..)?.try_into().ok()?;
    Some(Seq::from_be_bytes(tail))
}

pub(super) fn describe_key(key: &[u8]) -> String {
    match key_seq(key) {
        Some(seq) if key.len() > 8 => {
            format!("{}#{seq}", String::from_utf8_lossy(&key[..key.len() - 8]))
        }
        _ => String::from_utf8_lossy(key).into_owned(),
    }
}

/// The stored bytes of one record: the event JSON is embedded as-is.
pub(super) fn encode(record: &NewRecord) -> Vec<u8> {
    let meta = serde_json::to_string(&record.meta).expect("meta serialises");
    format!("{{\"event\":{},\"meta\":{}}}", record.event_json, meta).into_bytes()
}

/// `records` (a meeting's log read from 1) if they reach `last`, else the
/// hole: what `load_upto` promises on every backend.
pub(super) fn reaching(
    meeting: &MeetingId,
    last: Seq,
    records: Vec<StoredEvent>,
) -> Result<Vec<StoredEvent>, super::error::StoreError> {
    if records.len() as Seq != last {
        return Err(super::error::StoreError::Gap {
            meeting: meeting.clone(),
            expected: records.len() as Seq + 1,
            found: 0,
        });
    }
    Ok(records)
}
