//! Resume after a disconnect, snapshots, and idempotent resends.

use crate::helpers::TestServer;
use babahui_shared::*;
use tests::http::{join, public_state, simple_meeting};
use tests::WsClient;

fn opinion(text: &str) -> Command {
    Command::SubmitOpinion {
        topic: None,
        text: text.into(),
        category: None,
        stance: None,
        author: OpinionAuthor::Me,
        voice: None,
    }
}

#[tokio::test]
async fn a_reconnecting_client_gets_exactly_what_it_missed() {
    let server = TestServer::start().await;
    let m = simple_meeting(&server.base, "t", &["a"]).await.unwrap();
    let a = join(&server.base, &m, "甲", "居民").await.unwrap();
    let b = join(&server.base, &m, "乙", "物业").await.unwrap();
    let mut alice = WsClient::connect(&server.base, m.id(), &a.token, None).await.unwrap();
    let mut bob = WsClient::connect(&server.base, m.id(), &b.token, None).await.unwrap();
    alice.ok(opinion("一")).await.unwrap();
    let kept = alice.state.clone();
    alice.close().await;

    for i in 0..5 {
        bob.ok(opinion(&format!("乙{i}"))).await.unwrap();
    }
    let mut alice = WsClient::connect_with_state(&server.base, m.id(), &a.token, Some(kept.seq), kept.clone())
        .await
        .unwrap();
    assert_eq!(
        alice.seen,
        ((kept.seq + 1)..=bob.state.seq).collect::<Vec<_>>(),
        "exactly the missed events"
    );
    assert_eq!(alice.duplicate_events, 0);
    assert_eq!(alice.state, bob.state);
    // And live events keep flowing after the catch-up.
    bob.ok(opinion("再来")).await.unwrap();
    alice.sync_to(bob.state.seq).await.unwrap();
    assert_eq!(alice.state, public_state(&server.base, m.id()).await.unwrap());
}

#[tokio::test]
async fn a_fresh_or_confused_client_gets_a_snapshot() {
    let server = TestServer::start().await;
    let m = simple_meeting(&server.base, "t", &["a"]).await.unwrap();
    let a = join(&server.base, &m, "甲", "居民").await.unwrap();
    let mut alice = WsClient::connect(&server.base, m.id(), &a.token, None).await.unwrap();
    alice.ok(opinion("一")).await.unwrap();
    let truth = public_state(&server.base, m.id()).await.unwrap();

    let fresh = WsClient::connect(&server.base, m.id(), &m.projector, None)
        .await
        .unwrap();
    assert!(fresh.seen.is_empty(), "a snapshot, not a replay");
    assert_eq!(fresh.state, truth);
    // A client claiming to be ahead of the server (e.g. data restored from an
    // older backup) is reset by a snapshot rather than left inconsistent.
    let ahead = WsClient::connect(&server.base, m.id(), &m.projector, Some(truth.seq + 100)).await;
    let ahead = ahead.unwrap();
    assert_eq!(ahead.state, truth);
}

#[tokio::test]
async fn a_resent_command_is_applied_once_with_its_original_result() {
    let server = TestServer::start().await;
    let m = simple_meeting(&server.base, "t", &["a"]).await.unwrap();
    let a = join(&server.base, &m, "甲", "居民").await.unwrap();
    let mut alice = WsClient::connect(&server.base, m.id(), &a.token, None).await.unwrap();
    let id = alice.new_id();
    // Twice back to back (likely in the same batch), then again later.
    alice.submit_with_id(id.clone(), opinion("只一次")).await.unwrap();
    alice.submit_with_id(id.clone(), opinion("只一次")).await.unwrap();
    let first = alice.wait_result(&id).await.unwrap().unwrap();
    let second = alice.wait_result(&id).await.unwrap().unwrap();
    assert_eq!((first.seq, first.created), (second.seq, second.created));
    assert!(
        first.duplicate != second.duplicate,
        "exactly one of the two is the original"
    );
    alice.submit_with_id(id.clone(), opinion("只一次")).await.unwrap();
    let third = alice.wait_result(&id).await.unwrap().unwrap();
    assert!(third.duplicate && third.seq == first.seq);
    let state = public_state(&server.base, m.id()).await.unwrap();
    assert_eq!(state.opinions.iter().filter(|o| o.text == "只一次").count(), 1);

    // Ids are per sender: another attendee may use the same id.
    let b = join(&server.base, &m, "乙", "居民").await.unwrap();
    let mut bob = WsClient::connect(&server.base, m.id(), &b.token, None).await.unwrap();
    bob.submit_with_id(id.clone(), opinion("乙的")).await.unwrap();
    let bobs = bob.wait_result(&id).await.unwrap().unwrap();
    assert!(!bobs.duplicate && bobs.seq > first.seq);
}

#[tokio::test]
async fn a_removed_attendee_is_disconnected_and_cannot_return() {
    let server = TestServer::start().await;
    let m = simple_meeting(&server.base, "t", &["a"]).await.unwrap();
    let a = join(&server.base, &m, "捣乱者", "其他").await.unwrap();
    let mut moderator = WsClient::connect(&server.base, m.id(), &m.moderator, None)
        .await
        .unwrap();
    let mut pest = WsClient::connect(&server.base, m.id(), &a.token, None).await.unwrap();
    moderator
        .ok(Command::RemoveParticipant {
            participant: a.participant,
            ban: false,
        })
        .await
        .unwrap();
    assert_eq!(pest.recv_close().await.unwrap(), Some(4003));
    let again = WsClient::connect(&server.base, m.id(), &a.token, None).await;
    assert!(again.unwrap_err().to_string().contains("Forbidden"));
}

#[tokio::test]
async fn a_silent_connection_is_closed_by_the_heartbeat() {
    use std::time::{Duration, Instant};
    let config = babahui::ServerConfig {
        heartbeat: Duration::from_millis(100),
        idle_timeout: Duration::from_millis(300),
        ..babahui::ServerConfig::default()
    };
    let server = TestServer::start_with(config).await;
    let m = simple_meeting(&server.base, "t", &["a"]).await.unwrap();
    let mut live = WsClient::connect(&server.base, m.id(), &m.projector, None)
        .await
        .unwrap();
    let mut silent = WsClient::connect(&server.base, m.id(), &m.projector, None)
        .await
        .unwrap();
    // The silent client reads nothing (so answers no ping); the live one keeps reading.
    let started = Instant::now();
    while started.elapsed() < Duration::from_millis(800) {
        live.ping().await.unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The server sends 1008 and, the peer being presumed gone, does not wait for
    // its answer: a client that was only pretending may see the socket end instead.
    let closed = silent.recv_close().await.expect("closed for silence");
    assert!(matches!(closed, Some(1008) | None), "{closed:?}");
    live.ping().await.expect("a client that answers stays connected");
}

#[tokio::test]
async fn a_stalled_client_delays_nobody_and_catches_up_with_a_snapshot() {
    // A small broadcast ring (16 frames) so that a few dozen frames suffice; the
    // writer floods on purpose, so no message rate limit.
    let config = babahui::ServerConfig {
        hub: babahui::hub::HubConfig {
            broadcast_capacity: 16,
            ..babahui::hub::HubConfig::default()
        },
        limits: babahui::Limits {
            messages_per_sec: 0,
            ..babahui::Limits::default()
        },
        ..babahui::ServerConfig::default()
    };
    let server = TestServer::start_with(config).await;
    let m = simple_meeting(&server.base, "t", &["a"]).await.unwrap();
    let a = join(&server.base, &m, "甲", "居民").await.unwrap();
    let mut writer = WsClient::connect(&server.base, m.id(), &a.token, None).await.unwrap();
    let mut fast = WsClient::connect(&server.base, m.id(), &m.projector, None)
        .await
        .unwrap();
    let mut slow = WsClient::connect_small_buffer(&server.base, m.id(), &m.projector, 4096)
        .await
        .unwrap();
    let snapshots_at_start = slow.snapshots();
    // Megabytes while `slow` reads nothing: the moderator records long
    // opinions up to the meeting's bound, then publishes every version of the
    // minutes it may (each carries them all, ~0.6 MB); then many small frames
    // (hands up and down). `slow`'s socket fills and the ring moves on without it.
    let mut md = WsClient::connect(&server.base, m.id(), &m.moderator, None)
        .await
        .unwrap();
    md.ok(Command::StartMeeting).await.unwrap();
    let text = "议".repeat(1000);
    let started = std::time::Instant::now();
    loop {
        let mut sent = Vec::new();
        for _ in 0..40 {
            let anonymous = Command::SubmitOpinion {
                topic: None,
                text: text.clone(),
                category: None,
                stance: None,
                author: OpinionAuthor::Anonymous,
                voice: None,
            };
            sent.push(md.submit(anonymous).await.unwrap());
        }
        let mut full = false;
        for id in &sent {
            full |= md.wait_result(id).await.unwrap().is_err();
        }
        fast.sync_to(md.state.seq).await.unwrap();
        if full {
            break;
        }
    }
    md.ok(Command::EndMeeting).await.unwrap();
    for i in 0..babahui_shared::limits::PUBLICATIONS_MAX {
        md.ok(Command::PublishMinutes {
            summary: format!("第{i}版"),
            notice_days: Some(5),
            correction: (i > 0).then(|| format!("更正{i}")),
        })
        .await
        .unwrap();
        fast.sync_to(md.state.seq).await.unwrap();
    }
    for _ in 0..40 {
        let reason = "重复".to_owned();
        md.ok(Command::Hide {
            opinion: OpinionId(1),
            reason,
        })
        .await
        .unwrap();
        md.ok(Command::Unhide { opinion: OpinionId(1) }).await.unwrap();
        fast.sync_to(md.state.seq).await.unwrap();
    }
    writer.sync_to(md.state.seq).await.unwrap();
    let writing = started.elapsed();
    assert_eq!(fast.state, writer.state, "the fast client kept up, unaffected");
    // Now the slow client reads: it must end exactly at the head, via a snapshot.
    slow.sync_to(writer.state.seq).await.unwrap();
    assert_eq!(slow.state, public_state(&server.base, m.id()).await.unwrap());
    assert!(
        slow.snapshots() > snapshots_at_start,
        "the lagging client was resynced by a snapshot (writing took {writing:?})"
    );
    assert_eq!(slow.duplicate_events, 0);
}
