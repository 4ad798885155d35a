//! What this server knows of the servers it syncs with: its own origin id
//! (made once: `laptop-…` on a laptop, the same on a district, which tells
//! them apart only by role), what it received from each laptop, and its
//! last sync.

use super::handle::Directory;
use crate::service::error::ServiceError;
use crate::store::Docs;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
struct Own {
    id: String,
}

/// The key of this server's own origin id.
const OWN: &str = "self";

impl Directory {
    /// This server's origin id, made at the first call and kept.
    pub async fn origin_id(&self) -> Result<String, ServiceError> {
        if let Some(own) = self.get::<Own>(Docs::Synced, OWN).await? {
            return Ok(own.id);
        }
        let _held = self.hold().await?;
        if let Some(own) = self.get::<Own>(Docs::Synced, OWN).await? {
            return Ok(own.id);
        }
        let own = Own {
            id: format!("srv-{}", crate::tokens::new_code(12)),
        };
        self.put(Docs::Synced, OWN, Some(&own)).await?;
        Ok(own.id)
    }

    /// A sync record (`key` of [`Docs::Synced`]).
    pub async fn synced<T: DeserializeOwned + Send + 'static>(&self, key: &str) -> Result<Option<T>, ServiceError> {
        self.get(Docs::Synced, key).await
    }

    /// Keeps a sync record.
    pub async fn set_synced<T: Serialize>(&self, key: &str, value: &T) -> Result<(), ServiceError> {
        self.put(Docs::Synced, key, Some(value)).await
    }

    /// Every sync record of type `T` (others are skipped), by key.
    pub async fn all_synced<T: DeserializeOwned + Send + 'static>(&self) -> Result<Vec<(String, T)>, ServiceError> {
        let store = self.store.clone();
        let rows = crate::service::error::blocking(move || store.doc_list(Docs::Synced)).await?;
        Ok(rows
            .into_iter()
            .filter_map(|(k, v)| serde_json::from_str(&v).ok().map(|t| (k, t)))
            .collect())
    }
}
