//! Who a request acts as, and what that may touch. The transports find the
//! principal (a key, a session cookie); the services and handlers ask it.

use babahui_shared::directory::{Account, Role};
use babahui_shared::ledger::Credential;

/// Who a request (or a command line) acts as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// The organiser key: the whole server, as an administrator.
    Key,
    /// A server started with `--open`, where anyone on the network may write.
    Open,
    /// The server's own command line (`babahui account add`…).
    CommandLine,
    /// A logged-in account.
    Account(Account),
}

impl Principal {
    /// Whether it acts for every community (and the accounts, the audit log).
    pub fn is_admin(&self) -> bool {
        match self {
            Principal::Account(a) => a.role == Role::Admin,
            _ => true,
        }
    }

    /// Whether it may see and change what belongs to `community` (`None`: a
    /// meeting or entry of no community, which only administrators hold).
    pub fn may_act_for(&self, community: Option<&str>) -> bool {
        match self {
            Principal::Account(a) if a.role == Role::Organiser => {
                community.is_some_and(|c| a.communities.iter().any(|mine| mine == c))
            }
            _ => true,
        }
    }

    /// The community a new meeting or entry goes to when the request named
    /// none: an organiser's only community.
    pub fn default_community(&self) -> Option<String> {
        match self {
            Principal::Account(a) if a.role == Role::Organiser && a.communities.len() == 1 => {
                a.communities.first().cloned()
            }
            _ => None,
        }
    }

    /// The credential the ledger records with a change.
    pub fn credential(&self) -> Credential {
        match self {
            Principal::Key => Credential::Organiser,
            Principal::Open => Credential::Open,
            Principal::CommandLine => Credential::CommandLine,
            Principal::Account(a) => Credential::Account {
                id: a.id.clone(),
                name: a.name.clone(),
            },
        }
    }

    /// How the audit log names it.
    pub fn who(&self) -> String {
        match self {
            Principal::Key => "组织者密钥".into(),
            Principal::Open => "开放模式".into(),
            Principal::CommandLine => "命令行".into(),
            Principal::Account(a) => format!("{}（{}）", a.name, a.role.zh()),
        }
    }
}
