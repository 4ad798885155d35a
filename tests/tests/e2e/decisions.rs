//! Decisions over the real server: secret votes reveal nobody, named votes do,
//! and the record of outcomes and commitments.

use crate::helpers::TestServer;
use babahui_shared::votes::tally;
use babahui_shared::*;
use tests::http::{join, public_state, simple_meeting};
use tests::WsClient;

#[tokio::test]
async fn a_secret_vote_reveals_who_voted_what_nowhere() {
    let server = TestServer::start().await;
    let base = server.base.clone();
    let m = simple_meeting(&base, "t", &["电梯"]).await.unwrap();
    let mut moderator = WsClient::connect(&base, m.id(), &m.moderator, None).await.unwrap();
    moderator.ok(Command::StartMeeting).await.unwrap();
    moderator.ok(Command::OpenTopic { topic: TopicId(1) }).await.unwrap();
    let open = Command::OpenVote {
        question: "同意加装电梯吗？".into(),
        kind: VoteKind::YesNo,
        secret: true,
        rule: PassRule::TwoThirds,
        quorum: None,
    };
    let vote = VoteId(moderator.ok(open).await.unwrap().created.unwrap());
    let mut voters = Vec::new();
    for (i, choice) in [0u32, 0, 1].into_iter().enumerate() {
        let j = join(&base, &m, &format!("住户{i}"), "居民").await.unwrap();
        let mut c = WsClient::connect(&base, m.id(), &j.token, None).await.unwrap();
        c.ok(Command::CastVote {
            vote,
            choice,
            ballot_key: None,
        })
        .await
        .unwrap();
        voters.push((j, c));
    }
    // The third voter changes their mind; it replaces their ballot.
    voters[2]
        .1
        .ok(Command::CastVote {
            vote,
            choice: 0,
            ballot_key: None,
        })
        .await
        .unwrap();
    moderator
        .ok(Command::CountHands {
            vote,
            counts: vec![2, 1, 0],
        })
        .await
        .unwrap();
    moderator.ok(Command::CloseVote { vote }).await.unwrap();

    let state = public_state(&base, m.id()).await.unwrap();
    let v = state.vote(vote).unwrap();
    assert!(v.named.is_empty());
    assert_eq!(v.sealed.len(), 3, "one ballot per voter");
    let t = tally(v);
    assert_eq!(
        (t.phones.clone(), t.hands.clone(), t.cast, t.passed),
        (vec![3, 0, 0], vec![2, 1, 0], 6, true)
    );

    // The log as any client can fetch it: sealed ballots are the system's, with no participant.
    let log = WsClient::connect(&base, m.id(), &m.projector, Some(0)).await.unwrap();
    assert_eq!(log.seen.len() as u64, state.seq, "the whole log was replayed");
    // The data directory on disk: the raw tokens are nowhere, so no ballot key can be
    // recomputed from it; and no stored event ties a voter to a sealed ballot.
    let mut on_disk = Vec::new();
    for entry in walk(server.dir.path()) {
        on_disk.extend(std::fs::read(entry).unwrap_or_default());
    }
    for (j, _) in &voters {
        assert!(
            find(&on_disk, j.token.as_bytes()).is_none(),
            "a raw token is stored on disk"
        );
    }
    let text = String::from_utf8_lossy(&on_disk);
    let records: Vec<usize> = text.match_indices("sealed_ballot_cast").map(|(i, _)| i).collect();
    assert!(records.len() >= 4, "the four ballots are on disk");
    for i in records {
        let (before, after) = (
            &text.as_bytes()[i.saturating_sub(80)..i],
            &text.as_bytes()[i..(i + 200).min(text.len())],
        );
        let (before, after) = (String::from_utf8_lossy(before), String::from_utf8_lossy(after));
        assert!(
            before.contains("\"by\":\"system\""),
            "a sealed ballot's record names its caster: {before}"
        );
        assert!(!after.contains("participant"), "{after}");
    }
    drop(log);

    // A named vote does show who voted what.
    let named = Command::OpenVote {
        question: "选颜色".into(),
        kind: VoteKind::Choice(vec!["红".into(), "蓝".into()]),
        secret: false,
        rule: PassRule::Majority,
        quorum: None,
    };
    let named = VoteId(moderator.ok(named).await.unwrap().created.unwrap());
    voters[0]
        .1
        .ok(Command::CastVote {
            vote: named,
            choice: 1,
            ballot_key: None,
        })
        .await
        .unwrap();
    let state = public_state(&base, m.id()).await.unwrap();
    assert_eq!(
        state.vote(named).unwrap().named,
        vec![NamedBallot {
            participant: voters[0].0.participant,
            choice: 1
        }]
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
