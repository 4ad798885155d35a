//! The open sled database, and the one slot that holds it so that it can be
//! dropped and opened again after a failed write (sled 0.34 refuses
//! everything after an I/O error until reopened).

use super::error::StoreError;
use std::path::Path;

/// The open sled database and its trees. Replaced as a whole when the
/// database has to be reopened (see [`Shared::reopen`]).
pub(super) struct Handles {
    pub(super) db: sled::Db,
    pub(super) log: sled::Tree,
    pub(super) meetings: sled::Tree,
}

impl Handles {
    pub(super) fn open(dir: &Path) -> Result<Handles, StoreError> {
        let config = sled::Config::new().path(dir).mode(sled::Mode::HighThroughput);
        let db = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || config.open())).map_err(|panic| {
            StoreError::Unreadable {
                dir: dir.display().to_string(),
                why: panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "unknown".into()),
            }
        })??;
        Ok(Handles {
            log: db.open_tree("log")?,
            meetings: db.open_tree("meetings")?,
            db,
        })
    }
}

/// What every clone of the store and the writer thread share. sled 0.34 fails
/// every operation after an I/O error in its log (a full disk): the only way
/// back is to drop the database and open it again, which needs every handle to
/// it gone — hence one slot, read-locked for each use, write-locked to reopen.
pub(super) struct Shared {
    pub(super) dir: std::path::PathBuf,
    pub(super) handles: std::sync::RwLock<Option<Handles>>,
    /// Set while writes that failed have not yet been taken back on disk
    /// (see `writer_loop`): a meeting must not be loaded afresh then, since
    /// its log may still hold events nobody was told of.
    pub(super) undo_pending: std::sync::atomic::AtomicBool,
}

impl Shared {
    pub(super) fn with<T>(&self, f: impl FnOnce(&Handles) -> Result<T, StoreError>) -> Result<T, StoreError> {
        {
            let guard = self.handles.read().unwrap_or_else(|p| p.into_inner());
            if let Some(h) = guard.as_ref() {
                return f(h);
            }
        }
        // Closed after a failed write and not yet reopened (the disk was still
        // full): any use tries again, so reads come back as soon as they can.
        self.reopen_if(false);
        let guard = self.handles.read().unwrap_or_else(|p| p.into_inner());
        match guard.as_ref() {
            Some(h) => f(h),
            None => Err(StoreError::Unavailable(
                "the database could not be reopened after a write failed".into(),
            )),
        }
    }

    /// Drops the database (after a failed flush) and opens it again; until it
    /// opens, every operation fails with a storage error. Returns whether it is open.
    pub(super) fn reopen(&self) -> bool {
        self.reopen_if(true)
    }

    /// Opens the database if it is closed (another thread may have opened it
    /// meanwhile); with `force`, drops an open one first.
    fn reopen_if(&self, force: bool) -> bool {
        let mut slot = self.handles.write().unwrap_or_else(|p| p.into_inner());
        if slot.is_some() && !force {
            return true;
        }
        if slot.take().is_some() {
            tracing::warn!("reopening the database after a failed write");
        }
        match Handles::open(&self.dir) {
            Ok(h) => {
                *slot = Some(h);
                true
            }
            Err(e) => {
                tracing::warn!(error = %e, "the database cannot be reopened yet");
                false
            }
        }
    }
}
