//! The audit log: every account action and every write to the ledger, with
//! who, when and what changed; administrators read it.

use super::handle::Directory;
use super::principal::Principal;
use crate::service::error::ServiceError;
use crate::store::Docs;
use babahui_shared::directory::AuditEntry;

impl Directory {
    /// Writes one line (durably: the change it records is answered after).
    pub async fn audit(&self, who: &str, action: &str, detail: String, now: u64) -> Result<(), ServiceError> {
        let entry = AuditEntry {
            at: now,
            who: who.to_owned(),
            action: action.to_owned(),
            detail,
        };
        let key = format!("{now:016}-{}", crate::tokens::new_code(6));
        self.put(Docs::Audit, &key, Some(&entry)).await
    }

    /// Writes one line in `principal`'s name.
    pub async fn audit_by(
        &self,
        principal: &Principal,
        action: &str,
        detail: String,
        now: u64,
    ) -> Result<(), ServiceError> {
        self.audit(&principal.who(), action, detail, now).await
    }

    /// The latest `limit` lines, newest first.
    pub async fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>, ServiceError> {
        let mut all: Vec<AuditEntry> = self.list(Docs::Audit).await?.into_iter().map(|(_, e)| e).collect();
        all.reverse();
        all.truncate(limit);
        Ok(all)
    }
}
