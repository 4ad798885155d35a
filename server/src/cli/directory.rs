//! `babahui community …` and `babahui account …`: setting up a district
//! server's communities and accounts on its own machine, on its data folder
//! (while the server is stopped: sled lets one process open it) or its
//! database (at any time).

use super::open_database;
use crate::service::{Directory, Principal};
use crate::store::Store;
use babahui_shared::directory::{NewAccount, NewCommunity, Role};
use clap::{Args, Subcommand};
use std::io::IsTerminal;
use std::path::PathBuf;

/// Where the server keeps its data: a folder, or a district's database.
#[derive(Debug, Args)]
pub struct Storage {
    /// The server's data folder (the server must be stopped).
    #[arg(long, env = "BABAHUI_DATA", default_value = "./babahui-data")]
    data: PathBuf,
    /// Or a district service's database (it may be running).
    #[arg(long, env = "BABAHUI_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
}

impl Storage {
    fn open(&self) -> anyhow::Result<Store> {
        if let Some(url) = &self.database_url {
            return open_database(url);
        }
        if !self.data.exists() {
            anyhow::bail!(
                "no data folder {}: start the server once with --data {} (or give --database-url)",
                self.data.display(),
                self.data.display()
            );
        }
        Store::open(&self.data).map_err(|e| {
            anyhow::anyhow!(
                "cannot open {}: {e}\n  → if the server is running on it, stop it first (one process may open a data folder), then run this again",
                self.data.display()
            )
        })
    }
}

/// `babahui community …`
#[derive(Debug, Subcommand)]
pub enum CommunityCmd {
    /// Add a community (社区); prints its id.
    Add {
        /// 玉林东路社区
        #[arg(long)]
        name: String,
        /// The street office (街道): 玉林街道
        #[arg(long)]
        street: String,
        /// The district (区): 武侯区
        #[arg(long, default_value = "")]
        district: String,
        #[command(flatten)]
        storage: Storage,
    },
    /// Print a new sync token for a community (for `babahui sync` on its laptop).
    Token {
        /// The community's id.
        id: String,
        #[command(flatten)]
        storage: Storage,
    },
    /// List the communities.
    List {
        #[command(flatten)]
        storage: Storage,
    },
}

/// `babahui account …`
#[derive(Debug, Subcommand)]
pub enum AccountCmd {
    /// Add an account; asks for its password (or makes one and prints it).
    Add {
        /// The login name.
        #[arg(long)]
        name: String,
        /// admin (every community, the accounts) or organiser (their communities).
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// A community the organiser acts for (repeat for more).
        #[arg(long = "community")]
        communities: Vec<String>,
        #[command(flatten)]
        storage: Storage,
    },
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| format!("{s:?}: say admin or organiser"))
}

/// Runs the work on the store, then lets go of it.
async fn with_store<T>(storage: &Storage, f: impl AsyncFnOnce(&Directory) -> anyhow::Result<T>) -> anyhow::Result<T> {
    let store = storage.open()?;
    let result = f(&Directory::new(store.clone())).await;
    store.close();
    result
}

/// `babahui community …`
pub async fn community(cmd: CommunityCmd) -> anyhow::Result<()> {
    let now = crate::clock::system_now_ms();
    match cmd {
        CommunityCmd::Add {
            name,
            street,
            district,
            storage,
        } => {
            let c = with_store(&storage, async |d| {
                let new = NewCommunity { name, street, district };
                Ok(d.add_community(&Principal::CommandLine, new, now).await?)
            })
            .await?;
            eprintln!("社区已添加 / community added: {}（{}）", c.name, c.street);
            println!("{}", c.id);
        }
        CommunityCmd::Token { id, storage } => {
            let t = with_store(&storage, async |d| {
                Ok(d.new_sync_token(&Principal::CommandLine, &id, now).await?)
            })
            .await?;
            eprintln!("同步令牌（只显示这一次，请妥善保管）/ sync token (shown once; keep it safe):");
            println!("{}", t.token);
        }
        CommunityCmd::List { storage } => {
            for c in with_store(&storage, async |d| Ok(d.communities().await?)).await? {
                println!("{}\t{}\t{}\t{}", c.id, c.name, c.street, c.district);
            }
        }
    }
    Ok(())
}

/// The password typed twice at a terminal; none (the server makes one) when
/// left empty or when no one is at a terminal.
fn ask_password() -> anyhow::Result<Option<String>> {
    if !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    let first = rpassword::prompt_password("密码（留空则自动生成）/ password (empty: make one): ")?;
    if first.is_empty() {
        return Ok(None);
    }
    let again = rpassword::prompt_password("再输一次 / again: ")?;
    if again != first {
        anyhow::bail!("the two passwords differ; nothing was changed");
    }
    Ok(Some(first))
}

/// `babahui account …`
pub async fn account(cmd: AccountCmd) -> anyhow::Result<()> {
    let now = crate::clock::system_now_ms();
    match cmd {
        AccountCmd::Add {
            name,
            role,
            communities,
            storage,
        } => {
            let password = ask_password()?;
            let made = with_store(&storage, async |d| {
                let new = NewAccount {
                    name,
                    role,
                    communities,
                    password,
                };
                Ok(d.add_account(&Principal::CommandLine, new, now).await?)
            })
            .await?;
            let a = &made.account;
            eprintln!(
                "账号已添加 / account added: {}（{}）{}",
                a.name,
                a.role.zh(),
                a.communities.join(", ")
            );
            if let Some(p) = &made.password {
                eprintln!("密码（只显示这一次）/ password (shown once):");
                println!("{p}");
            }
        }
    }
    Ok(())
}

/// Options of `babahui sync`.
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The district server (https://district.example).
    #[arg(long)]
    to: String,
    /// This community's id on the district.
    #[arg(long)]
    community: String,
    /// The community's sync token (from `babahui community token` or the administration page).
    #[arg(long, env = "BABAHUI_SYNC_TOKEN", hide_env_values = true)]
    token: String,
    /// Read a stopped laptop server's data folder directly instead of asking the running one.
    #[arg(long)]
    data: Option<PathBuf>,
    #[command(flatten)]
    running: super::running::Running,
}

/// `babahui sync`: this laptop's finished meetings and ledger to the
/// district; the community's open matters back.
pub async fn sync(args: SyncArgs) -> anyhow::Result<()> {
    use crate::service::sync::Report;
    let report: Report = match &args.data {
        Some(dir) => {
            let storage = Storage {
                data: dir.clone(),
                database_url: None,
            };
            let store = storage.open()?;
            let directory = Directory::new(store.clone());
            let ledger = crate::service::Ledger::new(store.clone(), directory.clone());
            let now = crate::clock::system_now_ms();
            let result =
                crate::service::sync::sync_to(&store, &ledger, &directory, &args.to, &args.community, &args.token, now)
                    .await;
            store.close();
            result?
        }
        None => {
            let running = &args.running;
            let req = running
                .request(reqwest::Method::POST, "/api/sync/run")?
                .json(&serde_json::json!({"to": args.to, "community": args.community, "token": args.token}));
            running.send(req).await?.json().await?
        }
    };
    println!(
        "同步完成 / synced with {}: {} meetings ({} new events); ledger sent: {} new, {} updated; open matters received: {} new, {} updated; photos sent {}, received {}",
        report.to,
        report.meetings,
        report.events_added,
        report.pushed.created,
        report.pushed.updated,
        report.pulled.created,
        report.pulled.updated,
        report.photos_sent,
        report.photos_fetched
    );
    Ok(())
}
