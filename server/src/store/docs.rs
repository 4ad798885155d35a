//! Small documents kept beside the meetings' logs: the communities, accounts,
//! sessions, sync tokens and audit log of a server that has them (see
//! `service::directory`), and what residents send between meetings (matters,
//! photos, seconds: `service::matters`, `service::photos`). Each kind is a map from a key to a JSON text; each
//! write is durable when it returns. They are few and change rarely (a login,
//! an account made), so they need no group commit.

/// The kinds of document (`Backend::doc_get` and the rest).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Docs {
    /// Communities, by id.
    Communities,
    /// Accounts, by id.
    Accounts,
    /// Login sessions, by the hash of their cookie.
    Sessions,
    /// Sync tokens, by their hash.
    SyncTokens,
    /// The audit log, by time (`{at:016}-{random}`), so a key's order is time's.
    Audit,
    /// What a district has received from each laptop (meetings and ledger lines), by origin.
    Synced,
    /// Matters residents sent (听群众说事), by number (`{id:010}`, so a key's order is theirs).
    Matters,
    /// Photos (JPEG, stripped and resized), by their random id.
    Photos,
    /// Which phone seconded (附议) which ledger entry, by `{entry}/{phone}`.
    Seconds,
    /// Voice opinions' clips, by `{meeting}/{clip}` (a meeting's are found,
    /// archived and deleted by that prefix).
    Clips,
}

impl Docs {
    /// The kinds a backup keeps: all but sessions (a restored server asks
    /// people to log in again).
    pub const KEPT: [Docs; 9] = [
        Docs::Communities,
        Docs::Accounts,
        Docs::SyncTokens,
        Docs::Audit,
        Docs::Synced,
        Docs::Matters,
        Docs::Photos,
        Docs::Seconds,
        Docs::Clips,
    ];

    /// The kind of this name ([`Docs::name`]).
    pub fn named(name: &str) -> Option<Docs> {
        Docs::KEPT
            .into_iter()
            .chain([Docs::Sessions])
            .find(|d| d.name() == name)
    }

    /// The name the stores keep it under (a sled tree `doc:{name}`, the
    /// `kind` column of PostgreSQL's `documents`).
    pub fn name(self) -> &'static str {
        match self {
            Docs::Communities => "communities",
            Docs::Accounts => "accounts",
            Docs::Sessions => "sessions",
            Docs::SyncTokens => "sync_tokens",
            Docs::Audit => "audit",
            Docs::Synced => "synced",
            Docs::Matters => "matters",
            Docs::Photos => "photos",
            Docs::Seconds => "seconds",
            Docs::Clips => "clips",
        }
    }
}

/// How the sled backend keeps documents: one tree per kind, flushed on every write.
pub(super) mod on_sled {
    use crate::store::docs::Docs;
    use crate::store::error::StoreError;

    fn tree(db: &sled::Db, kind: Docs) -> Result<sled::Tree, StoreError> {
        Ok(db.open_tree(format!("doc:{}", kind.name()))?)
    }

    fn text(key: &[u8], value: &[u8]) -> Result<String, StoreError> {
        String::from_utf8(value.to_vec()).map_err(|_| StoreError::Damaged {
            key: String::from_utf8_lossy(key).into_owned(),
            source: serde::de::Error::custom("not UTF-8"),
        })
    }

    pub(crate) fn get(db: &sled::Db, kind: Docs, key: &str) -> Result<Option<String>, StoreError> {
        match tree(db, kind)?.get(key.as_bytes())? {
            Some(v) => Ok(Some(text(key.as_bytes(), &v)?)),
            None => Ok(None),
        }
    }

    pub(crate) fn put(db: &sled::Db, kind: Docs, key: &str, value: Option<&str>) -> Result<(), StoreError> {
        let tree = tree(db, kind)?;
        match value {
            Some(v) => tree.insert(key.as_bytes(), v.as_bytes())?,
            None => tree.remove(key.as_bytes())?,
        };
        db.flush()?;
        Ok(())
    }

    pub(crate) fn list(db: &sled::Db, kind: Docs, prefix: &str) -> Result<Vec<(String, String)>, StoreError> {
        let mut out = Vec::new();
        for item in tree(db, kind)?.scan_prefix(prefix.as_bytes()) {
            let (k, v) = item?;
            out.push((String::from_utf8_lossy(&k).into_owned(), text(&k, &v)?));
        }
        Ok(out)
    }
}
