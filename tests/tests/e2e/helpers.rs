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
        let store = Store::open(self.dir.path()).expect("open store");
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
        let mut child = Command::new(env!("CARGO_BIN_EXE_babahui-under-test"))
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(extra)
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
        let key = babahui::organiser_key::read(data).expect("read the organiser key");
        if let Some(k) = &key {
            tests::http::remember_organiser_key(&base, k);
        }
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
