//! How much the data folder holds, kept beside sled's files: a folder that
//! holds less than its watermark says is damaged, never a shorter history.

use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::Mutex;

/// The file beside sled's own that records how much the folder holds.
pub const WATERMARK_FILE: &str = "babahui-watermark.json";

/// Key of the stored-events counter in the default tree.
pub(super) const EVENTS_TOTAL: &[u8] = b"events_total";

/// The counts last known to be durable, mirrored to [`WATERMARK_FILE`].
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Counts {
    pub(super) events: u64,
    pub(super) ledger: u64,
}

/// Writes the watermark file after flushes (write a temporary file, rename).
/// Not fsynced: it only has to survive a crash of the process, like sled's
/// flush; after a power cut a stale (lower) watermark raises no false alarm.
#[derive(Debug)]
pub(super) struct Watermark {
    pub(super) path: std::path::PathBuf,
    pub(super) counts: Mutex<Counts>,
}

impl Watermark {
    pub(super) fn read(dir: &Path) -> Counts {
        std::fs::read(dir.join(WATERMARK_FILE))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    pub(super) fn update(&self, f: impl FnOnce(&mut Counts)) {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut counts);
        let tmp = self.path.with_extension("tmp");
        let written = std::fs::write(&tmp, serde_json::to_vec(&*counts).expect("counts serialise"))
            .and_then(|()| std::fs::rename(&tmp, &self.path));
        if let Err(e) = written {
            tracing::warn!(error = %e, "could not write the watermark file");
        }
    }
}

pub(super) fn read_u64(v: Option<sled::IVec>) -> u64 {
    v.and_then(|b| <[u8; 8]>::try_from(b.as_ref()).ok())
        .map(u64::from_be_bytes)
        .unwrap_or(0)
}
