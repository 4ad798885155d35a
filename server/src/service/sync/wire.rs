//! The bodies a laptop and its district exchange (`/api/sync/…`).

use crate::service::archive::Archive;
use babahui_shared::ledger::LedgerEntry;
use babahui_shared::MeetingId;
use serde::{Deserialize, Serialize};

/// `POST /api/sync/meetings`: one finished meeting, whole.
#[derive(Debug, Serialize, Deserialize)]
pub struct MeetingIn {
    /// The laptop's origin id.
    pub origin: String,
    /// The meeting's log as the laptop holds it.
    pub archive: Archive,
}

/// What the district did with a meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingReceived {
    /// The id of the district's copy.
    pub id: MeetingId,
    /// Its last sequence number.
    pub seq: u64,
    /// Events it did not have before (0: unchanged).
    pub added: u64,
}

/// `POST /api/sync/ledger`: the laptop's ledger.
#[derive(Debug, Serialize, Deserialize)]
pub struct LedgerIn {
    /// The laptop's origin id.
    pub origin: String,
    /// Every entry the laptop holds.
    pub entries: Vec<LedgerEntry>,
}

/// What merging a ledger did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Merged {
    /// Entries new to the receiver.
    pub created: u32,
    /// Entries that gained history lines.
    pub updated: u32,
    /// Entries it had whole already.
    pub unchanged: u32,
    /// Entries of another community, left alone.
    pub refused: u32,
}

impl From<[u32; 4]> for Merged {
    fn from([created, updated, unchanged, refused]: [u32; 4]) -> Merged {
        Merged {
            created,
            updated,
            unchanged,
            refused,
        }
    }
}

/// `GET /api/sync/ledger`: the community's open matters.
#[derive(Debug, Serialize, Deserialize)]
pub struct LedgerOut {
    /// The district's origin id.
    pub origin: String,
    /// Entries not yet done.
    pub entries: Vec<LedgerEntry>,
}

/// `POST /api/sync/photos/missing`: the photos a laptop's ledger names.
#[derive(Debug, Serialize, Deserialize)]
pub struct PhotoIds {
    /// Photo ids.
    pub ids: Vec<String>,
}

/// …and those of them the district does not have.
#[derive(Debug, Serialize, Deserialize)]
pub struct MissingPhotos {
    /// Photo ids to send.
    pub missing: Vec<String>,
}
