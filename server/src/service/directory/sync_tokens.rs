//! Sync tokens: what a courtyard laptop shows the district to push its
//! community's meetings (`babahui sync`). One community each; kept hashed.

use super::handle::Directory;
use super::principal::Principal;
use crate::service::error::ServiceError;
use crate::store::Docs;
use babahui_shared::directory::SyncToken;
use babahui_shared::ErrorCode;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredSyncToken {
    community: String,
    created: u64,
}

impl Directory {
    /// A new sync token for `community` (its administrators and organisers).
    pub async fn new_sync_token(&self, by: &Principal, community: &str, now: u64) -> Result<SyncToken, ServiceError> {
        let community = self.community(community).await?;
        if !by.may_act_for(Some(&community.id)) {
            return Err(ServiceError::refused(
                ErrorCode::Forbidden,
                "not one of your communities",
            ));
        }
        let token = format!("sync-{}", crate::tokens::new_token());
        let stored = StoredSyncToken {
            community: community.id.clone(),
            created: now,
        };
        self.put(Docs::SyncTokens, &crate::tokens::hash_token(&token), Some(&stored))
            .await?;
        self.audit_by(
            by,
            "sync_token.add",
            format!("{} {}", community.id, community.name),
            now,
        )
        .await?;
        Ok(SyncToken {
            community: community.id,
            token,
        })
    }

    /// The community a sync token is for, if it is one.
    pub async fn sync_community(&self, token: &str) -> Result<Option<String>, ServiceError> {
        let stored: Option<StoredSyncToken> = self.get(Docs::SyncTokens, &crate::tokens::hash_token(token)).await?;
        Ok(stored.map(|s| s.community))
    }
}
