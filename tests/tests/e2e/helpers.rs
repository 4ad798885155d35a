//! Starting servers for tests.

use babahui::{ServerConfig, Store};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Logs to stderr when `TEST_LOG` is set (e.g. `TEST_LOG=debug`); silent otherwise.
fn init_tracing() {
    if let Ok(filter) = std::env::var("TEST_LOG") {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_test_writer()
            .try_init();
    }
}

/// Which store the servers of this run use: sled in a fresh folder (the
/// default), or PostgreSQL when `BABAHUI_TEST_STORE=postgres` (a database of
/// its own on the suite's throwaway cluster). `./x test` runs the suite on
/// both, wherever the behaviour is the same.
pub fn on_postgres() -> bool {
    std::env::var("BABAHUI_TEST_STORE").is_ok_and(|s| s == "postgres")
}

/// The organiser key of servers on PostgreSQL (every node gets the same).
pub const PG_KEY: &str = "test-organiser-key-for-postgres-0123456789";

/// The database a data folder stands for on PostgreSQL: the same one at
/// every restart on that folder.
pub fn database_for(data: &Path) -> String {
    use std::sync::Mutex;
    static MAP: Mutex<Vec<(PathBuf, String)>> = Mutex::new(Vec::new());
    let mut map = MAP.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, url)) = map.iter().find(|(p, _)| p == data) {
        return url.clone();
    }
    let url = tests::postgres::PgCluster::shared().new_database();
    map.push((data.to_owned(), url.clone()));
    url
}

/// The store a test server opens on `dir`: see [`on_postgres`].
fn open_store(dir: &Path) -> Store {
    if on_postgres() {
        let store = babahui::store::PgLog::open(&database_for(dir), babahui::tokens::new_node_id())
            .expect("open the PostgreSQL store");
        Store::new(store)
    } else {
        Store::open(dir).expect("open store")
    }
}

/// A server running inside the test process, on 127.0.0.1 and a fresh data dir.
pub struct TestServer {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// The data directory (kept across restarts).
    pub dir: TempDir,
    config: ServerConfig,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl TestServer {
    /// Starts a server with the default configuration.
    pub async fn start() -> TestServer {
        Self::start_with(ServerConfig::default()).await
    }

    /// Starts a server whose clock stands still at the present until the test
    /// moves it (a notice period passes in a step, not a wait).
    pub async fn start_on_a_held_clock() -> (TestServer, babahui::clock::Clock) {
        let clock = babahui::clock::Clock::manual(babahui::clock::system_now_ms());
        let mut config = ServerConfig::default();
        config.hub.clock = clock.clone();
        (Self::start_with(config).await, clock)
    }

    /// Starts a server with `config`.
    pub async fn start_with(config: ServerConfig) -> TestServer {
        init_tracing();
        let dir = tempfile::tempdir().expect("tempdir");
        let mut server = TestServer {
            base: String::new(),
            dir,
            config,
            stop: None,
            task: None,
        };
        server.boot().await;
        server
    }

    /// Starts a server with `config` listening on every address (as `babahui
    /// serve` does by default), so that other devices ([`tests::netns::Device`])
    /// can reach it; `base` is still its loopback address.
    pub async fn start_on_all_addresses(config: ServerConfig) -> TestServer {
        init_tracing();
        let mut server = TestServer {
            base: String::new(),
            dir: tempfile::tempdir().expect("tempdir"),
            config,
            stop: None,
            task: None,
        };
        server.boot_at("0.0.0.0:0").await;
        server
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.base.rsplit(':').next().unwrap().parse().unwrap()
    }

    async fn boot(&mut self) {
        self.boot_at("127.0.0.1:0").await;
    }

    async fn boot_at(&mut self, addr: &str) {
        let listener = tokio::net::TcpListener::bind(addr).await.expect("bind");
        let port = listener.local_addr().unwrap().port();
        self.base = format!("http://127.0.0.1:{port}");
        tests::http::set_organiser_key(&self.base, self.config.organiser_key.as_deref());
        let store = open_store(self.dir.path());
        let (tx, rx) = oneshot::channel::<()>();
        let config = self.config.clone();
        self.task = Some(tokio::spawn(babahui::run(listener, store, config, async move {
            let _ = rx.await;
        })));
        self.stop = Some(tx);
    }

    /// Shuts down cleanly and waits until the store is closed.
    pub async fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.expect("server task").expect("server run");
        }
    }

    /// Stops and starts again on the same data directory (a new port).
    pub async fn restart(&mut self) {
        self.stop().await;
        self.boot().await;
    }

    /// Starts again on the same data directory and the same port (after
    /// [`stop`](Self::stop)), as a restarted server would: open pages reconnect to it.
    pub async fn start_again_same_port(&mut self) {
        let addr = self.base.trim_start_matches("http://").to_owned();
        self.boot_at(&addr).await;
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The real binary in its own process, so it can be killed with SIGKILL.
pub struct ServerProcess {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// What it printed at start (the banner with the organiser link).
    pub banner: String,
    /// The organiser key it keeps in its data folder (none with `--open`).
    pub key: Option<String>,
    child: Child,
}

impl ServerProcess {
    /// Starts `babahui serve` on 127.0.0.1 with a free port and `data` as its folder,
    /// and waits for its "listening on" line. Checkpoints come every 25 events,
    /// so every restart in these tests loads meetings from a checkpoint and the
    /// events after it, and is checked against the whole log.
    pub fn start(data: &Path) -> ServerProcess {
        Self::start_with(data, &[])
    }

    /// Like [`start`](Self::start), with more `babahui serve` arguments.
    pub fn start_with(data: &Path, extra: &[&str]) -> ServerProcess {
        let given_a_database = extra.contains(&"--database-url");
        let mut pg_args = Vec::new();
        if on_postgres() && !given_a_database {
            pg_args = vec!["--database-url".to_owned(), database_for(data)];
            if !extra.contains(&"--open") && !extra.contains(&"--organiser-key") {
                pg_args.extend(["--organiser-key".to_owned(), PG_KEY.to_owned()]);
            }
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_babahui-under-test"))
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(extra)
            .args(&pg_args)
            .arg("--data")
            .arg(data)
            .env("BABAHUI_CHECKPOINT_EVERY", "25")
            .env(
                "BABAHUI_LOG",
                std::env::var("TEST_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .stdout(Stdio::piped())
            .spawn()
            .expect("start server binary");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let first = lines.next().expect("a first line").expect("read stdout");
        let addr: SocketAddr = first
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .parse()
            .expect("address");
        // The banner ends with "Ctrl-C"; then keep draining stdout so the
        // server never blocks on a full pipe.
        let mut banner = String::new();
        for line in lines.by_ref() {
            let line = line.expect("read stdout");
            banner.push_str(&line);
            banner.push('\n');
            if line.contains("Ctrl-C") {
                break;
            }
        }
        // (Its log, with TEST_LOG set, is shown with the test's output.)
        let echo = std::env::var_os("TEST_LOG").is_some();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                if echo {
                    eprintln!("server: {line}");
                }
            }
        });
        let base = format!("http://{addr}");
        let key = if pg_args.iter().any(|a| a == PG_KEY) {
            Some(PG_KEY.to_owned())
        } else {
            babahui::organiser_key::read(data).expect("read the organiser key")
        };
        tests::http::set_organiser_key(&base, key.as_deref());
        ServerProcess {
            base,
            banner,
            key,
            child,
        }
    }

    /// Runs `babahui serve` on `data` expecting it to refuse to start: returns
    /// its exit status and what it printed on stderr (panics if it serves).
    pub fn start_fails(data: &Path) -> (std::process::ExitStatus, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_babahui-under-test"))
            .args(["serve", "--addr", "127.0.0.1:0", "--data"])
            .arg(data)
            .env("BABAHUI_LOG", "warn")
            .env_remove("RUST_BACKTRACE")
            .stdin(Stdio::null())
            .output()
            .expect("run server binary");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            !stdout.contains("listening on"),
            "the server started on a damaged folder: {stdout}"
        );
        (out.status, String::from_utf8_lossy(&out.stderr).into_owned())
    }

    /// The server's process id (to read its memory and CPU).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGTERM: a clean shutdown.
    pub fn stop(mut self) {
        let _ = Command::new("kill").arg(self.child.id().to_string()).status();
        let _ = self.child.wait();
    }

    /// SIGKILL: no shutdown, no flush.
    pub fn kill9(mut self) {
        self.child.kill().expect("kill -9");
        self.child.wait().expect("reap");
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A temporary data directory for process tests.
pub fn data_dir() -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("data");
    (dir, path)
}

/// The meeting's public state as soon as the server serves it: at once on
/// sled; on PostgreSQL a restarted server (a new node) waits until the killed
/// node's lease on the meeting has expired (a couple of seconds).
pub async fn public_state_once_served(base: &str, id: &babahui_shared::MeetingId) -> babahui_shared::MeetingState {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        match tests::http::public_state(base, id).await {
            Ok(state) => return state,
            Err(_) if on_postgres() && std::time::Instant::now() < deadline => {
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            Err(e) => panic!("{id} not served: {e:#}"),
        }
    }
}

/// Every byte the store holds for the server on `dir`: the files of its sled
/// folder, or on PostgreSQL a plain `pg_dump` of its database (what someone
/// who took the disk or the database would read).
pub fn everything_stored(dir: &Path) -> Vec<u8> {
    if on_postgres() {
        let out = tests::postgres::PgCluster::shared()
            .program("pg_dump")
            .args(["--data-only", "-d", &database_for(dir)])
            .output()
            .expect("pg_dump");
        assert!(
            out.status.success(),
            "pg_dump: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        return out.stdout;
    }
    fn walk(dir: &Path, out: &mut Vec<u8>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.extend(std::fs::read(&path).unwrap_or_default());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out
}

/// Runs the `babahui` binary with `args` (a command line as a person types
/// it); returns (success, stdout + stderr).
pub fn babahui<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_babahui-under-test"))
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("run babahui");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}
