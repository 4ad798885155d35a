//! Accounts: district administrators and community organisers, each with a
//! password hashed by argon2id. Administrators make and change them.

use super::handle::Directory;
use super::passwords;
use super::principal::Principal;
use crate::service::error::{blocking, ServiceError};
use crate::store::Docs;
use babahui_shared::directory::{Account, AccountChange, AccountWithPassword, NewAccount, Role};
use babahui_shared::limits::NAME_MAX_CHARS;
use babahui_shared::{CommandError, ErrorCode};
use serde::{Deserialize, Serialize};

/// An account as the store keeps it: with its password's hash.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct StoredAccount {
    pub account: Account,
    /// argon2id, as a PHC string.
    pub password: String,
}

fn admins_only() -> ServiceError {
    ServiceError::refused(ErrorCode::Forbidden, "only an administrator manages accounts")
}

/// The password given (checked), or one the server makes (and answers once).
fn chosen_or_made(given: Option<&str>) -> Result<(String, Option<String>), CommandError> {
    match given.filter(|p| !p.is_empty()) {
        Some(p) => match passwords::unusable(p) {
            Some(why) => Err(CommandError::new(ErrorCode::Invalid, why)),
            None => Ok((p.to_owned(), None)),
        },
        None => {
            let made = passwords::generate();
            Ok((made.clone(), Some(made)))
        }
    }
}

impl Directory {
    /// Every account, by name.
    pub async fn accounts(&self) -> Result<Vec<Account>, ServiceError> {
        let mut all: Vec<Account> = self.stored_accounts().await?.into_iter().map(|s| s.account).collect();
        all.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(all)
    }

    pub(super) async fn stored_accounts(&self) -> Result<Vec<StoredAccount>, ServiceError> {
        Ok(self.list(Docs::Accounts).await?.into_iter().map(|(_, a)| a).collect())
    }

    /// Whether this server has any account (else it is a courtyard laptop's:
    /// the organiser key alone).
    pub async fn has_accounts(&self) -> Result<bool, ServiceError> {
        Ok(!self.stored_accounts().await?.is_empty())
    }

    /// The communities of `communities` that exist, or a refusal naming one that does not.
    async fn known(&self, role: Role, communities: &[String]) -> Result<Vec<String>, ServiceError> {
        if role == Role::Admin {
            return Ok(Vec::new());
        }
        if communities.is_empty() {
            return Err(ServiceError::refused(
                ErrorCode::Invalid,
                "an organiser acts for at least one community: name it (--community ID)",
            ));
        }
        let mut out = Vec::new();
        for c in communities {
            out.push(self.community(c).await?.id);
        }
        out.dedup();
        Ok(out)
    }

    /// Makes an account (administrators, or the command line on the server's machine).
    pub async fn add_account(
        &self,
        by: &Principal,
        new: NewAccount,
        now: u64,
    ) -> Result<AccountWithPassword, ServiceError> {
        if !by.is_admin() {
            return Err(admins_only());
        }
        let name = babahui_shared::decide::clean_text(&new.name, NAME_MAX_CHARS, "name")?;
        let communities = self.known(new.role, &new.communities).await?;
        let (password, made) = chosen_or_made(new.password.as_deref())?;
        let hash = blocking(move || Ok(passwords::hash(&password))).await?;
        let _held = self.hold().await?;
        if self.stored_accounts().await?.iter().any(|s| s.account.name == name) {
            return Err(CommandError::conflict(format!("an account named {name:?} exists")).into());
        }
        let account = Account {
            id: format!("a{}", crate::tokens::new_code(9)),
            name,
            role: new.role,
            communities,
            disabled: false,
            created_at: now,
        };
        let stored = StoredAccount {
            account: account.clone(),
            password: hash,
        };
        self.put(Docs::Accounts, &account.id, Some(&stored)).await?;
        let detail = format!(
            "{}（{}）{}",
            account.name,
            account.role.zh(),
            account.communities.join(",")
        );
        self.audit_by(by, "account.add", detail, now).await?;
        Ok(AccountWithPassword {
            account,
            password: made,
        })
    }

    /// An administrator's change to an account: a new password, disabled or
    /// enabled, its communities.
    pub async fn change_account(
        &self,
        by: &Principal,
        id: &str,
        change: AccountChange,
        now: u64,
    ) -> Result<AccountWithPassword, ServiceError> {
        if !by.is_admin() {
            return Err(admins_only());
        }
        let new_password = match &change.password {
            None => None,
            Some(p) => Some(chosen_or_made(Some(p))?),
        };
        let hash = match &new_password {
            None => None,
            Some((p, _)) => {
                let p = p.clone();
                Some(blocking(move || Ok(passwords::hash(&p))).await?)
            }
        };
        let _held = self.hold().await?;
        let mut stored: StoredAccount = self
            .get(Docs::Accounts, id)
            .await?
            .ok_or_else(|| ServiceError::refused(ErrorCode::NotFound, format!("no account {id:?}")))?;
        let mut said = Vec::new();
        if let Some(hash) = hash {
            stored.password = hash;
            said.push("密码已重置".to_owned());
        }
        if let Some(disabled) = change.disabled {
            if disabled && matches!(by, Principal::Account(me) if me.id == stored.account.id) {
                return Err(ServiceError::refused(
                    ErrorCode::Invalid,
                    "an administrator cannot disable their own account",
                ));
            }
            stored.account.disabled = disabled;
            said.push(if disabled { "停用" } else { "启用" }.to_owned());
        }
        if let Some(communities) = &change.communities {
            stored.account.communities = self.known(stored.account.role, communities).await?;
            said.push(format!("社区：{}", stored.account.communities.join(",")));
        }
        self.put(Docs::Accounts, id, Some(&stored)).await?;
        let detail = format!("{}：{}", stored.account.name, said.join("；"));
        self.audit_by(by, "account.change", detail, now).await?;
        Ok(AccountWithPassword {
            account: stored.account,
            password: new_password.and_then(|(_, made)| made),
        })
    }
}
