//! The load generator: real connections through the real join flow, a scripted
//! workload, and client-side measurement of what the server delivers.
//!
//! A run: create M meetings (start them, open a topic), join K attendees to
//! each over HTTP, connect every moderator, projector and attendee over
//! WebSocket (from several 127.0.0.x source addresses), let them sit idle to
//! read the server's memory per connection, drive the workload through a
//! warm-up and a measured window, wait for every answer, optionally run a
//! reconnect storm, then stop everyone and work out the figures.

pub mod arrivals;
pub mod client;
pub mod driver;
pub mod procstat;
pub mod report;
pub mod timed;

use crate::http;
use anyhow::{bail, Context, Result};
use babahui_shared::follow::FOLLOW_TOKEN;
use babahui_shared::{ClientMsg, Command, CommandId, TopicId};
use client::{Answer, ClientLog, Order, Spec};
use driver::{Driver, DriverLog, Window, Workload, FIRST_ATTENDEE, MODERATOR};
use futures::{SinkExt, StreamExt};
use report::{Percentiles, Report, ServerCost, Storm};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

/// The run's clock: µs since the load generator started.
#[derive(Debug, Clone, Copy)]
pub struct Clock(Instant);

impl Clock {
    /// Starts now.
    pub fn new() -> Clock {
        Clock(Instant::now())
    }

    /// µs since the start.
    pub fn now_us(&self) -> u64 {
        self.0.elapsed().as_micros() as u64
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::new()
    }
}

/// What to run. `loadgen --help` documents each option.
#[derive(Debug, Clone, clap::Parser)]
#[command(
    name = "loadgen",
    about = "Babahui's load generator: real clients, real join flow, measured fan-out"
)]
pub struct Config {
    /// The server, e.g. `http://127.0.0.1:8080`; or several nodes of one
    /// service, separated by commas: meeting m is created on node m mod n.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub url: String,
    /// With several nodes: every client connects through the next node rather
    /// than the one serving its meeting, so each socket is relayed (what the
    /// relay adds).
    #[arg(long)]
    pub via_other_node: bool,
    /// The server's process id, to read its memory and CPU from /proc.
    #[arg(long)]
    pub server_pid: Option<u32>,
    /// Name of the server in the report (`babahui`, `node-ws`, …).
    #[arg(long, default_value = "babahui")]
    pub label: String,
    /// Name of the scenario in the report.
    #[arg(long, default_value = "custom")]
    pub scenario: String,
    /// Meetings.
    #[arg(long, default_value_t = 1)]
    pub meetings: usize,
    /// Attendees per meeting.
    #[arg(long, default_value_t = 100)]
    pub attendees: usize,
    /// People following each meeting from home (线上旁听): read-only
    /// connections said hello with the follow token, sent the public stream;
    /// their fan-out is reported apart from the attendees'.
    #[arg(long, default_value_t = 0)]
    pub followers: usize,
    /// Commands per second in each meeting (the mixed courtyard script).
    #[arg(long, default_value_t = 10.0)]
    pub rate: f64,
    /// Throughput instead: this many attendees each keep `--window` opinions in flight.
    #[arg(long)]
    pub writers: Option<u32>,
    /// Commands each writer keeps in flight (with `--writers`).
    #[arg(long, default_value_t = 16)]
    pub window: u32,
    /// Seconds of load before measuring.
    #[arg(long, default_value_t = 3.0)]
    pub warmup: f64,
    /// Seconds measured.
    #[arg(long, default_value_t = 10.0)]
    pub duration: f64,
    /// After the window: every connection but the moderator's and one writer's
    /// drops, the writer adds `--storm-missed` opinions, and all reconnect at once.
    #[arg(long)]
    pub storm: bool,
    /// Events the dropped clients miss during the storm.
    #[arg(long, default_value_t = 200)]
    pub storm_missed: u32,
    /// Joins and connections made at once during setup.
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// Bytes each connection reads at a time. Small by default: tungstenite
    /// zeroes this much before every read, and at 10,000 connections each event
    /// is its own read. Larger for throughput, where frames carry many events.
    #[arg(long, default_value_t = 1024)]
    pub read_buffer: usize,
    /// Loopback source addresses to connect from (127.0.0.1…), for ephemeral ports.
    #[arg(long, default_value_t = 16)]
    pub sources: u8,
    /// Seconds every connection sits idle before memory is read.
    #[arg(long, default_value_t = 2.0)]
    pub settle: f64,
    /// Write the report as JSON here.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// The server's organiser key, if it has one.
    #[arg(long)]
    pub organiser_key: Option<String>,
    /// Exit with failure unless every client received every event once, in order.
    #[arg(long)]
    pub require_complete: bool,
    /// Stop sending once this many commands have been sent in all (filling a log).
    #[arg(long)]
    pub max_commands: Option<u64>,
    /// Seed of the scripted workload.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Write the first meeting's id and moderator token here (for `--probe`).
    #[arg(long)]
    pub save_links: Option<PathBuf>,
    /// Instead of a run: connect as the moderator saved by `--save-links`, retrying
    /// until the server is up, and exit once welcomed (the meeting is being served).
    #[arg(long)]
    pub probe: Option<PathBuf>,
    /// With `--probe`: resume from this sequence number, as a tablet that was
    /// following the meeting does (without it, a fresh connection: a snapshot).
    #[arg(long)]
    pub probe_since: Option<u64>,
}

/// What `--save-links` writes.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct SavedLinks {
    meeting: String,
    moderator: String,
}

/// `--probe`: waits (up to a minute) until the moderator of the saved meeting
/// is welcomed; returns how long that took.
pub async fn probe(cfg: &Config, path: &std::path::Path) -> Result<Duration> {
    let saved: SavedLinks = serde_json::from_slice(&std::fs::read(path)?)?;
    let base = cfg.url.trim_end_matches('/').to_owned();
    let start = Instant::now();
    loop {
        let attempt = async {
            let addr: SocketAddr = tokio::net::lookup_host(base.trim_start_matches("http://"))
                .await?
                .next()
                .context("server address")?;
            let spec = Spec {
                index: 0,
                addr,
                path: format!("/api/meetings/{}/ws", saved.meeting),
                token: saved.moderator.clone(),
                source: IpAddr::V4(Ipv4Addr::LOCALHOST),
                read_buffer: cfg.read_buffer,
            };
            client::connect(&spec, cfg.probe_since).await
        };
        match attempt.await {
            Ok(_) => return Ok(start.elapsed()),
            Err(_) if start.elapsed() < Duration::from_secs(60) => tokio::time::sleep(Duration::from_millis(2)).await,
            Err(e) => return Err(e.context("the meeting was not served within a minute")),
        }
    }
}

/// One meeting as set up: its clients' specs.
struct SetUp {
    specs: Vec<Spec>,
}

/// One meeting while running.
struct Live {
    /// Each client's orders, by index.
    orders: Vec<mpsc::UnboundedSender<Order>>,
    clients: JoinSet<ClientLog>,
    /// The clients' answers, until the driver takes them.
    answers: Option<mpsc::UnboundedReceiver<Answer>>,
    driver: Option<tokio::task::JoinHandle<DriverLog>>,
}

/// Raises this process's open-file limit to its hard limit.
pub fn raise_fd_limit() -> u64 {
    rlimit::increase_nofile_limit(u64::MAX).unwrap_or(0)
}

/// Runs the whole thing.
pub async fn run(cfg: &Config) -> Result<Report> {
    let fds = raise_fd_limit();
    let needed = cfg.meetings * (cfg.attendees + cfg.followers + 2) + 100;
    if (fds as usize) < needed {
        bail!("{needed} connections need more than the {fds} open files this process may have");
    }
    let clock = Clock::new();
    let setup_start = Instant::now();
    let mut nodes = Vec::new();
    for url in cfg.url.split(',') {
        let base = url.trim().trim_end_matches('/').to_owned();
        let addr: SocketAddr = tokio::net::lookup_host(base.trim_start_matches("http://"))
            .await?
            .next()
            .context("server address")?;
        nodes.push((base, addr));
    }
    let sources: Vec<IpAddr> = (0..cfg.sources.max(1))
        .map(|i| IpAddr::V4(Ipv4Addr::new(127, 0, 0, 1 + i)))
        .collect();
    let meetings = set_up_meetings(cfg, &nodes, &sources).await?;
    let before = procstat::read(cfg.server_pid);
    let mut live = connect_all(cfg, &meetings, clock).await?;
    tokio::time::sleep(Duration::from_secs_f64(cfg.settle)).await;
    let connected = procstat::read(cfg.server_pid);
    let setup_secs = setup_start.elapsed().as_secs_f64();
    eprintln!("set up in {setup_secs:.1} s; running");

    let start_us = clock.now_us() + (cfg.warmup * 1e6) as u64;
    let window = Window {
        start_us,
        end_us: start_us + (cfg.duration * 1e6) as u64,
        max_commands: cfg.max_commands.unwrap_or(u64::MAX),
    };
    let workload = match cfg.writers {
        Some(writers) => Workload::Pipeline {
            writers,
            window: cfg.window,
        },
        None => Workload::Mixed { rate: cfg.rate },
    };
    let stop = CancellationToken::new();
    let next_id = Arc::new(AtomicU64::new(1));
    for (m, meeting) in live.iter_mut().enumerate() {
        let seed = cfg.seed * 1_000_003 + m as u64;
        // Followers only listen: the script's commands are the attendees'.
        let senders = meeting.orders[..FIRST_ATTENDEE as usize + cfg.attendees].to_vec();
        let driver = Driver::new(senders, workload, window, clock, next_id.clone(), seed);
        let answers = meeting.answers.take().expect("answers not yet taken");
        meeting.driver = Some(tokio::spawn(driver.run(answers, stop.clone())));
    }
    sleep_until(clock, window.start_us).await;
    let cpu_start = (procstat::read(cfg.server_pid), procstat::read(None));
    while clock.now_us() < window.end_us && next_id.load(std::sync::atomic::Ordering::Relaxed) <= window.max_commands {
        tokio::time::sleep(
            Duration::from_millis(50).min(Duration::from_micros(window.end_us.saturating_sub(clock.now_us()))),
        )
        .await;
    }
    let cpu_end = (procstat::read(cfg.server_pid), procstat::read(None));
    // The window as it was (shorter if `--max-commands` ended it).
    let window = Window {
        end_us: clock.now_us().min(window.end_us),
        ..window
    };
    // Answers and the last deliveries.
    tokio::time::sleep(Duration::from_secs(2)).await;

    let storm = if cfg.storm {
        Some(run_storm(cfg, &meetings, &live, clock).await?)
    } else {
        None
    };
    stop.cancel();
    let mut drivers = Vec::new();
    let mut logs = Vec::new();
    for meeting in live {
        for o in &meeting.orders {
            let _ = o.send(Order::Stop);
        }
        if let Some(driver) = meeting.driver {
            drivers.push(driver.await?);
        }
        logs.push(meeting.clients.join_all().await);
    }
    let mut report = figures(cfg, &drivers, &logs, window);
    report.setup_secs = setup_secs;
    report.storm = storm;
    report.loadgen_cpu_secs = match cpu_start.1.zip(cpu_end.1) {
        Some((a, b)) => b.cpu_secs - a.cpu_secs,
        None => 0.0,
    };
    if let (Some(before), Some(connected), Some((a, b))) = (before, connected, cpu_start.0.zip(cpu_end.0)) {
        let cpu_secs = b.cpu_secs - a.cpu_secs;
        report.server = Some(ServerCost {
            before,
            connected,
            end: b,
            kib_per_connection: (connected.rss_kib as f64 - before.rss_kib as f64)
                / (cfg.meetings * (cfg.attendees + cfg.followers)).max(1) as f64,
            cpu_secs,
            sys_secs: b.sys_secs - a.sys_secs,
            cpu_us_per_delivery: cpu_secs * 1e6 / report.deliveries.max(1) as f64,
            cores_busy: cpu_secs / report.window_secs,
        });
    }
    Ok(report)
}

async fn sleep_until(clock: Clock, us: u64) {
    let now = clock.now_us();
    if us > now {
        tokio::time::sleep(Duration::from_micros(us - now)).await;
    }
}

/// Creates, starts and fills every meeting; returns each meeting's clients.
async fn set_up_meetings(cfg: &Config, nodes: &[(String, SocketAddr)], sources: &[IpAddr]) -> Result<Vec<SetUp>> {
    let n = nodes.len();
    let made: Vec<Result<SetUp>> = futures::stream::iter(0..cfg.meetings)
        .map(|m| {
            let base = &nodes[m % n].0;
            let addr = nodes[(m + usize::from(cfg.via_other_node)) % n].1;
            set_up_meeting(cfg, base, addr, sources, m)
        })
        .buffered(cfg.concurrency.clamp(1, 16))
        .collect()
        .await;
    made.into_iter().collect()
}

async fn set_up_meeting(cfg: &Config, base: &str, addr: SocketAddr, sources: &[IpAddr], m: usize) -> Result<SetUp> {
    let body = serde_json::json!({
        "title": format!("负载测试 {m}"),
        "place": "院坝",
        "agenda": [{"title": "楼道照明", "minutes": 60}],
    });
    let meeting = http::create_meeting_as(base, body, cfg.organiser_key.as_deref()).await?;
    let path = format!("/api/meetings/{}/ws", meeting.id());
    let source = |i: usize| sources[(m * (cfg.attendees + cfg.followers + 2) + i) % sources.len()];
    let spec = |index: usize, token: String| Spec {
        index: index as u32,
        addr,
        path: path.clone(),
        token,
        source: source(index),
        read_buffer: cfg.read_buffer,
    };
    let moderator = spec(MODERATOR as usize, meeting.moderator.clone());
    if let (Some(path), 0) = (&cfg.save_links, m) {
        let saved = SavedLinks {
            meeting: meeting.id().to_string(),
            moderator: meeting.moderator.clone(),
        };
        std::fs::write(path, serde_json::to_vec(&saved)?)?;
    }
    command_once(&moderator, "setup-start", Command::StartMeeting).await?;
    command_once(&moderator, "setup-open", Command::OpenTopic { topic: TopicId(1) }).await?;
    let joined: Vec<Result<String>> = futures::stream::iter(0..cfg.attendees)
        .map(|i| {
            let meeting = &meeting;
            async move { Ok(http::join(base, meeting, &format!("居民{i}"), "居民").await?.token) }
        })
        .buffered(cfg.concurrency.max(1))
        .collect()
        .await;
    let mut specs = vec![moderator, spec(1, meeting.projector.clone())];
    for (i, token) in joined.into_iter().enumerate() {
        specs.push(spec(FIRST_ATTENDEE as usize + i, token?));
    }
    for i in 0..cfg.followers {
        specs.push(spec(
            FIRST_ATTENDEE as usize + cfg.attendees + i,
            FOLLOW_TOKEN.to_owned(),
        ));
    }
    Ok(SetUp { specs })
}

/// Sends one command (with its own id: a repeated id would be taken for a
/// resend) on a connection of its own and waits for its ack.
async fn command_once(spec: &Spec, id: &str, command: Command) -> Result<()> {
    let (mut ws, _) = client::connect(spec, None).await?;
    let msg = ClientMsg::Command {
        id: CommandId(id.to_owned()),
        command,
    };
    ws.send(Message::text(serde_json::to_string(&msg)?)).await?;
    while let Some(msg) = ws.next().await {
        if let Message::Text(text) = msg? {
            if text.contains(r#""type":"ack""#) {
                let _ = ws.close(None).await;
                return Ok(());
            }
            if text.contains(r#""type":"error""#) {
                bail!("setup command refused: {text}");
            }
        }
    }
    bail!("connection closed during setup")
}

/// Connects every client of every meeting and starts its task at once (so it
/// answers the server's pings while the others connect).
async fn connect_all(cfg: &Config, meetings: &[SetUp], clock: Clock) -> Result<Vec<Live>> {
    let mut all = Vec::new();
    for meeting in meetings {
        let (answers_tx, answers_rx) = mpsc::unbounded_channel::<Answer>();
        let mut orders = Vec::new();
        let mut clients = JoinSet::new();
        let mut opened = futures::stream::iter(meeting.specs.iter())
            .map(|spec| async move { (spec, client::connect_caught_up(spec).await) })
            .buffered(cfg.concurrency.max(1));
        while let Some((spec, result)) = opened.next().await {
            let (ws, head) = result.with_context(|| format!("connecting client {}", spec.index))?;
            let (tx, rx) = mpsc::unbounded_channel();
            orders.push(tx);
            clients.spawn(client::run(spec.clone(), ws, head, rx, answers_tx.clone(), clock));
        }
        all.push(Live {
            orders,
            clients,
            answers: Some(answers_rx),
            driver: None,
        });
    }
    Ok(all)
}

/// The reconnect storm: everyone but each meeting's moderator and first
/// attendee drops; that attendee adds `storm_missed` opinions on a connection
/// of its own; then every dropped client reconnects at once with resume.
async fn run_storm(cfg: &Config, meetings: &[SetUp], live: &[Live], clock: Clock) -> Result<Storm> {
    let dropped: Vec<&mpsc::UnboundedSender<Order>> = live
        .iter()
        .flat_map(|l| {
            l.orders
                .iter()
                .enumerate()
                .filter(|(i, _)| *i as u32 != MODERATOR && *i as u32 != FIRST_ATTENDEE)
                .map(|(_, o)| o)
        })
        .collect();
    for o in &dropped {
        let _ = o.send(Order::Drop);
    }
    // Let the server see them go.
    tokio::time::sleep(Duration::from_millis(500)).await;
    for meeting in meetings {
        write_opinions(&meeting.specs[FIRST_ATTENDEE as usize], cfg.storm_missed).await?;
    }
    let (done_tx, mut done_rx) = mpsc::unbounded_channel();
    let t0 = clock.now_us();
    for o in &dropped {
        let _ = o.send(Order::Reconnect {
            t0,
            done: done_tx.clone(),
        });
    }
    drop(done_tx);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let mut times = Vec::with_capacity(dropped.len());
    while times.len() < dropped.len() {
        match tokio::time::timeout_at(deadline, done_rx.recv()).await {
            Ok(Some(t)) => times.push(t),
            _ => break,
        }
    }
    let all = times.iter().copied().max().unwrap_or(0);
    Ok(Storm {
        clients: dropped.len(),
        failed: dropped.len() - times.len(),
        all_caught_up_ms: all as f64 / 1000.0,
        caught_up: Percentiles::of_micros(times),
        snapshots: 0,
    })
}

/// Submits `n` opinions as `spec`'s holder, a window of them in flight, and waits for every ack.
async fn write_opinions(spec: &Spec, n: u32) -> Result<()> {
    let (mut ws, _) = client::connect(spec, None).await?;
    let (mut sent, mut acked) = (0u32, 0u32);
    while acked < n {
        while sent < n && sent - acked < 32 {
            let msg = ClientMsg::Command {
                id: CommandId(format!("storm{sent}")),
                command: Command::SubmitOpinion {
                    topic: None,
                    text: format!("停电期间补记的意见 {sent}"),
                    category: None,
                    stance: None,
                    author: Default::default(),
                    voice: None,
                },
            };
            ws.send(Message::text(serde_json::to_string(&msg)?)).await?;
            sent += 1;
        }
        let msg = tokio::time::timeout(Duration::from_secs(30), ws.next())
            .await
            .context("no ack in 30 s")?
            .context("closed")??;
        if let Message::Text(text) = msg {
            if text.contains(r#""type":"ack""#) {
                acked += 1;
            } else if text.contains(r#""type":"error""#) {
                bail!("storm opinion refused: {text}");
            }
        }
    }
    let _ = ws.close(None).await;
    Ok(())
}

/// Works out the figures from what the drivers sent and the clients received.
fn figures(cfg: &Config, drivers: &[DriverLog], logs: &[Vec<ClientLog>], window: Window) -> Report {
    let mut r = Report {
        label: cfg.label.clone(),
        scenario: cfg.scenario.clone(),
        meetings: cfg.meetings,
        attendees: cfg.attendees,
        followers: cfg.followers,
        connections: logs.iter().map(Vec::len).sum(),
        window_secs: (window.end_us - window.start_us) as f64 / 1e6,
        ..Report::default()
    };
    let (mut acks, mut fanout, mut last) = (Vec::new(), Vec::new(), Vec::new());
    let (mut arrival, mut last_arrival, mut events) = (Vec::new(), Vec::new(), Vec::new());
    let (mut follower_fanout, mut follower_arrival) = (Vec::new(), Vec::new());
    let first_follower = FIRST_ATTENDEE + cfg.attendees as u32;
    for (d, clients) in drivers.iter().zip(logs) {
        r.sent += d.sent;
        r.acked += d.acked.len() as u64;
        r.unanswered += d.unanswered;
        for (code, n) in &d.refused {
            *r.refused.entry(code.clone()).or_default() += n;
        }
        let mut by_seq: HashMap<u32, Sent> = HashMap::with_capacity(d.acked.len());
        for s in &d.acked {
            let ack = s.acked_us.saturating_sub(s.sent_us);
            acks.push(ack);
            let sent = Sent {
                at: s.sent_us,
                by: s.client,
                ack,
                ..Sent::default()
            };
            by_seq.insert(s.seq as u32, sent);
        }
        for c in clients {
            for a in &c.arrivals {
                if let Some(e) = by_seq.get_mut(&a.seq) {
                    if c.index != e.by {
                        let read = (a.read_us as u64).saturating_sub(e.at);
                        let socket = (a.socket_us as u64).saturating_sub(e.at);
                        if c.index >= first_follower {
                            follower_fanout.push(read);
                            follower_arrival.push(socket);
                        } else {
                            fanout.push(read);
                            arrival.push(socket);
                        }
                        e.last_read = e.last_read.max(read);
                        e.last_socket = e.last_socket.max(socket);
                        e.receipts += 1;
                    }
                }
            }
            r.gaps += c.gaps as u64;
            r.duplicates += c.duplicates as u64;
            r.snapshots += c.snapshots as u64;
            r.disconnects += c.disconnects as u64;
            r.stray_errors += c.stray_errors as u64;
        }
        let receivers = clients.len() as u64 - 1;
        for e in by_seq.values() {
            r.missing += receivers.saturating_sub(e.receipts);
            last.push(e.last_read);
            last_arrival.push(e.last_socket);
        }
        events.extend(by_seq.into_values());
    }
    if events.len() <= report::TIMELINE_MAX {
        events.sort_unstable_by_key(|e| e.at);
        let ms = |us: u64| us as f64 / 1e3;
        r.timeline = events
            .iter()
            .map(|e| {
                let sent = e.at.saturating_sub(window.start_us) as f64 / 1e6;
                [sent, ms(e.ack), ms(e.last_socket), ms(e.last_read)]
            })
            .collect();
    }
    r.deliveries = (fanout.len() + follower_fanout.len()) as u64;
    r.follower_fanout = Percentiles::of_micros(follower_fanout);
    r.follower_arrival = Percentiles::of_micros(follower_arrival);
    r.acked_per_sec = r.acked as f64 / r.window_secs;
    r.ack_latency = Percentiles::of_micros(acks);
    r.fanout = Percentiles::of_micros(fanout);
    r.last_receipt = Percentiles::of_micros(last);
    r.arrival = Percentiles::of_micros(arrival);
    r.last_arrival = Percentiles::of_micros(last_arrival);
    r
}

/// A measured command, as its event is followed to every other client.
#[derive(Debug, Default)]
struct Sent {
    /// When it was sent, µs on the run's clock.
    at: u64,
    /// Its sender's index in the meeting.
    by: u32,
    /// µs to its acknowledgement.
    ack: u64,
    /// µs to the last client's socket, and to the last client's read.
    last_socket: u64,
    last_read: u64,
    /// Clients that got it.
    receipts: u64,
}
