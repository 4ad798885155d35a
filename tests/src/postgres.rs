//! A real PostgreSQL for the tests: a throwaway cluster made with `initdb` in
//! a temporary folder, started with `pg_ctl` on a free port (as the
//! `postgres` user when the tests run as root, since `initdb` refuses root),
//! stopped afterwards. No mock.
//!
//! [`PgCluster::shared`] is one cluster for the whole test process (each test
//! takes a database of its own, [`PgCluster::new_database`]); a watchdog
//! process stops it when the test process ends, however it ends.
//! [`PgCluster::start`] is a cluster of a test's own, for database faults.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

/// A running PostgreSQL cluster.
#[derive(Debug)]
pub struct PgCluster {
    dir: PathBuf,
    /// Its port on 127.0.0.1.
    pub port: u16,
    bin: PathBuf,
    keep_running: bool,
}

static SHARED: OnceLock<PgCluster> = OnceLock::new();
static DATABASES: AtomicU32 = AtomicU32::new(0);

/// The folder of PostgreSQL's server programs (the newest installed).
fn bin_dir() -> PathBuf {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| d.filter_map(Result::ok).map(|e| e.path().join("bin")).collect())
        .unwrap_or_default();
    found.retain(|p| p.join("initdb").exists());
    found.sort_by_key(|p| {
        p.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    found
        .pop()
        .expect("PostgreSQL is not installed: ./x test installs Debian's postgresql (apt-get install postgresql)")
}

fn is_root() -> bool {
    // The owner of /proc/self is this process's effective user.
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").map(|m| m.uid() == 0).unwrap_or(false)
}

/// A PostgreSQL program, run as `postgres` when we are root.
fn pg_command(bin: &Path, program: &str) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin.join(program));
        c
    } else {
        Command::new(bin.join(program))
    }
}

fn run(mut c: Command, what: &str) {
    let out = c
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl PgCluster {
    /// The test process's shared cluster, started on first use.
    pub fn shared() -> &'static PgCluster {
        SHARED.get_or_init(|| {
            let mut cluster = PgCluster::init();
            cluster.keep_running = true;
            cluster.start_server();
            cluster.watch_for_exit();
            cluster
        })
    }

    /// A cluster of the caller's own, stopped when dropped.
    pub fn start() -> PgCluster {
        let cluster = PgCluster::init();
        cluster.start_server();
        cluster
    }

    /// A cluster of the caller's own with settings added to its
    /// `postgresql.conf` before it starts.
    pub fn start_with(settings: &str) -> PgCluster {
        let cluster = PgCluster::init();
        cluster.configure(settings);
        cluster.start_server();
        cluster
    }

    fn init() -> PgCluster {
        let bin = bin_dir();
        let base = std::env::temp_dir().join(format!(
            "babahui-pg-{}-{}",
            std::process::id(),
            DATABASES.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&base);
        std::fs::create_dir_all(&base).expect("a folder for PostgreSQL");
        set_mode(&base, 0o777);
        let mut c = pg_command(&bin, "initdb");
        c.arg("-D")
            .arg(base.join("data"))
            .args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
        run(c, "initdb");
        PgCluster {
            dir: base,
            port: free_port(),
            bin,
            keep_running: false,
        }
    }

    /// Adds lines to `postgresql.conf` (takes effect at the next start).
    pub fn configure(&self, settings: &str) {
        use std::io::Write;
        let path = self.data_dir().join("postgresql.conf");
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .expect("postgresql.conf");
        writeln!(f, "\n{settings}").expect("write postgresql.conf");
    }

    /// Its data folder.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// The folder it was made in (for a standby's folder beside it).
    pub fn base_dir(&self) -> &Path {
        &self.dir
    }

    /// A streaming standby of this cluster (`pg_basebackup -R`), connecting
    /// as `application_name` (name it in `synchronous_standby_names` to make
    /// it synchronous), started; stopped when dropped.
    pub fn standby(&self, application_name: &str) -> PgCluster {
        let base = std::env::temp_dir().join(format!(
            "babahui-pg-{}-{}",
            std::process::id(),
            DATABASES.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&base);
        std::fs::create_dir_all(&base).expect("a folder for the standby");
        set_mode(&base, 0o777);
        let mut c = pg_command(&self.bin, "pg_basebackup");
        c.arg("-D").arg(base.join("data")).args([
            "-R",
            "--checkpoint=fast",
            "-X",
            "stream",
            "-d",
            &format!(
                "host=127.0.0.1 port={} user=postgres application_name={application_name}",
                self.port
            ),
        ]);
        run(c, "pg_basebackup");
        let standby = PgCluster {
            dir: base,
            port: free_port(),
            bin: self.bin.clone(),
            keep_running: false,
        };
        standby.start_server();
        standby
    }

    /// Promotes a standby to primary (`pg_ctl promote`, waiting for it).
    pub fn promote(&self) {
        let mut c = pg_command(&self.bin, "pg_ctl");
        c.arg("-D").arg(self.data_dir()).args(["-w", "promote"]);
        run(c, "pg_ctl promote");
    }

    /// Reloads the configuration (after [`configure`](Self::configure)).
    pub fn reload(&self) {
        let mut c = pg_command(&self.bin, "pg_ctl");
        c.arg("-D").arg(self.data_dir()).arg("reload");
        run(c, "pg_ctl reload");
    }

    fn start_server(&self) {
        let mut c = pg_command(&self.bin, "pg_ctl");
        c.arg("-D")
            .arg(self.data_dir())
            .args(["-w", "-l"])
            .arg(self.dir.join("log"))
            .arg("-o")
            .arg(format!(
                "-p {} -k {} -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=on",
                self.port,
                self.dir.display()
            ))
            .arg("start");
        run(c, "pg_ctl start");
    }

    /// Starts it again after [`stop_immediately`](Self::stop_immediately).
    pub fn start_again(&self) {
        self.start_server();
    }

    /// Stops it the hard way (`pg_ctl -m immediate`: a crash for the database).
    pub fn stop_immediately(&self) {
        let mut c = pg_command(&self.bin, "pg_ctl");
        c.arg("-D").arg(self.data_dir()).args(["-m", "immediate", "-w", "stop"]);
        run(c, "pg_ctl stop");
    }

    /// Runs a PostgreSQL program of this installation (pg_basebackup, …) as the cluster's user.
    pub fn program(&self, name: &str) -> Command {
        pg_command(&self.bin, name)
    }

    /// A URL of the cluster's `postgres` database.
    pub fn url(&self) -> String {
        self.url_of("postgres")
    }

    /// The URL of database `name`.
    pub fn url_of(&self, name: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{name}?connect_timeout=3", self.port)
    }

    /// A new, empty database; returns its URL.
    pub fn new_database(&self) -> String {
        let name = format!("t{}_{}", std::process::id(), DATABASES.fetch_add(1, Ordering::SeqCst));
        let mut c = Command::new(self.bin.join("createdb"));
        c.args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-U", "postgres", &name]);
        run(c, "createdb");
        self.url_of(&name)
    }

    /// Runs SQL in database `url` with psql; returns what it printed (unaligned, no headers).
    pub fn sql(&self, url: &str, query: &str) -> String {
        let out = Command::new(self.bin.join("psql"))
            .args(["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", query])
            .stdin(Stdio::null())
            .output()
            .expect("psql");
        assert!(out.status.success(), "psql: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// A process that waits for this test process to end, then stops the
    /// cluster and removes its folder.
    fn watch_for_exit(&self) {
        let pg_ctl = self.bin.join("pg_ctl");
        let as_postgres = if is_root() { "runuser -u postgres -- " } else { "" };
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {as_postgres}{pg_ctl} -D {data} -m immediate stop >/dev/null 2>&1; rm -rf {dir}",
            pid = std::process::id(),
            pg_ctl = pg_ctl.display(),
            data = self.data_dir().display(),
            dir = self.dir.display(),
        );
        let _ = Command::new("setsid")
            .args(["sh", "-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
    }
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode));
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        if self.keep_running {
            return;
        }
        let mut c = pg_command(&self.bin, "pg_ctl");
        c.arg("-D").arg(self.data_dir()).args(["-m", "immediate", "stop"]);
        let _ = c
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
