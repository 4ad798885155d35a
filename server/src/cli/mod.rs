//! The command line: `babahui serve` (the default) and `babahui meeting create`.
//! Every option can also come from an environment variable.

mod directory;
mod running;

use crate::config::{Limits, ServerConfig};
use crate::links::LinkBase;
use crate::store::{Store, StoreError};
use anyhow::Context;
use babahui_shared::api::CreatedResponse;
use babahui_shared::NewTopic;
use clap::{Args, Parser, Subcommand};
use running::Running;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Babahui (坝坝会): real-time facilitation for courtyard deliberation meetings.
#[derive(Debug, Parser)]
#[command(name = "babahui", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Cmd>,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Run the server (the default).
    Serve(ServeArgs),
    /// Manage meetings on a running server.
    Meeting {
        #[command(subcommand)]
        command: MeetingCmd,
    },
    /// Save every meeting and the ledger to one file (e.g. on a USB stick).
    Backup(BackupArgs),
    /// Load a backup file into a new, empty data folder.
    Restore(RestoreArgs),
    /// Replace the organiser key (if the organiser link leaked): the old link
    /// stops working when the server next starts.
    NewOrganiserKey(NewKeyArgs),
    /// Communities (社区) of a district server: add, list, sync tokens.
    Community {
        #[command(subcommand)]
        command: directory::CommunityCmd,
    },
    /// Send this laptop's finished meetings and ledger to the district, and
    /// take the community's open matters back.
    Sync(directory::SyncArgs),
    /// Accounts of a district server's administrators and organisers.
    Account {
        #[command(subcommand)]
        command: directory::AccountCmd,
    },
}

/// Options of `babahui new-organiser-key`.
#[derive(Debug, Args)]
struct NewKeyArgs {
    /// The server's data folder.
    #[arg(long, env = "BABAHUI_DATA", default_value = "./babahui-data")]
    data: PathBuf,
}

/// Options of `babahui backup`.
#[derive(Debug, Args)]
struct BackupArgs {
    /// The file to write.
    #[arg(long)]
    out: PathBuf,
    /// Read a stopped server's data folder directly instead of asking a running server.
    #[arg(long, conflicts_with = "database_url")]
    data: Option<PathBuf>,
    /// Read a district service's database directly (it may be running).
    #[arg(long)]
    database_url: Option<String>,
    #[command(flatten)]
    running: Running,
}

/// Options of `babahui restore`.
#[derive(Debug, Args)]
struct RestoreArgs {
    /// The backup file.
    #[arg(long)]
    from: PathBuf,
    /// The data folder to create (must be new or empty).
    #[arg(long, required_unless_present = "database_url", conflicts_with = "database_url")]
    data: Option<PathBuf>,
    /// Or a district service's database (must hold no meetings and no ledger).
    #[arg(long)]
    database_url: Option<String>,
}

#[derive(Debug, Subcommand)]
enum MeetingCmd {
    /// Create a meeting and print its links.
    Create(CreateArgs),
}

/// Options of `babahui serve`.
#[derive(Parser, Clone)]
pub struct ServeArgs {
    /// Address to listen on. 0.0.0.0 lets phones on the same Wi-Fi connect.
    #[arg(long, env = "BABAHUI_ADDR", default_value = "0.0.0.0:8080")]
    pub addr: SocketAddr,
    /// Folder for the data (sled). One server process per folder.
    #[arg(long, env = "BABAHUI_DATA", default_value = "./babahui-data")]
    pub data: PathBuf,
    /// Keep the data in PostgreSQL instead (a street office's or district's
    /// service, several nodes on one database): postgres://user@host/db.
    /// Several hosts with target_session_attrs=read-write follow a failover.
    #[arg(long, env = "BABAHUI_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// With --database-url: the address the other nodes reach this one at
    /// (default: the address it listens on).
    #[arg(long, env = "BABAHUI_NODE_URL")]
    pub node_url: Option<String>,
    /// The address people use to reach this server, for links and QR codes
    /// (e.g. https://bbh.example.org). Default: the address a request came in on.
    #[arg(long, env = "BABAHUI_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// The organiser key (creating meetings, writing the ledger, backups). Default:
    /// the one kept in the data folder, made at the first start.
    #[arg(long, env = "BABAHUI_ORGANISER_KEY", hide_env_values = true, conflicts_with = "open")]
    pub organiser_key: Option<String>,
    /// Run without an organiser key: anyone on the network may create meetings
    /// and write the issue ledger. Only for a network you fully trust.
    #[arg(long, env = "BABAHUI_OPEN")]
    pub open: bool,
    /// Seconds between WebSocket pings; a connection silent for three of these is closed.
    #[arg(long, env = "BABAHUI_HEARTBEAT_SECS", default_value_t = 20)]
    pub heartbeat_secs: u64,
    /// Open WebSockets allowed from one address (0: no limit). Loopback is not counted.
    #[arg(long, env = "BABAHUI_MAX_CONNECTIONS_PER_ADDRESS", default_value_t = 32)]
    pub max_connections_per_address: usize,
    /// Open WebSockets allowed in one meeting (0: no limit).
    #[arg(long, env = "BABAHUI_MAX_CONNECTIONS_PER_MEETING", default_value_t = 15_000)]
    pub max_connections_per_meeting: usize,
    /// Messages per second one connection may send, sustained (0: no limit).
    #[arg(long, env = "BABAHUI_MESSAGES_PER_SEC", default_value_t = 20)]
    pub messages_per_sec: u32,
    /// Opinions one participant may post in their own name per minute (all at
    /// once after being offline, then spread out); 0: no limit. A recorder
    /// typing for others is not limited.
    #[arg(long, env = "BABAHUI_OPINIONS_PER_MINUTE", default_value_t = 10)]
    pub opinions_per_minute: u32,
    /// Another origin allowed to open WebSockets (e.g. https://bbh.example.org
    /// behind a proxy); repeat for more. The server's own address always is.
    #[arg(long = "allowed-origin", env = "BABAHUI_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub allowed_origins: Vec<String>,
    /// A reverse proxy in front of this server (its address, e.g. 10.0.0.2);
    /// repeat for more. Requests from it are taken to come from the last
    /// address of their X-Forwarded-For, so limits per address apply to each
    /// phone rather than to the proxy.
    #[arg(long = "trusted-proxy", env = "BABAHUI_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Show the street office's dashboard (numbers across communities, no
    /// names of people) to anyone at /dashboard.
    #[arg(long, env = "BABAHUI_PUBLIC_DASHBOARD")]
    pub public_dashboard: bool,
    /// Fewest events between two checkpoints of a meeting's state (tests and
    /// benchmarks set it; the default suits every meeting).
    #[arg(long, env = "BABAHUI_CHECKPOINT_EVERY", default_value_t = 10_000, hide = true)]
    pub checkpoint_every: u64,
}

impl std::fmt::Debug for ServeArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServeArgs")
            .field("addr", &self.addr)
            .field("data", &self.data)
            .field("database_url", &self.database_url.as_ref().map(|_| "<redacted>"))
            .field("node_url", &self.node_url)
            .field("public_url", &self.public_url)
            .field("organiser_key", &self.organiser_key.as_ref().map(|_| "<redacted>"))
            .field("open", &self.open)
            .field("heartbeat_secs", &self.heartbeat_secs)
            .field("max_connections_per_address", &self.max_connections_per_address)
            .field("max_connections_per_meeting", &self.max_connections_per_meeting)
            .field("messages_per_sec", &self.messages_per_sec)
            .field("opinions_per_minute", &self.opinions_per_minute)
            .field("allowed_origins", &self.allowed_origins)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("checkpoint_every", &self.checkpoint_every)
            .finish()
    }
}

#[derive(Debug, Args)]
struct CreateArgs {
    /// Meeting title.
    #[arg(long)]
    title: String,
    /// Place.
    #[arg(long, default_value = "")]
    place: String,
    /// Start time, as you want it shown (e.g. "2026-11-30 19:00").
    #[arg(long)]
    starts_at: Option<String>,
    /// An agenda topic; repeat for more. "标题=15" sets a 15-minute time box.
    #[arg(long = "agenda")]
    agenda: Vec<String>,
    /// Print the server's JSON answer instead of text.
    #[arg(long)]
    json: bool,
    /// The running server.
    #[arg(long, env = "BABAHUI_SERVER", default_value = "http://127.0.0.1:8080")]
    server: String,
    /// The organiser key (default: the one kept in the server's data folder).
    #[arg(long, env = "BABAHUI_ORGANISER_KEY", hide_env_values = true)]
    organiser_key: Option<String>,
    /// The running server's data folder, where its organiser key is kept.
    #[arg(long, env = "BABAHUI_DATA", default_value = "./babahui-data")]
    data: PathBuf,
}

/// Entry point of the `babahui` binary. Errors are for the person at the
/// laptop: the message and what to do, no backtrace (`BABAHUI_LOG=debug` for detail).
pub fn run() -> std::process::ExitCode {
    match main() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误 / Error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Parses the command line and runs it.
pub fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        match cli.command {
            None => serve(ServeArgs::parse_from(["babahui"])).await,
            Some(Cmd::Serve(args)) => serve(args).await,
            Some(Cmd::Meeting {
                command: MeetingCmd::Create(args),
            }) => create_meeting(args).await,
            Some(Cmd::Backup(args)) => backup(args).await,
            Some(Cmd::Restore(args)) => restore(args).await,
            Some(Cmd::NewOrganiserKey(args)) => new_organiser_key(args),
            Some(Cmd::Community { command }) => directory::community(command).await,
            Some(Cmd::Account { command }) => directory::account(command).await,
            Some(Cmd::Sync(args)) => directory::sync(args).await,
        }
    })
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("BABAHUI_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tower_http=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}

/// `babahui serve`.
pub async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    init_tracing();
    let store = open_store(&args)?;
    let organiser_key = if args.open {
        None
    } else if let Some(k) = &args.organiser_key {
        Some(k.clone())
    } else if args.database_url.is_some() {
        anyhow::bail!(
            "with --database-url every node needs the same organiser key: give it with --organiser-key \
             or BABAHUI_ORGANISER_KEY (e.g. from: head -c 24 /dev/urandom | base32)"
        );
    } else {
        Some(
            crate::organiser_key::read_or_create(&args.data)
                .with_context(|| format!("cannot keep the organiser key in {}", args.data.display()))?,
        )
    };
    let files = crate::listen::raise_open_files_limit();
    tracing::debug!(files, "open files limit");
    let listener = crate::listen::bind(args.addr).with_context(|| {
        format!(
            "cannot listen on {} (is another server using the port? try --addr)",
            args.addr
        )
    })?;
    let local = listener.local_addr()?;
    let lan_url = local
        .ip()
        .is_unspecified()
        .then(|| local_ip_address::local_ip().ok())
        .flatten()
        .map(|ip| format!("http://{ip}:{}", local.port()));
    let public_url = args.public_url.as_ref().map(|u| u.trim_end_matches('/').to_owned());
    let open_url = public_url
        .clone()
        .or_else(|| lan_url.clone())
        .unwrap_or_else(|| format!("http://{local}"));
    // On a database the key is the operator's to give every node; in a folder, it is kept there.
    let key_home = args.database_url.is_none().then_some(args.data.as_path());
    print_banner(&local, &open_url, organiser_key.as_deref(), key_home);
    let heartbeat = Duration::from_secs(args.heartbeat_secs.max(1));
    let config = ServerConfig {
        links: LinkBase {
            public_url,
            lan_url,
            own_ips: own_addresses(&local),
            listen_url: (!local.ip().is_unspecified()).then(|| format!("http://{local}")),
        },
        organiser_key,
        heartbeat,
        idle_timeout: heartbeat * 3,
        limits: Limits {
            ws_per_address: args.max_connections_per_address,
            ws_per_meeting: args.max_connections_per_meeting,
            messages_per_sec: args.messages_per_sec,
            ..Limits::default()
        },
        allowed_origins: args.allowed_origins.clone(),
        node_url: args.node_url.clone(),
        trusted_proxies: args.trusted_proxies.clone(),
        public_dashboard: args.public_dashboard,
        hub: crate::hub::HubConfig {
            checkpoint_every: args.checkpoint_every,
            door: crate::hub::door::DoorRules {
                opinions_per_participant: match args.opinions_per_minute {
                    0 => crate::rate::Rate::UNLIMITED,
                    n => crate::rate::Rate::one_every(Duration::from_secs(60) / n, n),
                },
                ..crate::hub::door::DoorRules::default()
            },
            ..crate::hub::HubConfig::default()
        },
        ..ServerConfig::default()
    };
    crate::server::run(listener, store, config, crate::server::shutdown_signal()).await?;
    Ok(())
}

/// This machine's own addresses (every interface's, and the one listened on):
/// a request whose `Host` names one of them may have links built from it.
fn own_addresses(local: &SocketAddr) -> Vec<std::net::IpAddr> {
    let mut ips: Vec<std::net::IpAddr> = local_ip_address::list_afinet_netifas()
        .map(|list| list.into_iter().map(|(_, ip)| ip).collect())
        .unwrap_or_default();
    if !local.ip().is_unspecified() {
        ips.push(local.ip());
    }
    ips
}

/// The PostgreSQL store at `url`, for a new node of the service.
fn open_database(url: &str) -> anyhow::Result<Store> {
    let node = crate::tokens::new_node_id();
    let store = crate::store::PgLog::open(url, node).map_err(|e| {
        anyhow::anyhow!(
            "cannot use the database: {e}\n  → check --database-url (postgres://user:password@host:port/database) \
             and that the database accepts connections from this machine"
        )
    })?;
    Ok(Store::new(store))
}

fn open_store(args: &ServeArgs) -> anyhow::Result<Store> {
    if let Some(url) = &args.database_url {
        return open_database(url);
    }
    std::fs::create_dir_all(&args.data)
        .with_context(|| format!("cannot create the data folder {}", args.data.display()))?;
    Store::open(&args.data).map_err(|e| {
        let hint = match &e {
            StoreError::Sled(sled::Error::Io(io)) if io.kind() == std::io::ErrorKind::WouldBlock => {
                "another babahui server is using this folder; stop it, or give this one another --data folder"
            }
            StoreError::Sled(sled::Error::Io(io)) if io.to_string().contains("lock") => {
                "another babahui server is using this folder; stop it, or give this one another --data folder"
            }
            StoreError::Sled(sled::Error::Corruption { .. })
            | StoreError::Shorter { .. }
            | StoreError::Unreadable { .. }
            | StoreError::Damaged { .. } => {
                "Babahui has not started. Move the damaged folder aside (keep it for inspection) and restore \
                 the latest backup into a new folder: babahui restore --from <backup.json> --data <new folder>; \
                 then start with --data <new folder>"
            }
            _ => "check that the folder exists, is writable and has free space",
        };
        anyhow::anyhow!("cannot open the data folder {}: {e}\n  → {hint}", args.data.display())
    })
}

fn print_banner(local: &SocketAddr, open_url: &str, key: Option<&str>, data: Option<&std::path::Path>) {
    // The first line is stable: scripts and tests read the port from it.
    println!("listening on http://{local}");
    println!();
    println!("  坝坝会 Babahui 已启动 / is running");
    match key {
        Some(key) => {
            let organiser = crate::links::organiser_url(open_url, key);
            println!("  组织者链接（请勿外传）/ organiser link (keep it private):");
            println!("    {organiser}");
            println!("  用组织者的电脑或平板打开或扫码；它可以创建会议、填写问题台账。");
            println!("  Open it (or scan it) on the organiser's laptop or tablet: it creates meetings and writes the ledger.");
            match data {
                Some(data) => println!(
                    "  若链接外泄 / if it leaks: babahui new-organiser-key --data {}  （然后重启 / then restart）",
                    data.display()
                ),
                None => println!(
                    "  若链接外泄 / if it leaks: 给每个节点换新的 --organiser-key 并逐个重启 / give every node a new --organiser-key and restart them one by one"
                ),
            }
            println!();
            println!("{}", crate::qr::terminal(&organiser));
        }
        None => {
            println!("  组织者页面 / organiser page:  {open_url}/");
            println!();
            println!("  警告：--open 开放模式，同一网络上的任何人都能创建会议、修改问题台账。");
            println!("  WARNING: --open: anyone on this network can create meetings and change the issue ledger.");
            println!();
            println!("{}", crate::qr::terminal(&format!("{open_url}/")));
        }
    }
    println!("  按 Ctrl-C 停止 / press Ctrl-C to stop");
}

/// `babahui backup`: from a running server over HTTP, or from a stopped
/// server's folder. Written to a temporary file first, so a full USB stick
/// leaves no half backup under the real name.
async fn backup(args: BackupArgs) -> anyhow::Result<()> {
    let bytes = match (&args.data, &args.database_url) {
        (_, Some(url)) => {
            let store = open_database(url)?;
            let backup = crate::service::backup::collect(&store, crate::clock::system_now_ms())?;
            store.close();
            serde_json::to_vec(&backup)?
        }
        (Some(dir), None) => {
            let store = Store::open(dir).map_err(|e| {
                anyhow::anyhow!(
                    "cannot open {}: {e} (is the server still running? then leave out --data)",
                    dir.display()
                )
            })?;
            let backup = crate::service::backup::collect(&store, crate::clock::system_now_ms())?;
            store.close();
            serde_json::to_vec(&backup)?
        }
        (None, None) => {
            let running = &args.running;
            let req = running.request(reqwest::Method::GET, "/api/backup.json")?;
            running.send(req).await?.bytes().await?.to_vec()
        }
    };
    let backup: crate::service::backup::Backup = serde_json::from_slice(&bytes).context("the backup is not valid")?;
    let tmp = args.out.with_extension("partial");
    std::fs::write(&tmp, &bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, &args.out).with_context(|| format!("cannot write {}", args.out.display()))?;
    let events: usize = backup.meetings.iter().map(|m| m.records.len()).sum();
    println!(
        "备份完成 / backup written: {} — {} meetings, {events} events, {} ledger entries",
        args.out.display(),
        backup.meetings.len(),
        backup.ledger.len()
    );
    for d in &backup.damaged {
        eprintln!(
            "注意 / warning: 会议 {} 已损坏，未备份 / meeting {} is damaged and was left out: {}",
            d.meeting, d.meeting, d.error
        );
    }
    Ok(())
}

/// `babahui restore`: into a new folder only.
async fn restore(args: RestoreArgs) -> anyhow::Result<()> {
    let bytes = std::fs::read(&args.from).with_context(|| format!("cannot read {}", args.from.display()))?;
    let backup: crate::service::backup::Backup =
        serde_json::from_slice(&bytes).with_context(|| format!("{} is not a Babahui backup", args.from.display()))?;
    let (store, into, start) = match (&args.data, &args.database_url) {
        (_, Some(url)) => (
            open_database(url)?,
            "the database".to_owned(),
            "--database-url …".to_owned(),
        ),
        (Some(data), None) => {
            std::fs::create_dir_all(data).with_context(|| format!("cannot create {}", data.display()))?;
            let store = Store::open(data).map_err(|e| anyhow::anyhow!("cannot open {}: {e}", data.display()))?;
            (store, data.display().to_string(), format!("--data {}", data.display()))
        }
        (None, None) => anyhow::bail!("say where to restore: --data <new folder> or --database-url <url>"),
    };
    let result = crate::service::backup::restore(&store, backup).await;
    store.close();
    let r = result?;
    println!(
        "恢复完成 / restored into {into}: {} meetings, {} events, {} ledger entries. Start with: babahui serve {start}",
        r.meetings, r.events, r.ledger,
    );
    Ok(())
}

/// `babahui new-organiser-key`.
fn new_organiser_key(args: NewKeyArgs) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.data).with_context(|| format!("cannot create {}", args.data.display()))?;
    let key = crate::organiser_key::replace(&args.data)
        .with_context(|| format!("cannot write the organiser key in {}", args.data.display()))?;
    println!(
        "新的组织者密钥已保存 / a new organiser key is kept in {}",
        crate::organiser_key::path(&args.data).display()
    );
    println!("重启服务器后旧链接失效，新链接会打印出来 / restart the server: the old link stops working and the new one is printed.");
    println!("密钥 / key: {key}");
    Ok(())
}

/// `babahui meeting create`.
async fn create_meeting(args: CreateArgs) -> anyhow::Result<()> {
    let agenda: Vec<NewTopic> = args
        .agenda
        .iter()
        .map(|item| match item.rsplit_once('=') {
            Some((title, minutes)) if minutes.trim().parse::<u32>().is_ok() => NewTopic {
                title: title.trim().to_owned(),
                minutes: minutes.trim().parse().unwrap_or(0),
                ledger: None,
                ..Default::default()
            },
            _ => NewTopic {
                title: item.trim().to_owned(),
                minutes: 0,
                ledger: None,
                ..Default::default()
            },
        })
        .collect();
    let body = serde_json::json!({
        "title": args.title,
        "place": args.place,
        "starts_at": args.starts_at,
        "agenda": agenda,
    });
    let url = format!("{}/api/meetings", args.server.trim_end_matches('/'));
    let mut req = reqwest::Client::new().post(&url).json(&body);
    if let Some(key) = running::client_key(&args.organiser_key, &args.data)? {
        req = req.bearer_auth(key);
    }
    let resp = req
        .send()
        .await
        .with_context(|| format!("cannot reach the server at {}", args.server))?;
    let status = resp.status();
    let text = resp.text().await?;
    if !status.is_success() {
        anyhow::bail!("the server refused ({status}): {text}");
    }
    if args.json {
        println!("{text}");
        return Ok(());
    }
    let created: CreatedResponse = serde_json::from_str(&text).context("unexpected answer from the server")?;
    println!("会议 / meeting:        {} ({})", created.title, created.id);
    println!("参会链接 / join:        {}", created.join_url);
    println!("主持人 / moderator:     {}", created.moderator_url);
    println!("投屏 / projector:       {}", created.projector_url);
    println!();
    println!("{}", crate::qr::terminal(&created.join_url));
    Ok(())
}
