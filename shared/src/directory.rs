//! Who a server serves and who may act on it: communities (社区), the
//! accounts of district administrators and community organisers, and the
//! audit log of what they changed. A server with no accounts has none of
//! this: one implicit community, guarded by the organiser key.

use serde::{Deserialize, Serialize};

/// A community's id: a few lowercase letters and digits, made by the server.
pub type CommunityId = String;

/// Whether `id` has the shape the server gives community ids (so that an id
/// from a request can be used as a key without further care).
pub fn valid_community_id(id: &str) -> bool {
    (1..=32).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A community (社区) served by this server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Community {
    /// Id (`c7k2m9qx`).
    pub id: CommunityId,
    /// 玉林东路社区
    pub name: String,
    /// The street office it belongs to (玉林街道).
    pub street: String,
    /// The district (武侯区), if given.
    #[serde(default)]
    pub district: String,
    /// Server time created, ms.
    pub created_at: u64,
}

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// District (or street office) administrator: every community, the
    /// accounts, the audit log, backups.
    Admin,
    /// Community organiser (社区工作者): the meetings and ledger of the
    /// communities the account names, nothing else.
    Organiser,
}

impl Role {
    /// Parses `admin` / `organiser` (and 管理员 / 组织者).
    pub fn parse(s: &str) -> Option<Role> {
        match s.trim() {
            "admin" | "管理员" => Some(Role::Admin),
            "organiser" | "organizer" | "组织者" => Some(Role::Organiser),
            _ => None,
        }
    }

    /// The Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            Role::Admin => "管理员",
            Role::Organiser => "组织者",
        }
    }
}

/// An account as administrators see it (never its password).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// Id (`a…`).
    pub id: String,
    /// The login name (a person's name or a post: 张敏, 玉林东路社区书记).
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// The communities an organiser acts for (empty for an administrator).
    #[serde(default)]
    pub communities: Vec<CommunityId>,
    /// A disabled account cannot log in, and its sessions end.
    #[serde(default)]
    pub disabled: bool,
    /// Server time created, ms.
    pub created_at: u64,
}

/// One line of the audit log: who changed what, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Server time, ms.
    pub at: u64,
    /// Who: an account's name, 组织者密钥 (the organiser key), 命令行 (the
    /// server's command line), a meeting's moderator…
    pub who: String,
    /// What kind of change (`account.add`, `ledger.update`, `login.failed`…).
    pub action: String,
    /// What changed, for a person to read.
    pub detail: String,
}

/// `POST /api/login`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Login {
    /// The account's name.
    pub name: String,
    /// Its password.
    pub password: String,
}

/// `GET /api/me`: who the request acts as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    /// An account's name, or 组织者密钥 / 开放模式.
    pub name: String,
    /// What it may do (the organiser key and an open server act as administrators).
    pub role: Role,
    /// The communities it acts for (every one, for an administrator).
    pub communities: Vec<Community>,
    /// Whether this server has accounts (else: one implicit community).
    pub accounts: bool,
}

/// `POST /api/communities`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCommunity {
    /// 玉林东路社区
    pub name: String,
    /// 玉林街道
    pub street: String,
    /// 武侯区
    #[serde(default)]
    pub district: String,
}

/// `POST /api/accounts`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAccount {
    /// The login name.
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// Communities (organisers: at least one).
    #[serde(default)]
    pub communities: Vec<CommunityId>,
    /// A password; none: the server makes one and answers it once.
    #[serde(default)]
    pub password: Option<String>,
}

/// `POST /api/accounts/{id}`: a change an administrator makes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountChange {
    /// Reset the password: to this one, or (`""`) to a new one the server makes.
    #[serde(default)]
    pub password: Option<String>,
    /// Disable (true) or enable (false) the account.
    #[serde(default)]
    pub disabled: Option<bool>,
    /// The communities it acts for, replacing the old list.
    #[serde(default)]
    pub communities: Option<Vec<CommunityId>>,
}

/// The answer to creating an account or resetting its password: the password
/// is shown this once, never stored in the clear.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountWithPassword {
    /// The account.
    pub account: Account,
    /// The password the server made, if it made one.
    #[serde(default)]
    pub password: Option<String>,
}

/// `POST /api/communities/{id}/sync-token`: a new token for a laptop to sync
/// this community's meetings (shown once; stored hashed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncToken {
    /// The community.
    pub community: CommunityId,
    /// The token.
    pub token: String,
}
