//! Durability: a clean restart keeps everything; kill -9 during a burst loses
//! nothing that was acknowledged and applies nothing twice.

use crate::helpers::{data_dir, ServerProcess, TestServer};
use babahui_shared::*;
use std::collections::HashMap;
use tests::http::{join, public_state, simple_meeting};
use tests::{Acked, WsClient};

#[tokio::test]
async fn a_restart_serves_the_same_state_and_sequence_numbers() {
    let mut server = TestServer::start().await;
    let m = simple_meeting(&server.base, "t", &["a", "b"]).await.unwrap();
    let a = join(&server.base, &m, "甲", "居民").await.unwrap();
    let mut moderator = WsClient::connect(&server.base, m.id(), &m.moderator, None)
        .await
        .unwrap();
    let mut attendee = WsClient::connect(&server.base, m.id(), &a.token, None).await.unwrap();
    moderator.ok(Command::StartMeeting).await.unwrap();
    moderator.ok(Command::OpenTopic { topic: TopicId(1) }).await.unwrap();
    attendee.ok(Command::RaiseHand { who: None }).await.unwrap();
    let opinion = Command::SubmitOpinion {
        text: "留下".into(),
        category: None,
        stance: None,
        author: OpinionAuthor::Me,
    };
    let cid = attendee.new_id();
    attendee.submit_with_id(cid.clone(), opinion.clone()).await.unwrap();
    let first = attendee.wait_result(&cid).await.unwrap().unwrap();
    let before = public_state(&server.base, m.id()).await.unwrap();
    let last_seen = attendee.state.seq;
    let attendee_state = attendee.state.clone();
    moderator.close().await;
    attendee.close().await;

    server.restart().await;

    let after = public_state(&server.base, m.id()).await.unwrap();
    assert_eq!(after, before);
    let kept = attendee_state;
    let mut again = WsClient::connect_with_state(&server.base, m.id(), &a.token, Some(last_seen), kept)
        .await
        .unwrap();
    assert!(again.seen.is_empty(), "nothing missed, nothing sent");
    // A resend after the restart is answered with the original result, not applied again.
    again.submit_with_id(cid.clone(), opinion).await.unwrap();
    let resent = again.wait_result(&cid).await.unwrap().unwrap();
    assert_eq!(
        resent,
        Acked {
            duplicate: true,
            ..first
        }
    );
    assert_eq!(public_state(&server.base, m.id()).await.unwrap().seq, before.seq);
    // The moderator's token still works and the next event follows on.
    let mut moderator = WsClient::connect(&server.base, m.id(), &m.moderator, None)
        .await
        .unwrap();
    assert_eq!(moderator.ok(Command::CallNext).await.unwrap().seq, before.seq + 1);
}

/// One burst: five clients each pipeline opinions with unique texts while
/// reading continuously (as a real client does); the server is killed with
/// SIGKILL part-way through.
async fn burst_then_kill(round: usize) -> (usize, usize) {
    let (_keep, data) = data_dir();
    let server = ServerProcess::start(&data);
    let base = server.base.clone();
    let m = simple_meeting(&base, "t", &["a"]).await.unwrap();
    let per_client = 150;
    let mut tasks = Vec::new();
    let mut tokens = Vec::new();
    for i in 0..5 {
        let j = join(&base, &m, &format!("p{i}"), "居民").await.unwrap();
        tokens.push(j.token.clone());
        let mut c = WsClient::connect(&base, m.id(), &j.token, None).await.unwrap();
        tasks.push(tokio::spawn(async move {
            let mut sent = HashMap::new();
            for k in 0..per_client {
                let text = format!("r{round}-p{i}-k{k}");
                let cmd = Command::SubmitOpinion {
                    text: text.clone(),
                    category: None,
                    stance: None,
                    author: OpinionAuthor::Me,
                };
                match c.submit(cmd).await {
                    Ok(id) => sent.insert(id, text),
                    Err(_) => break,
                };
                // Read whatever has arrived, without waiting.
                while let Ok(Ok(_)) = tokio::time::timeout(std::time::Duration::ZERO, c.recv()).await {}
            }
            while c.recv().await.is_ok() {}
            (sent, c.take_results())
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(5 + (round as u64 * 37) % 120)).await;
    server.kill9();
    let mut sent: Vec<HashMap<CommandId, String>> = Vec::new();
    let mut acked: HashMap<String, Acked> = HashMap::new();
    for task in tasks {
        let (s, results) = task.await.unwrap();
        for (id, result) in results {
            if let Ok(ack) = result {
                acked.insert(s[&id].clone(), ack);
            }
        }
        sent.push(s);
    }
    let total_sent: usize = sent.iter().map(HashMap::len).sum();

    let server = ServerProcess::start(&data);
    let state = public_state(&server.base, m.id()).await.unwrap();
    // Every acknowledged command is there, at its sequence number, exactly once.
    for (text, ack) in &acked {
        let op = state
            .opinion(OpinionId(ack.created.unwrap()))
            .unwrap_or_else(|| panic!("acked {text} lost"));
        assert_eq!(&op.text, text, "acked {text} at the wrong place");
    }
    let mut count: HashMap<&str, usize> = HashMap::new();
    for o in &state.opinions {
        *count.entry(o.text.as_str()).or_default() += 1;
    }
    assert!(count.values().all(|&n| n == 1), "nothing appears twice");

    // Sequence numbers have no holes, and replaying the log gives the served state.
    let mut fresh = WsClient::connect(&server.base, m.id(), &tokens[0], Some(0))
        .await
        .unwrap();
    assert_eq!(
        fresh.seen,
        (1..=state.seq).collect::<Vec<_>>(),
        "the log is 1..=head with no hole"
    );
    assert_eq!(fresh.state, state);

    // Clients resume and resend everything; each command is applied once.
    for (i, token) in tokens.iter().enumerate() {
        let mut c = WsClient::connect(&server.base, m.id(), token, None).await.unwrap();
        for (id, text) in &sent[i] {
            let cmd = Command::SubmitOpinion {
                text: text.clone(),
                category: None,
                stance: None,
                author: OpinionAuthor::Me,
            };
            c.submit_with_id(id.clone(), cmd).await.unwrap();
            let result = c.wait_result(id).await.unwrap().unwrap();
            if let Some(ack) = acked.get(text) {
                assert_eq!(
                    (result.seq, result.duplicate),
                    (ack.seq, true),
                    "{text}: original result"
                );
            }
        }
    }
    fresh
        .sync_to(public_state(&server.base, m.id()).await.unwrap().seq)
        .await
        .unwrap();
    let mut count: HashMap<&str, usize> = HashMap::new();
    for o in &fresh.state.opinions {
        *count.entry(o.text.as_str()).or_default() += 1;
    }
    assert_eq!(count.len(), total_sent, "every command sent is applied after resends");
    assert!(count.values().all(|&n| n == 1), "and exactly once");
    (acked.len(), total_sent)
}

/// Rounds: `BABAHUI_KILL_ROUNDS` (default 3), each killing at a different moment.
#[tokio::test]
async fn kill_9_during_a_burst_loses_nothing_acknowledged() {
    let rounds: usize = std::env::var("BABAHUI_KILL_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    let mut acked_total = 0;
    for round in 0..rounds {
        let (acked, sent) = burst_then_kill(round).await;
        eprintln!("kill round {round}: {acked} of {sent} commands acknowledged before the kill");
        acked_total += acked;
    }
    assert!(
        acked_total > 0,
        "some commands were acknowledged before a kill, so the check had teeth"
    );
}

#[tokio::test]
async fn a_meeting_archive_loads_into_another_server_and_carries_on() {
    let server = TestServer::start().await;
    let m = simple_meeting(&server.base, "备份测试", &["a"]).await.unwrap();
    let a = join(&server.base, &m, "甲", "居民").await.unwrap();
    let mut md = WsClient::connect(&server.base, m.id(), &m.moderator, None)
        .await
        .unwrap();
    let mut ac = WsClient::connect(&server.base, m.id(), &a.token, None).await.unwrap();
    md.ok(Command::StartMeeting).await.unwrap();
    md.ok(Command::OpenTopic { topic: TopicId(1) }).await.unwrap();
    ac.ok(Command::SubmitOpinion {
        text: "备份里的意见".into(),
        category: None,
        stance: None,
        author: OpinionAuthor::Me,
    })
    .await
    .unwrap();
    md.ok(Command::EndMeeting).await.unwrap();
    md.ok(Command::PublishMinutes {
        summary: "纪要".into(),
        notice_days: None,
    })
    .await
    .unwrap();
    let before = public_state(&server.base, m.id()).await.unwrap();
    let http = reqwest::Client::new();
    let archive = http
        .get(format!("{}/api/meetings/{}/archive.json", server.base, m.id()))
        .send()
        .await
        .unwrap();
    assert_eq!(archive.status(), 200);
    let archive: serde_json::Value = archive.json().await.unwrap();
    assert!(
        !archive.to_string().contains(&a.token),
        "raw tokens are never in an archive"
    );

    let other = TestServer::start().await;
    let imported = http
        .post(format!("{}/api/meetings/import", other.base))
        .json(&archive)
        .send()
        .await
        .unwrap();
    assert_eq!(imported.status(), 201);
    assert_eq!(public_state(&other.base, m.id()).await.unwrap(), before);
    let md = reqwest::get(format!("{}/api/meetings/{}/minutes.md", other.base, m.id()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(md.contains("备份里的意见"));
    // The same moderator link works on the new server.
    let again = WsClient::connect(&other.base, m.id(), &m.moderator, None)
        .await
        .unwrap();
    assert_eq!(again.actor, Actor::Moderator);
    // Importing twice, or a damaged archive, is refused and changes nothing.
    let twice = http
        .post(format!("{}/api/meetings/import", other.base))
        .json(&archive)
        .send()
        .await
        .unwrap();
    assert_eq!(twice.status(), 409);
    let mut broken = archive.clone();
    broken["records"].as_array_mut().unwrap().remove(2);
    broken["meeting"] = serde_json::json!("zzzzzzzz");
    let bad = http
        .post(format!("{}/api/meetings/import", other.base))
        .json(&broken)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
}
