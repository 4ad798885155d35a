//! The start of a meeting: everyone scans the QR code within a few seconds.
//! Each simulated phone does what a phone's browser does on its first visit —
//! the join page with its style sheet and script, the page's join form (its
//! answer is the joined page), then the phone's bundle (script and
//! WebAssembly) and the live connection — on connections of its own, asking
//! for compressed answers (`br, gzip`). The bytes counted are the bodies as sent (nothing is
//! decompressed here), so they are what crosses a hotspot's Wi-Fi.
//!
//! `--cached` is a phone that has the files already (a second meeting: only
//! the pages and the data); `--plain` one whose browser runs no script (the
//! pages and the style sheet only).

use crate::http;
use crate::load::procstat;
use anyhow::{bail, Context, Result};
use babahui_shared::{ClientMsg, ServerMsg};
use futures::{SinkExt, StreamExt};
use reqwest::header::{ACCEPT_ENCODING, ACCEPT_LANGUAGE, COOKIE, SET_COOKIE};
use serde::Serialize;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::Message;

/// What to run.
#[derive(Debug, Clone, clap::Parser)]
#[command(name = "arrivals", about = "N phones scan the join link within a few seconds")]
pub struct Args {
    /// The server, e.g. `http://127.0.0.1:8080`.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub url: String,
    /// The server's process id, to read its CPU time from /proc.
    #[arg(long)]
    pub server_pid: Option<u32>,
    /// The server's organiser key, if it has one.
    #[arg(long)]
    pub organiser_key: Option<String>,
    /// Phones.
    #[arg(long, default_value_t = 500)]
    pub phones: usize,
    /// Seconds over which they arrive (evenly spread).
    #[arg(long, default_value_t = 10.0)]
    pub within: f64,
    /// Phones that have the application's files already (a second meeting).
    #[arg(long)]
    pub cached: bool,
    /// Phones that use the page's plain forms (no application).
    #[arg(long)]
    pub plain: bool,
    /// A shared link's speed for the hotspot arithmetic, Mbit/s.
    #[arg(long, default_value_t = 20.0)]
    pub link_mbit: f64,
    /// Phones in the hotspot arithmetic.
    #[arg(long, default_value_t = 50)]
    pub hotspot_phones: usize,
}

/// What one phone measured.
#[derive(Debug, Clone, Copy, Default)]
struct Phone {
    /// Opening the link to joined and welcomed on the live connection.
    total: Duration,
    /// Opening the link to the page's bytes all in.
    page: Duration,
    /// Bodies received, as sent.
    bytes: u64,
}

/// The figures of a run.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// What kind of phone.
    pub mode: &'static str,
    /// Phones that joined.
    pub joined: usize,
    /// Phones that failed (the first few reasons are printed).
    pub failed: usize,
    /// Wall time from the first phone's start to the last one joined, s.
    pub wall_secs: f64,
    /// Joins per second over the run.
    pub joins_per_sec: f64,
    /// Page time (ms): median, 95th, 99th percentile.
    pub page_ms: [f64; 3],
    /// Whole arrival (ms): median, 95th, 99th percentile.
    pub arrival_ms: [f64; 3],
    /// Bytes per phone, as sent (mean).
    pub bytes_per_phone: u64,
    /// The server's CPU time per join, ms (with `--server-pid`).
    pub server_cpu_ms_per_join: Option<f64>,
    /// Seconds the hotspot's shared link is busy carrying `hotspot_phones` arrivals.
    pub hotspot_secs: f64,
}

/// Runs the scenario.
pub async fn run(args: &Args) -> Result<Report> {
    if let Some(key) = &args.organiser_key {
        http::remember_organiser_key(&args.url, key);
    }
    let meeting = http::simple_meeting(&args.url, "到场扫码", &["停车", "路灯"]).await?;
    let md = meeting.moderator.clone();
    let mut moderator = crate::WsClient::connect(&args.url, meeting.id(), &md, None).await?;
    moderator.ok(babahui_shared::Command::StartMeeting).await?;
    moderator
        .ok(babahui_shared::Command::OpenTopic {
            topic: babahui_shared::TopicId(1),
        })
        .await?;
    let before = procstat::read(args.server_pid);
    let started = Instant::now();
    let mut phones = JoinSet::new();
    for n in 0..args.phones {
        let at = Duration::from_secs_f64(args.within * n as f64 / args.phones.max(1) as f64);
        let (url, id, invite, args) = (
            args.url.clone(),
            meeting.id().to_string(),
            meeting.invite.clone(),
            args.clone(),
        );
        phones.spawn(async move {
            tokio::time::sleep_until((started + at).into()).await;
            arrive(&url, &id, &invite, n, &args).await
        });
    }
    let (mut done, mut errors) = (Vec::new(), Vec::new());
    while let Some(result) = phones.join_next().await {
        match result? {
            Ok(phone) => done.push(phone),
            Err(e) => errors.push(format!("{e:#}")),
        }
    }
    let wall = started.elapsed().as_secs_f64();
    let after = procstat::read(args.server_pid);
    for e in errors.iter().take(5) {
        eprintln!("a phone failed: {e}");
    }
    if done.is_empty() {
        bail!("no phone joined");
    }
    let joined = done.len();
    let bytes_per_phone = done.iter().map(|p| p.bytes).sum::<u64>() / joined as u64;
    let percentiles = |mut ms: Vec<f64>| -> [f64; 3] {
        ms.sort_by(f64::total_cmp);
        let at = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
        [at(0.5), at(0.95), at(0.99)]
    };
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let report = Report {
        mode: if args.plain {
            "plain forms"
        } else if args.cached {
            "application, files cached"
        } else {
            "application, first visit"
        },
        joined,
        failed: errors.len(),
        wall_secs: wall,
        joins_per_sec: joined as f64 / wall,
        page_ms: percentiles(done.iter().map(|p| ms(p.page)).collect()),
        arrival_ms: percentiles(done.iter().map(|p| ms(p.total)).collect()),
        bytes_per_phone,
        server_cpu_ms_per_join: before
            .zip(after)
            .map(|(b, a)| (a.cpu_secs - b.cpu_secs) * 1000.0 / joined as f64),
        hotspot_secs: (bytes_per_phone * args.hotspot_phones as u64 * 8) as f64 / (args.link_mbit * 1_000_000.0),
    };
    moderator.close().await;
    Ok(report)
}

/// One phone's arrival, as a browser makes it: the join page and its files,
/// the page's join form (a post, then the joined page with 举手), then — with
/// the application — its bundle and its live connection.
async fn arrive(url: &str, id: &str, invite: &str, n: usize, args: &Args) -> Result<Phone> {
    // A phone of its own: its own connections, no shared pool.
    let phone = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(4)
        .build()?;
    let start = Instant::now();
    let get = |path: String, cookie: String| {
        let req = phone
            .get(format!("{url}{path}"))
            .header(ACCEPT_ENCODING, "br, gzip")
            .header(ACCEPT_LANGUAGE, "zh-CN")
            .header(COOKIE, cookie);
        async move {
            let resp = req.send().await.with_context(|| format!("GET {path}"))?;
            if !resp.status().is_success() {
                bail!("GET {path}: {}", resp.status());
            }
            Ok::<_, anyhow::Error>(resp.bytes().await?)
        }
    };
    let page = get(format!("/m/{id}?i={invite}"), String::new()).await?;
    let mut bytes = page.len() as u64;
    let page_time = start.elapsed();
    // The page comes gzipped (counted as sent); read, it names its files.
    let mut html = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&page[..]), &mut html).context("a gzipped page")?;
    let asset = |name: &str| -> Result<String> {
        let end = html.find(name).with_context(|| format!("no {name} in the page"))?;
        let begin = html[..end].rfind('"').context("a quoted address")? + 1;
        Ok(html[begin..end + name.len()].to_owned())
    };
    let (style, boot) = (asset("style.css")?, asset("boot.js")?);
    let base = boot.trim_end_matches("boot.js").to_owned();
    if !args.cached {
        bytes += get(style, String::new()).await?.len() as u64;
        if !args.plain {
            bytes += get(boot, String::new()).await?.len() as u64;
        }
    }
    let resp = phone
        .post(format!("{url}/m/{id}/join"))
        .header(ACCEPT_ENCODING, "br, gzip")
        .form(&[("i", invite), ("name", &format!("居民{n}")), ("category", "居民")])
        .send()
        .await?;
    if resp.status() != 200 {
        bail!("form join: {}", resp.status());
    }
    let cookie = resp.headers()[SET_COOKIE]
        .to_str()?
        .split(';')
        .next()
        .unwrap_or_default()
        .to_owned();
    let token = cookie.split_once('=').map(|(_, t)| t.to_owned()).unwrap_or_default();
    // The answer is the joined page.
    let joined = resp.bytes().await?;
    bytes += joined.len() as u64;
    let mut joined_html = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&joined[..]), &mut joined_html)
        .context("a gzipped page")?;
    if !joined_html.contains("button.hand") && !joined_html.contains("big hand") {
        bail!("the joined page has no 举手");
    }
    if !args.plain {
        if !args.cached {
            bytes += get(format!("{base}pkg-attendee/babahui_client.js"), String::new())
                .await?
                .len() as u64;
            bytes += get(format!("{base}pkg-attendee/babahui_client_bg.wasm"), String::new())
                .await?
                .len() as u64;
        }
        bytes += welcome(url, id, &token).await?;
    }
    Ok(Phone {
        total: start.elapsed(),
        page: page_time,
        bytes,
    })
}

/// Opens the live connection and waits for the meeting's snapshot; its size.
async fn welcome(url: &str, id: &str, token: &str) -> Result<u64> {
    let ws_url = format!("{}/api/meetings/{id}/ws", url.replacen("http", "ws", 1));
    let (mut ws, _) = tokio_tungstenite::connect_async(ws_url).await?;
    let hello = serde_json::to_string(&ClientMsg::Hello {
        token: token.to_owned(),
        since: None,
    })?;
    ws.send(Message::text(hello)).await?;
    let mut bytes = 0u64;
    while let Some(msg) = tokio::time::timeout(Duration::from_secs(30), ws.next()).await? {
        if let Message::Text(text) = msg? {
            bytes += text.len() as u64;
            if matches!(serde_json::from_str::<ServerMsg>(&text)?, ServerMsg::Snapshot { .. }) {
                let _ = ws.close(None).await;
                return Ok(bytes);
            }
        }
    }
    bail!("the connection closed before the snapshot")
}

impl Report {
    /// The report as a few lines.
    pub fn print(&self, args: &Args) {
        println!(
            "{} phones arriving within {:.0} s ({}):",
            args.phones, args.within, self.mode
        );
        println!(
            "  joined {} (failed {}) in {:.1} s: {:.0} joins/s",
            self.joined, self.failed, self.wall_secs, self.joins_per_sec
        );
        println!(
            "  page p50/p95/p99 {:.0}/{:.0}/{:.0} ms; whole arrival p50/p95/p99 {:.0}/{:.0}/{:.0} ms",
            self.page_ms[0],
            self.page_ms[1],
            self.page_ms[2],
            self.arrival_ms[0],
            self.arrival_ms[1],
            self.arrival_ms[2]
        );
        println!(
            "  bytes per phone, as sent: {:.1} KiB",
            self.bytes_per_phone as f64 / 1024.0
        );
        if let Some(cpu) = self.server_cpu_ms_per_join {
            println!("  server CPU per join: {cpu:.2} ms");
        }
        println!(
            "  hotspot: {} phones × {:.1} KiB over a shared {:.0} Mbit/s link = {:.1} s of the link",
            args.hotspot_phones,
            self.bytes_per_phone as f64 / 1024.0,
            args.link_mbit,
            self.hotspot_secs
        );
    }
}
