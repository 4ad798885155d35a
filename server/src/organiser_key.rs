//! The organiser key: the one secret that lets a device create meetings, write
//! the issue ledger, list, back up, import and delete meetings.
//!
//! Secure by default: the first `babahui serve` on a data folder makes a key and
//! keeps it in `organiser.key` beside the data (readable by the owner only, mode
//! 0600), so every start prints the same organiser link. Nobody else on the
//! Wi-Fi can close a ledger entry or create a meeting without it. `--open`
//! (an explicit choice, printed as a warning) runs without one;
//! `--organiser-key` sets one explicitly; `babahui new-organiser-key` replaces a
//! leaked one (the old link stops working at the next start).

use std::io::Write;
use std::path::{Path, PathBuf};

/// The key file's name inside the data folder.
pub const FILE_NAME: &str = "organiser.key";

/// Where the key of the data folder `data` is kept.
pub fn path(data: &Path) -> PathBuf {
    data.join(FILE_NAME)
}

/// The key kept in `data`, if there is one.
pub fn read(data: &Path) -> std::io::Result<Option<String>> {
    match std::fs::read_to_string(path(data)) {
        Ok(s) => Ok(Some(s.trim().to_owned()).filter(|k| !k.is_empty())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// The key kept in `data`, made (and kept) first if there is none.
pub fn read_or_create(data: &Path) -> std::io::Result<String> {
    match read(data)? {
        Some(key) => Ok(key),
        None => replace(data),
    }
}

/// Makes a new key and keeps it in `data` in place of the old one (written to
/// a temporary file first, so a crash leaves the old key or the new, never half).
pub fn replace(data: &Path) -> std::io::Result<String> {
    let key = crate::tokens::new_token();
    let tmp = data.join(format!("{FILE_NAME}.new"));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&tmp)?;
    file.write_all(key.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600))?;
    }
    std::fs::rename(&tmp, path(data))?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_made_once_kept_private_and_replaced_on_demand() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read(dir.path()).unwrap(), None);
        let first = read_or_create(dir.path()).unwrap();
        assert!(first.len() >= 22);
        assert_eq!(
            read_or_create(dir.path()).unwrap(),
            first,
            "the same key at every start"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path(dir.path())).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "only the owner may read the key");
        }
        let second = replace(dir.path()).unwrap();
        assert_ne!(second, first);
        assert_eq!(read(dir.path()).unwrap(), Some(second));
    }
}
