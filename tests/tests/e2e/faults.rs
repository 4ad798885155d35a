//! Network faults, through an in-process fault proxy ([`tests::proxy`]):
//! delay and jitter, connections cut mid-frame, half-open connections, a
//! reconnect storm with jitter. The moderator's actions still reach the
//! projector, and nothing acknowledged is lost or doubled.

use crate::helpers::TestServer;
use babahui::{Limits, ServerConfig};
use babahui_shared::*;
use rand::Rng;
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};
use tests::http::{join, public_state, simple_meeting};
use tests::proxy::{FaultProxy, Faults};
use tests::{Acked, Refused, WsClient};

/// A client that, like the web app, reconnects with resume whenever its
/// connection breaks and resends the command it was waiting for (same id).
struct Phone {
    base: String,
    meeting: MeetingId,
    token: String,
    name: String,
    next: u64,
    conn: Option<WsClient>,
    state: MeetingState,
    acked: HashMap<CommandId, Acked>,
    reconnects: usize,
}

impl Phone {
    fn new(base: &str, meeting: &MeetingId, token: &str, name: &str) -> Phone {
        Phone {
            base: base.to_owned(),
            meeting: meeting.clone(),
            token: token.to_owned(),
            name: name.to_owned(),
            next: 0,
            conn: None,
            state: MeetingState::default(),
            acked: HashMap::new(),
            reconnects: 0,
        }
    }

    async fn ensure(&mut self) -> &mut WsClient {
        while self.conn.is_none() {
            let since = (self.state.seq > 0).then_some(self.state.seq);
            match WsClient::connect_with_state(&self.base, &self.meeting, &self.token, since, self.state.clone()).await
            {
                Ok(c) => self.conn = Some(c),
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
        self.conn.as_mut().expect("connected")
    }

    fn broke(&mut self) {
        if let Some(c) = self.conn.take() {
            self.state = c.state.clone();
        }
        self.reconnects += 1;
    }

    /// Runs one command to its result, through any number of broken connections.
    async fn run(&mut self, command: Command) -> Result<Acked, Refused> {
        self.next += 1;
        let id = CommandId(format!("{}-{}", self.name, self.next));
        loop {
            let c = self.ensure().await;
            let attempt = async {
                c.submit_with_id(id.clone(), command.clone()).await?;
                c.wait_result(&id).await
            }
            .await;
            match attempt {
                Ok(result) => {
                    self.state = c.state.clone();
                    if let Ok(ack) = &result {
                        self.acked.insert(id.clone(), *ack);
                    }
                    return result;
                }
                Err(_) => self.broke(),
            }
        }
    }

    /// Reads until its state reaches `seq`, reconnecting as needed.
    async fn catch_up(&mut self, seq: Seq) {
        loop {
            let c = self.ensure().await;
            match c.sync_to(seq).await {
                Ok(()) => {
                    self.state = c.state.clone();
                    return;
                }
                Err(_) => self.broke(),
            }
        }
    }
}

#[tokio::test]
async fn through_delay_jitter_and_cuts_nothing_acknowledged_is_lost_or_doubled() {
    let server = TestServer::start().await;
    let m = simple_meeting(&server.base, "t", &["a"]).await.unwrap();
    let faults = Faults {
        delay: Duration::from_millis(300),
        jitter: Duration::from_millis(200),
        cut_after: Some((3_000, 40_000)),
    };
    let proxy = std::sync::Arc::new(FaultProxy::start(&server.base, faults).await);
    // And every so often the Wi-Fi drops everyone at once.
    let cutter = {
        let proxy = proxy.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(3000)).await;
                proxy.cut_all();
            }
        })
    };
    let mut tasks = Vec::new();
    let mut moderator = Phone::new(&proxy.base, m.id(), &m.moderator, "mod");
    moderator.run(Command::StartMeeting).await.unwrap();
    moderator.run(Command::OpenTopic { topic: TopicId(1) }).await.unwrap();
    tasks.push(tokio::spawn(async move {
        for k in 0..8 {
            moderator
                .run(Command::AddTopic {
                    title: format!("主持人议题{k}"),
                    minutes: 5,
                    position: None,
                })
                .await
                .unwrap();
        }
        moderator
    }));
    for i in 0..8 {
        let j = join(&server.base, &m, &format!("p{i}"), "居民").await.unwrap();
        let mut phone = Phone::new(&proxy.base, m.id(), &j.token, &format!("p{i}"));
        tasks.push(tokio::spawn(async move {
            for k in 0..5 {
                phone
                    .run(Command::SubmitOpinion {
                        topic: None,
                        text: format!("p{i}-{k}"),
                        category: None,
                        stance: None,
                        author: OpinionAuthor::Me,
                        voice: None,
                    })
                    .await
                    .unwrap();
            }
            phone
        }));
    }
    let mut phones = Vec::new();
    for t in tasks {
        phones.push(
            tokio::time::timeout(Duration::from_secs(120), t)
                .await
                .expect("progress despite the faults")
                .unwrap(),
        );
    }
    cutter.abort();
    let reconnects: usize = phones.iter().map(|p| p.reconnects).sum();
    eprintln!(
        "faults: {reconnects} reconnects through cuts, {} connections",
        proxy.accepted()
    );
    assert!(reconnects > 0, "connections were cut, so the check had teeth");

    let state = public_state(&server.base, m.id()).await.unwrap();
    let log = tests::http::stored_log(&server.base, &m).await.unwrap();
    let mut once = HashSet::new();
    for (seq, by, id) in &log {
        if let Some(id) = id {
            assert!(
                once.insert((*by, id.clone())),
                "{id:?} of {by:?} applied twice (seq {seq})"
            );
        }
    }
    for p in &phones {
        for (id, ack) in &p.acked {
            assert_eq!(
                log[ack.seq as usize - 1].2.as_ref(),
                Some(id),
                "acked {id:?} not at its seq"
            );
        }
    }
    let texts: HashSet<&str> = state.opinions.iter().map(|o| o.text.as_str()).collect();
    assert_eq!((texts.len(), state.opinions.len()), (40, 40), "every opinion once");
    assert_eq!(state.agenda.len(), 9, "every topic once");
    // The projector, behind the same bad network, sees all of the moderator's actions.
    let mut projector = Phone::new(&proxy.base, m.id(), &m.projector, "pj");
    projector.catch_up(state.seq).await;
    assert_eq!(projector.state, state);
    for p in &mut phones {
        p.catch_up(state.seq).await;
        assert_eq!(p.state, state, "{} agrees with the server", p.name);
    }
}

#[tokio::test]
async fn a_half_open_connection_is_closed_by_the_heartbeat() {
    let heartbeat = Duration::from_millis(200);
    let idle = Duration::from_millis(600);
    // One connection per meeting, so the server's own count shows when it let go.
    let server = TestServer::start_with(ServerConfig {
        heartbeat,
        idle_timeout: idle,
        limits: Limits {
            ws_per_meeting: 1,
            ..Limits::default()
        },
        ..ServerConfig::default()
    })
    .await;
    let m = simple_meeting(&server.base, "t", &["a"]).await.unwrap();
    let proxy = FaultProxy::start(&server.base, Faults::default()).await;
    let _walked_off = WsClient::connect(&proxy.base, m.id(), &m.projector, None)
        .await
        .unwrap();
    assert!(WsClient::connect(&server.base, m.id(), &m.projector, None)
        .await
        .is_err());
    proxy.blackhole();
    let started = Instant::now();
    loop {
        if WsClient::connect(&server.base, m.id(), &m.projector, None)
            .await
            .is_ok()
        {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the half-open connection was never closed"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let took = started.elapsed();
    eprintln!("half-open connection released after {took:?} (heartbeat {heartbeat:?}, idle timeout {idle:?})");
    // The deadline is idle timeout + one heartbeat; allow the test's own polling
    // and a busy CI machine half a second more.
    assert!(
        took <= idle + heartbeat + Duration::from_millis(500),
        "closed within the stated deadline: {took:?}"
    );
}

#[tokio::test]
async fn a_reconnect_storm_with_jitter_catches_everyone_up() {
    let server = TestServer::start().await;
    let m = simple_meeting(&server.base, "t", &["a"]).await.unwrap();
    let proxy = FaultProxy::start(&server.base, Faults::default()).await;
    let mut md = WsClient::connect(&server.base, m.id(), &m.moderator, None)
        .await
        .unwrap();
    md.ok(Command::StartMeeting).await.unwrap();
    let mut phones = Vec::new();
    for i in 0..60 {
        let j = join(&server.base, &m, &format!("p{i}"), "居民").await.unwrap();
        let mut p = Phone::new(&proxy.base, m.id(), &j.token, &format!("p{i}"));
        p.ensure().await;
        phones.push(p);
    }
    // Everyone drops at once (the Wi-Fi access point restarts)…
    proxy.cut_all();
    let started = Instant::now();
    let tasks: Vec<_> = phones
        .into_iter()
        .map(|mut p| {
            tokio::spawn(async move {
                // …and comes back at a random moment within half a second.
                let jitter = rand::rng().random_range(0..500);
                tokio::time::sleep(Duration::from_millis(jitter)).await;
                p.broke();
                p.ensure().await;
                p
            })
        })
        .collect();
    // Meanwhile the moderator carries on.
    for k in 0..20 {
        md.ok(Command::AddTopic {
            title: format!("t{k}"),
            minutes: 1,
            position: None,
        })
        .await
        .unwrap();
    }
    let head = public_state(&server.base, m.id()).await.unwrap();
    let mut phones = Vec::new();
    for t in tasks {
        let mut p = t.await.unwrap();
        p.catch_up(head.seq).await;
        phones.push(p);
    }
    eprintln!(
        "reconnect storm: 60 clients back and caught up {:?} after the cut",
        started.elapsed()
    );
    for p in &phones {
        assert_eq!(p.state, head, "{} caught up to the head", p.name);
    }
}
