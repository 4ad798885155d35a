//! The district backend: N Babahui nodes on one real PostgreSQL (a throwaway
//! cluster the suite starts, see `tests::postgres`). Nodes die (kill -9),
//! pause past their lease (SIGSTOP), and the database restarts under them:
//! nothing acknowledged is lost, nothing is applied twice, no log forks, and
//! every client is back at the head through another node.

use crate::helpers::{babahui, data_dir, ServerProcess};
use babahui::store::{Backend, Claim, MeetingIndex, Meta, NewRecord, PgLog, StoreError};
use babahui_shared::*;
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};
use tempfile::TempDir;
use tests::http::{join, public_state, simple_meeting};
use tests::postgres::PgCluster;
use tests::{Acked, WsClient};

/// The organiser key every node of these services is given.
const KEY: &str = "district-test-organiser-key-0123456789";

/// One node: `babahui serve --database-url URL` in its own process.
struct Node {
    process: ServerProcess,
    _data: TempDir,
}

impl Node {
    fn start(url: &str) -> Node {
        let (keep, data) = data_dir();
        let process = ServerProcess::start_with(&data, &["--database-url", url, "--organiser-key", KEY]);
        tests::http::remember_organiser_key(&process.base, KEY);
        Node { process, _data: keep }
    }

    fn base(&self) -> String {
        self.process.base.clone()
    }
}

fn record(seq: Seq) -> NewRecord {
    let event = Event {
        seq,
        at: seq,
        by: Actor::Moderator,
        event: EventKind::MeetingStarted,
    };
    NewRecord {
        seq,
        event_json: serde_json::to_string(&event).unwrap().into(),
        meta: Meta::default(),
    }
}

/// The seam's promises on PostgreSQL: an append states the head it expects
/// (a stale writer is refused and writes nothing), and only the node holding
/// the meeting's lease may append.
#[tokio::test]
async fn on_postgres_a_stale_writer_or_a_node_without_the_lease_writes_nothing() {
    let url = PgCluster::shared().new_database();
    let a = PgLog::open(&url, "node-a".into()).unwrap();
    let b = PgLog::open(&url, "node-b".into()).unwrap();
    let id = MeetingId::parse("abcdefgh").unwrap();
    let index = MeetingIndex {
        id: id.clone(),
        title: "t".into(),
        created_at: 1,
        community: None,
        origin: None,
    };
    a.append(&id, 0, (1..=3).map(record).collect(), Some(index.clone()))
        .await
        .unwrap();
    let again = b.append(&id, 0, vec![record(1)], Some(index)).await;
    assert!(matches!(again, Err(StoreError::Stale { found: 3, .. })), "{again:?}");
    let stale = b.append(&id, 2, vec![record(3)], None).await;
    assert!(
        matches!(
            stale,
            Err(StoreError::Stale {
                expected: 2,
                found: 3,
                ..
            })
        ),
        "{stale:?}"
    );
    let ahead = b.append(&id, 5, vec![record(6)], None).await;
    assert!(matches!(ahead, Err(StoreError::Stale { found: 3, .. })), "{ahead:?}");
    // a takes the lease: b may not write, even at the right head.
    let leases = a.leases().unwrap();
    leases.join("http://127.0.0.1:1".into()).await.unwrap();
    b.leases().unwrap().join("http://127.0.0.1:2".into()).await.unwrap();
    assert_eq!(leases.claim(&id, false).await.unwrap(), Claim::Mine);
    assert_eq!(
        b.leases().unwrap().claim(&id, false).await.unwrap(),
        Claim::Elsewhere("http://127.0.0.1:1".into())
    );
    let fenced = b.append(&id, 3, vec![record(4)], None).await;
    assert!(matches!(fenced, Err(StoreError::NotOwner { .. })), "{fenced:?}");
    a.append(&id, 3, vec![record(4)], None).await.unwrap();
    let log = b.load(&id).unwrap();
    assert_eq!(log.iter().map(|r| r.event.seq).collect::<Vec<_>>(), vec![1, 2, 3, 4]);
    assert_eq!(a.list().unwrap().len(), 1);
    assert_eq!(a.delete(&id).await.unwrap(), 4);
    assert!(!b.contains(&id).unwrap());
}

/// The URL of the node that holds meeting `m`'s lease, as the database says.
fn owner(pg: &PgCluster, url: &str, m: &MeetingId) -> String {
    pg.sql(
        url,
        &format!("SELECT n.url FROM leases l JOIN nodes n ON n.id = l.node WHERE l.meeting = '{m}'"),
    )
}

/// Connects to `m` through the first of `bases` that serves it, trying again
/// until `deadline` (a node that just died, a lease not yet expired).
async fn reconnect(bases: &[String], m: &MeetingId, token: &str, state: MeetingState, deadline: Instant) -> WsClient {
    let since = state.seq;
    let mut k = 0;
    loop {
        let base = &bases[k % bases.len()];
        k += 1;
        match WsClient::connect_with_state(base, m, token, Some(since), state.clone()).await {
            Ok(c) => return c,
            Err(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => panic!("no node served {m} in time: {e:#}"),
        }
    }
}

/// What one client sent and was told.
struct ClientRun {
    token: String,
    actor: Actor,
    sent: Vec<(CommandId, Command)>,
    acked: HashMap<CommandId, Acked>,
}

fn scripted(round: usize, client: usize, k: usize, moderator: bool) -> Command {
    if moderator {
        match k % 2 {
            0 => Command::CallNext,
            _ => Command::EndFloor,
        }
    } else {
        match k % 3 {
            0 | 1 => Command::SubmitOpinion {
                topic: None,
                text: format!("r{round}-p{client}-k{k}"),
                category: None,
                stance: None,
                author: OpinionAuthor::Me,
                voice: None,
            },
            _ => Command::RaiseHand { topic: None, who: None },
        }
    }
}

/// Three nodes, a moderator and 20 attendees pipelining commands through
/// different nodes; the node serving the meeting is killed with SIGKILL at a
/// different moment each round. Every client reconnects through another node
/// and resumes; every acknowledged command is in the log once, at its
/// sequence number; no hole; resends get their original answer.
#[tokio::test]
async fn kill_9_of_the_serving_node_loses_nothing_and_clients_resume_through_another() {
    let rounds: usize = std::env::var("BABAHUI_NODE_KILL_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(10);
    let pg = PgCluster::shared();
    let url = pg.new_database();
    let mut nodes: Vec<Node> = (0..3).map(|_| Node::start(&url)).collect();
    let mut recoveries: Vec<Duration> = Vec::new();
    for round in 0..rounds {
        let bases: Vec<String> = nodes.iter().map(Node::base).collect();
        let m = simple_meeting(&bases[round % 3], &format!("round {round}"), &["a"])
            .await
            .unwrap();
        let serving = owner(pg, &url, m.id());
        assert_eq!(serving, bases[round % 3], "the node that created it serves it");
        let mut setup = WsClient::connect(&bases[(round + 1) % 3], m.id(), &m.moderator, None)
            .await
            .unwrap();
        setup.ok(Command::StartMeeting).await.unwrap();
        setup.ok(Command::OpenTopic { topic: TopicId(1) }).await.unwrap();
        setup.close().await;
        let killed = bases.iter().position(|b| *b == serving).unwrap();
        let others: Vec<String> = bases.iter().filter(|b| **b != serving).cloned().collect();
        let mut tasks = Vec::new();
        let (kill_tx, _) = tokio::sync::broadcast::channel::<Instant>(1);
        for i in 0..=20 {
            let moderator = i == 20;
            let via = bases[i % 3].clone();
            let token = if moderator {
                m.moderator.clone()
            } else {
                join(&via, &m, &format!("p{i}"), "居民").await.unwrap().token
            };
            let mut c = WsClient::connect(&via, m.id(), &token, None).await.unwrap();
            let (mid, others) = (m.id().clone(), others.clone());
            let mut killed_at = kill_tx.subscribe();
            tasks.push(tokio::spawn(async move {
                let mut sent = Vec::new();
                for k in 0..30 {
                    let cmd = scripted(round, i, k, moderator);
                    match c.submit(cmd.clone()).await {
                        Ok(id) => sent.push((id, cmd)),
                        Err(_) => break,
                    }
                    while let Ok(Ok(_)) = tokio::time::timeout(Duration::ZERO, c.recv()).await {}
                    tokio::time::sleep(Duration::from_millis(4)).await;
                }
                while c.recv().await.is_ok() {}
                let mut acked: HashMap<CommandId, Acked> = c
                    .take_results()
                    .into_iter()
                    .filter_map(|(id, r)| r.ok().map(|a| (id, a)))
                    .collect();
                // Back at the head through another node: the recovery time.
                let at = killed_at.recv().await.expect("the kill's time");
                let state = c.state.clone();
                let actor = c.actor;
                let deadline = Instant::now() + Duration::from_secs(20);
                let mut c = reconnect(&others[i % 2..], &mid, &token, state, deadline).await;
                let recovered = at.elapsed();
                // Resend everything, same ids: acked ones keep their answer.
                for (id, cmd) in &sent {
                    c.submit_with_id(id.clone(), cmd.clone()).await.unwrap();
                    let result = c.wait_result(id).await.unwrap();
                    if let Some(ack) = acked.get(id) {
                        let again = result.expect("an acked command stays acked");
                        assert_eq!((again.seq, again.duplicate), (ack.seq, true), "original answer");
                    } else if let Ok(a) = result {
                        acked.insert(id.clone(), a);
                    }
                }
                assert_eq!(c.duplicate_events, 0, "no event twice");
                (
                    ClientRun {
                        token,
                        actor,
                        sent,
                        acked,
                    },
                    recovered,
                )
            }));
        }
        tokio::time::sleep(Duration::from_millis(20 + (round as u64 * 53) % 150)).await;
        let dead = nodes.remove(killed);
        dead.process.kill9();
        let _ = kill_tx.send(Instant::now());
        let mut runs = Vec::new();
        for task in tasks {
            let (run, took) = task.await.unwrap();
            recoveries.push(took);
            runs.push(run);
        }
        nodes.push(Node::start(&url));
        let base = &others[0];
        let state = public_state(base, m.id()).await.unwrap();
        let log = tests::http::stored_log(base, &m).await.unwrap();
        assert_eq!(
            log.iter().map(|(s, _, _)| *s).collect::<Vec<_>>(),
            (1..=state.seq).collect::<Vec<_>>(),
            "round {round}: the log is 1..=head with no hole"
        );
        let mut once = HashSet::new();
        for (seq, by, cmd) in &log {
            if let Some(cmd) = cmd {
                assert!(
                    once.insert((*by, cmd.clone())),
                    "round {round}: {cmd:?} twice (seq {seq})"
                );
            }
        }
        for run in &runs {
            for (id, ack) in &run.acked {
                let (_, by, cmd) = &log[ack.seq as usize - 1];
                assert_eq!(
                    (by, cmd.as_ref()),
                    (&run.actor, Some(id)),
                    "round {round}: acked {id:?} lost"
                );
            }
        }
        let mut fresh = WsClient::connect(base, m.id(), &runs[0].token, Some(0)).await.unwrap();
        fresh.sync_to(state.seq).await.unwrap();
        assert_eq!(fresh.state, state, "round {round}: replay == served state");
        let acked: usize = runs.iter().map(|r| r.acked.len()).sum();
        let sent: usize = runs.iter().map(|r| r.sent.len()).sum();
        eprintln!("node kill round {round}: {acked} of {sent} commands acknowledged in the end");
    }
    recoveries.sort();
    let p = |q: f64| recoveries[((recoveries.len() as f64 * q).ceil() as usize).clamp(1, recoveries.len()) - 1];
    eprintln!(
        "recovery after kill -9 of the serving node ({} clients): p50 {:?}, p99 {:?}, max {:?}",
        recoveries.len(),
        p(0.5),
        p(0.99),
        recoveries.last().unwrap()
    );
    assert!(p(0.99) <= Duration::from_secs(3), "recovery p99 {:?} > 3 s", p(0.99));
}

/// The serving node is paused (SIGSTOP) past its lease; another node takes
/// the meeting over and writes to it; the old node, resumed (SIGCONT), appends
/// nothing (no fork), and its clients move over.
#[tokio::test]
async fn a_paused_node_that_lost_its_lease_writes_nothing_and_its_clients_move_over() {
    let pg = PgCluster::shared();
    let url = pg.new_database();
    let a = Node::start(&url);
    let b = Node::start(&url);
    let m = simple_meeting(&a.base(), "paused", &["a"]).await.unwrap();
    let mut moderator = WsClient::connect(&a.base(), m.id(), &m.moderator, None).await.unwrap();
    moderator.ok(Command::StartMeeting).await.unwrap();
    moderator.ok(Command::OpenTopic { topic: TopicId(1) }).await.unwrap();
    let p = join(&b.base(), &m, "甲", "居民").await.unwrap();
    let attendee = WsClient::connect(&b.base(), m.id(), &p.token, None).await.unwrap();
    let head = attendee.state.seq;
    let kill = |sig: &str| {
        let ok = std::process::Command::new("kill")
            .args([sig, &a.process.pid().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill {sig}");
    };
    kill("-STOP");
    // The moderator's command waits in the paused node's socket.
    let late = moderator.submit(Command::CallNext).await.unwrap();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    // The attendee comes back through b, which takes the meeting over.
    let state = attendee.state.clone();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut attendee = reconnect(&[b.base()], m.id(), &p.token, state, deadline).await;
    assert_eq!(owner(pg, &url, m.id()), b.base(), "b serves the meeting now");
    let said = attendee
        .ok(Command::SubmitOpinion {
            topic: None,
            text: "b 接手后的意见".into(),
            category: None,
            stance: None,
            author: OpinionAuthor::Me,
            voice: None,
        })
        .await
        .unwrap();
    assert_eq!(said.seq, head + 1);
    kill("-CONT");
    // The old node must not have appended: its command is refused or never answered,
    // and its connection closes (the meeting moved).
    let answer = tokio::time::timeout(Duration::from_secs(10), moderator.wait_result(&late)).await;
    if let Ok(Ok(Ok(ack))) = &answer {
        panic!("the paused node acknowledged a command after losing its lease: {ack:?}");
    }
    let log = tests::http::stored_log(&b.base(), &m).await.unwrap();
    assert_eq!(
        log.iter().map(|(s, _, _)| *s).collect::<Vec<_>>(),
        (1..=head + 1).collect::<Vec<_>>(),
        "no fork, nothing from the paused node"
    );
    // The moderator comes back through a (relayed to b) and sees the opinion.
    let state = moderator.state.clone();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut moderator = reconnect(&[a.base()], m.id(), &m.moderator, state, deadline).await;
    assert_eq!(moderator.state.seq, head + 1);
    assert!(moderator.state.opinions.iter().any(|o| o.text == "b 接手后的意见"));
    let next = moderator
        .ok(Command::AddTopic {
            title: "续".into(),
            minutes: 5,
            position: None,
        })
        .await
        .unwrap();
    assert_eq!(next.seq, head + 2, "and goes on through a");
}

/// The database restarts the hard way mid-meeting: commands meanwhile are
/// refused (storage) or not answered, never acknowledged and lost; after it
/// comes back, the node serves again by itself.
#[tokio::test]
async fn a_database_crash_refuses_writes_loses_nothing_acknowledged_and_the_node_recovers() {
    let pg = PgCluster::start();
    let url = pg.new_database();
    let node = Node::start(&url);
    let base = node.base();
    let m = simple_meeting(&base, "db", &["a"]).await.unwrap();
    let mut moderator = WsClient::connect(&base, m.id(), &m.moderator, None).await.unwrap();
    moderator.ok(Command::StartMeeting).await.unwrap();
    let before = moderator.ok(Command::OpenTopic { topic: TopicId(1) }).await.unwrap();
    pg.stop_immediately();
    let down = moderator
        .command(Command::AddTopic {
            title: "库停时".into(),
            minutes: 5,
            position: None,
        })
        .await;
    match &down {
        Ok(Err(refused)) => assert_eq!(refused.code, ErrorCode::Storage, "{refused:?}"),
        Ok(Ok(ack)) => panic!("acknowledged while the database was down: {ack:?}"),
        Err(_) => {} // the connection closed: the meeting let go
    }
    pg.start_again();
    let state = moderator.state.clone();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut moderator = reconnect(std::slice::from_ref(&base), m.id(), &m.moderator, state, deadline).await;
    let mut after = None;
    while Instant::now() < deadline {
        match moderator
            .command(Command::AddTopic {
                title: "库恢复后".into(),
                minutes: 5,
                position: None,
            })
            .await
        {
            Ok(Ok(ack)) => {
                after = Some(ack);
                break;
            }
            _ => {
                tokio::time::sleep(Duration::from_millis(200)).await;
                let state = moderator.state.clone();
                moderator = reconnect(std::slice::from_ref(&base), m.id(), &m.moderator, state, deadline).await;
            }
        }
    }
    let after = after.expect("writes resume by themselves");
    assert!(after.seq > before.seq);
    let log = tests::http::stored_log(&base, &m).await.unwrap();
    assert_eq!(log.len() as Seq, after.seq, "no hole");
    assert!(
        !moderator.state.agenda.iter().any(|t| t.title == "库停时"),
        "nothing refused was stored"
    );
}

/// Two nodes write the one ledger at once (entries typed in, progress
/// recorded): every entry gets a number of its own and no change is lost.
#[tokio::test]
async fn two_nodes_writing_the_ledger_at_once_lose_nothing() {
    let url = PgCluster::shared().new_database();
    let nodes = [Node::start(&url), Node::start(&url)];
    let http = reqwest::Client::new();
    let mut writes = Vec::new();
    for i in 0..16 {
        let (http, base) = (http.clone(), nodes[i % 2].base());
        writes.push(tokio::spawn(async move {
            let body = serde_json::json!({"title": format!("事项{i}"), "deadline": "2099-01-01", "by": "社区干部"});
            let resp = http
                .post(format!("{base}/api/ledger"))
                .bearer_auth(KEY)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 201, "{}", resp.text().await.unwrap_or_default());
            let entry: serde_json::Value = resp.json().await.unwrap();
            entry["id"].as_u64().unwrap()
        }));
    }
    let mut ids = Vec::new();
    for w in writes {
        ids.push(w.await.unwrap());
    }
    ids.sort();
    assert_eq!(ids, (1..=16).collect::<Vec<_>>(), "a number each");
    // Progress on one entry from both nodes at once: every line kept.
    let mut updates = Vec::new();
    for i in 0..8 {
        let (http, base) = (http.clone(), nodes[i % 2].base());
        updates.push(tokio::spawn(async move {
            let body = serde_json::json!({"note": format!("进展{i}"), "by": "社区干部"});
            let resp = http
                .post(format!("{base}/api/ledger/1/updates"))
                .bearer_auth(KEY)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert!(resp.status().is_success(), "{}", resp.status());
        }));
    }
    for u in updates {
        u.await.unwrap();
    }
    let entry: serde_json::Value = tests::http::get_json(&format!("{}/api/ledger/1", nodes[1].base()))
        .await
        .unwrap();
    let history = entry["history"].as_array().unwrap();
    assert_eq!(history.len(), 1 + 8, "登记 and every progress line: {history:?}");
}

/// A primary with a synchronous standby (`synchronous_commit = on`): the
/// primary dies mid-meeting (immediate stop), the standby is promoted, the
/// node follows its multi-host URL to it by itself, and every command that
/// was acknowledged is in the promoted standby's log.
#[tokio::test]
async fn after_a_failover_to_the_synchronous_standby_every_acknowledged_event_is_there() {
    let begun = Instant::now();
    let primary = PgCluster::start_with("wal_level = replica\nmax_wal_senders = 5\nsynchronous_commit = on");
    let db = primary.new_database();
    let db_name = db.rsplit('/').next().unwrap().split('?').next().unwrap().to_owned();
    let standby = primary.standby("babahui_standby");
    primary.configure("synchronous_standby_names = 'babahui_standby'");
    primary.reload();
    let url = format!(
        "postgres://postgres@127.0.0.1:{},127.0.0.1:{}/{db_name}?target_session_attrs=read-write&connect_timeout=1",
        primary.port, standby.port
    );
    eprintln!("standby ready after {:?}", begun.elapsed());
    let node = Node::start(&url);
    let base = node.base();
    eprintln!("node up after {:?}", begun.elapsed());
    let m = simple_meeting(&base, "failover", &["a"]).await.unwrap();
    let mut setup = WsClient::connect(&base, m.id(), &m.moderator, None).await.unwrap();
    setup.ok(Command::StartMeeting).await.unwrap();
    setup.ok(Command::OpenTopic { topic: TopicId(1) }).await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..10 {
        let token = join(&base, &m, &format!("p{i}"), "居民").await.unwrap().token;
        let mut c = WsClient::connect(&base, m.id(), &token, None).await.unwrap();
        tasks.push(tokio::spawn(async move {
            let mut acked = Vec::new();
            for k in 0..200 {
                let cmd = scripted(0, i, k, false);
                let Ok(id) = c.submit(cmd).await else { break };
                match tokio::time::timeout(Duration::from_secs(5), c.wait_result(&id)).await {
                    Ok(Ok(Ok(ack))) => acked.push((id, ack)),
                    Ok(Ok(Err(_))) => {}
                    _ => break,
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            (c.actor, acked)
        }));
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    eprintln!("busy after {:?}", begun.elapsed());
    let t0 = Instant::now();
    primary.stop_immediately();
    standby.promote();
    eprintln!("promoted after {:?}", t0.elapsed());
    let mut acked = Vec::new();
    for t in tasks {
        let (actor, list) = t.await.unwrap();
        acked.extend(list.into_iter().map(|(id, ack)| (actor, id, ack)));
    }
    eprintln!("clients done after {:?}", t0.elapsed());
    assert!(
        acked.len() > 50,
        "the failover came mid-activity ({} acked)",
        acked.len()
    );
    // The node serves from the promoted standby by itself.
    let deadline = Instant::now() + Duration::from_secs(20);
    let log = loop {
        match tests::http::stored_log(&base, &m).await {
            Ok(log) => break log,
            Err(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("the node did not come back on the standby: {e:#}"),
        }
    };
    for (actor, id, ack) in &acked {
        let (_, by, cmd) = &log[ack.seq as usize - 1];
        assert_eq!(
            (by, cmd.as_ref()),
            (actor, Some(id)),
            "acked {id:?} is on the promoted standby"
        );
    }
    assert_eq!(
        log.iter().map(|(s, _, _)| *s).collect::<Vec<_>>(),
        (1..=log.len() as Seq).collect::<Vec<_>>()
    );
    // And it goes on there.
    let mut moderator = reconnect(
        std::slice::from_ref(&base),
        m.id(),
        &m.moderator,
        MeetingState::default(),
        deadline,
    )
    .await;
    let next = moderator
        .ok(Command::AddTopic {
            title: "切换后".into(),
            minutes: 5,
            position: None,
        })
        .await
        .unwrap();
    assert_eq!(next.seq, log.len() as Seq + 1);
    eprintln!(
        "failover: {} commands acknowledged before and during it, all on the standby",
        acked.len()
    );
}

/// A community's laptop (sled) moves to the district (PostgreSQL): `babahui
/// backup --data`, `babahui restore --database-url`; the district serves the
/// same meeting and ledger, and the meeting carries on there. `babahui backup
/// --database-url` reads the database of a running service.
#[tokio::test]
async fn a_laptop_backup_restores_into_the_district_database_and_carries_on() {
    let (keep, data) = data_dir();
    let laptop = ServerProcess::start(&data);
    let m = simple_meeting(&laptop.base, "从院坝到街道", &["a"]).await.unwrap();
    let p = join(&laptop.base, &m, "甲", "居民").await.unwrap();
    let mut moderator = WsClient::connect(&laptop.base, m.id(), &m.moderator, None)
        .await
        .unwrap();
    moderator.ok(Command::StartMeeting).await.unwrap();
    moderator.ok(Command::OpenTopic { topic: TopicId(1) }).await.unwrap();
    let entry = reqwest::Client::new()
        .post(format!("{}/api/ledger", laptop.base))
        .bearer_auth(laptop.key.as_deref().unwrap())
        .json(&serde_json::json!({"title": "楼道灯", "deadline": "2099-01-01", "by": "社区干部"}))
        .send()
        .await
        .unwrap();
    assert_eq!(entry.status(), 201);
    let before = public_state(&laptop.base, m.id()).await.unwrap();
    moderator.close().await;
    laptop.stop();

    let file = keep.path().join("laptop.json");
    let file = file.to_str().unwrap();
    let (ok, out) = babahui(&["backup", "--data", data.to_str().unwrap(), "--out", file]);
    assert!(ok, "{out}");
    let url = PgCluster::shared().new_database();
    let (ok, out) = babahui(&["restore", "--from", file, "--database-url", &url]);
    assert!(ok, "{out}");
    assert!(out.contains("1 meetings"), "{out}");
    // Not into a database that already holds meetings.
    let (ok, out) = babahui(&["restore", "--from", file, "--database-url", &url]);
    assert!(!ok, "a second restore over the first is refused: {out}");

    let node = Node::start(&url);
    assert_eq!(public_state(&node.base(), m.id()).await.unwrap(), before);
    let ledger: serde_json::Value = tests::http::get_json(&format!("{}/api/ledger", node.base()))
        .await
        .unwrap();
    assert_eq!(ledger[0]["title"], "楼道灯");
    let mut attendee = WsClient::connect(&node.base(), m.id(), &p.token, None).await.unwrap();
    assert_eq!(attendee.state, before, "the attendee's token works there");
    let said = attendee
        .ok(Command::SubmitOpinion {
            topic: None,
            text: "在街道接着说".into(),
            category: None,
            stance: None,
            author: OpinionAuthor::Me,
            voice: None,
        })
        .await
        .unwrap();
    assert_eq!(said.seq, before.seq + 1);
    // A backup of the running service, from its database.
    let again = keep.path().join("district.json");
    let (ok, out) = babahui(&["backup", "--database-url", &url, "--out", again.to_str().unwrap()]);
    assert!(ok, "{out}");
    let backup: serde_json::Value = serde_json::from_slice(&std::fs::read(&again).unwrap()).unwrap();
    assert_eq!(
        backup["meetings"][0]["records"].as_array().unwrap().len() as Seq,
        before.seq + 1
    );
}
