//! Logging in and out. A session is a random token in an HttpOnly,
//! SameSite=Strict cookie; the store keeps only its hash, the account and
//! when it expires. Logins are limited per account (failures) and per address
//! (attempts), so a password cannot be guessed from the Wi-Fi.

use super::accounts::StoredAccount;
use super::handle::Directory;
use super::passwords;
use crate::service::error::{blocking, ServiceError};
use crate::store::Docs;
use babahui_shared::directory::Account;
use babahui_shared::ErrorCode;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use std::time::Duration;

/// The cookie's name.
pub const SESSION_COOKIE: &str = "bbh_session";
/// How long a session lasts after login: a working day.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(12 * 3600);

#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredSession {
    account: String,
    created: u64,
    expires: u64,
}

/// A hash to check a wrong name against, so that a name that does not exist
/// takes as long to refuse as a wrong password.
fn decoy() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| passwords::hash("no such account"))
}

fn wrong() -> ServiceError {
    ServiceError::refused(ErrorCode::Unauthenticated, "wrong name or password")
}

fn wait(d: Duration) -> ServiceError {
    ServiceError::refused(
        ErrorCode::RateLimited,
        format!("too many attempts: {}", crate::rate::wait_words(d)),
    )
}

impl Directory {
    /// Checks a name and password; on success starts a session and returns
    /// its token (for the cookie) and the account.
    pub async fn login(
        &self,
        name: &str,
        password: &str,
        from: IpAddr,
        now: u64,
    ) -> Result<(String, Account), ServiceError> {
        let name = name.trim().to_owned();
        self.limits.per_address.take(&from).map_err(wait)?;
        self.limits.per_account.peek(&name).map_err(wait)?;
        if password.chars().count() > passwords::MAX_CHARS {
            return Err(wrong());
        }
        let found: Option<StoredAccount> = self
            .stored_accounts()
            .await?
            .into_iter()
            .find(|s| s.account.name == name);
        let phc = found
            .as_ref()
            .map_or_else(|| decoy().to_owned(), |s| s.password.clone());
        let password = password.to_owned();
        let matches = blocking(move || Ok(passwords::verify(&password, &phc))).await?;
        let account = match found {
            Some(s) if matches => s.account,
            _ => {
                let _ = self.limits.per_account.take(&name);
                self.audit(&name, "login.failed", format!("来自 {from}"), now).await?;
                return Err(wrong());
            }
        };
        if account.disabled {
            self.audit(&name, "login.refused", "账号已停用".into(), now).await?;
            return Err(ServiceError::refused(
                ErrorCode::Forbidden,
                "this account is disabled: ask an administrator",
            ));
        }
        self.forget_expired(now).await?;
        let token = crate::tokens::new_token();
        let session = StoredSession {
            account: account.id.clone(),
            created: now,
            expires: now + SESSION_LIFETIME.as_millis() as u64,
        };
        self.put(Docs::Sessions, &crate::tokens::hash_token(&token), Some(&session))
            .await?;
        let who = super::principal::Principal::Account(account.clone()).who();
        self.audit(&who, "login", format!("来自 {from}"), now).await?;
        Ok((token, account))
    }

    /// The account a session token stands for, if the session is current and
    /// the account enabled.
    pub async fn session(&self, token: &str, now: u64) -> Result<Option<Account>, ServiceError> {
        let key = crate::tokens::hash_token(token);
        let Some(session) = self.get::<StoredSession>(Docs::Sessions, &key).await? else {
            return Ok(None);
        };
        if session.expires <= now {
            self.put::<StoredSession>(Docs::Sessions, &key, None).await?;
            return Ok(None);
        }
        let account: Option<StoredAccount> = self.get(Docs::Accounts, &session.account).await?;
        Ok(account.map(|s| s.account).filter(|a| !a.disabled))
    }

    /// Ends a session.
    pub async fn logout(&self, token: &str, now: u64) -> Result<(), ServiceError> {
        if let Some(account) = self.session(token, now).await? {
            let who = super::principal::Principal::Account(account).who();
            self.audit(&who, "logout", String::new(), now).await?;
        }
        self.put::<StoredSession>(Docs::Sessions, &crate::tokens::hash_token(token), None)
            .await
    }

    async fn forget_expired(&self, now: u64) -> Result<(), ServiceError> {
        for (key, s) in self.list::<StoredSession>(Docs::Sessions).await? {
            if s.expires <= now {
                self.put::<StoredSession>(Docs::Sessions, &key, None).await?;
            }
        }
        Ok(())
    }
}
