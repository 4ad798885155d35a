//! A whole meeting: a moderator, a recorder, a responding official, a projector
//! and 20 attendees through agenda, queue, countdown, opinions, seconds, merges
//! and hides. Every client must end with exactly the server's state.

use crate::helpers::TestServer;
use babahui_shared::views;
use babahui_shared::*;
use tests::http::{join, public_state, simple_meeting};
use tests::WsClient;

const CATEGORIES: [&str; 5] = ["居民", "居民代表", "党员", "物业", "业委会"];

#[tokio::test]
async fn a_whole_meeting_reaches_every_device_identically() {
    let server = TestServer::start().await;
    let base = server.base.as_str();
    let m = simple_meeting(base, "三月坝坝会", &["停车难", "垃圾分类"])
        .await
        .unwrap();
    let id = m.id();

    let mut moderator = WsClient::connect(base, id, &m.moderator, None).await.unwrap();
    let mut projector = WsClient::connect(base, id, &m.projector, None).await.unwrap();
    assert_eq!(moderator.actor, Actor::Moderator);
    assert_eq!(projector.actor, Actor::Projector);

    let rec = join(base, &m, "李记录", "两委成员").await.unwrap();
    let off = join(base, &m, "王科长", "政府部门").await.unwrap();
    let mut recorder = WsClient::connect(base, id, &rec.token, None).await.unwrap();
    let mut official = WsClient::connect(base, id, &off.token, None).await.unwrap();
    let mut people = Vec::new();
    for i in 0..20 {
        let j = join(base, &m, &format!("居民{i}"), CATEGORIES[i % 5]).await.unwrap();
        let c = WsClient::connect(base, id, &j.token, None).await.unwrap();
        assert_eq!(c.actor, Actor::Participant(j.participant));
        people.push((j.participant, c));
    }

    // Roles.
    moderator
        .ok(Command::Appoint {
            participant: rec.participant,
            role: Role::Recorder,
            on: true,
        })
        .await
        .unwrap();
    moderator
        .ok(Command::Appoint {
            participant: off.participant,
            role: Role::Official,
            on: true,
        })
        .await
        .unwrap();
    assert_eq!(
        recorder.refused(Command::CallNext).await.unwrap(),
        ErrorCode::Forbidden,
        "a recorder is not the moderator"
    );

    // Agenda.
    moderator.ok(Command::StartMeeting).await.unwrap();
    let t1 = moderator.state.agenda[0].id;
    let t2 = moderator.state.agenda[1].id;
    moderator.ok(Command::OpenTopic { topic: t1 }).await.unwrap();
    moderator
        .ok(Command::SetStage {
            stage: Stage::Questions,
        })
        .await
        .unwrap();

    // Ten hands at once.
    let mut ids = Vec::new();
    for (_, c) in people.iter_mut().take(10) {
        ids.push(c.submit(Command::RaiseHand { topic: None, who: None }).await.unwrap());
    }
    for ((_, c), cid) in people.iter_mut().take(10).zip(&ids) {
        c.wait_result(cid).await.unwrap().expect("hand raised");
    }
    assert_eq!(
        people[0]
            .1
            .refused(Command::RaiseHand { topic: None, who: None })
            .await
            .unwrap(),
        ErrorCode::Conflict
    );
    let head = people[9].1.state.seq;
    moderator.sync_to(head).await.unwrap();
    assert_eq!(moderator.state.queue.len(), 10);
    let first = moderator.state.queue[0];

    // The floor and the countdown.
    moderator.ok(Command::CallNext).await.unwrap();
    assert_eq!(moderator.state.floor.as_ref().unwrap().participant, first);
    moderator.ok(Command::PauseTimer).await.unwrap();
    moderator.ok(Command::AdjustTimer { delta_secs: 60 }).await.unwrap();
    moderator.ok(Command::StartTimer).await.unwrap();
    assert_eq!(moderator.state.floor.as_ref().unwrap().limit_ms, 240_000);
    moderator
        .ok(Command::GiveFloor {
            participant: off.participant,
            kind: FloorKind::Response,
            limit_secs: Some(120),
        })
        .await
        .unwrap();
    moderator
        .ok(Command::GiveFloor {
            participant: first,
            kind: FloorKind::FollowUp,
            limit_secs: None,
        })
        .await
        .unwrap();
    assert_eq!(moderator.state.floor.as_ref().unwrap().limit_ms, 60_000);
    moderator.ok(Command::EndFloor).await.unwrap();
    let second = moderator.state.queue[0];
    moderator.ok(Command::CallNext).await.unwrap();
    let last = *moderator.state.queue.last().unwrap();
    moderator
        .ok(Command::MoveInQueue {
            participant: last,
            position: 0,
        })
        .await
        .unwrap();
    assert_eq!(moderator.state.queue[0], last);
    let removed_from_queue = moderator.state.queue[1];
    moderator
        .ok(Command::LowerHand {
            who: Some(removed_from_queue),
        })
        .await
        .unwrap();
    let (p5, c5) = &mut people[5];
    if moderator.state.queue.contains(p5) {
        c5.ok(Command::LowerHand { who: None }).await.unwrap();
    }

    // Twenty opinions, each seconded by the next person.
    let mut opinion_of = Vec::new();
    for (i, (_, c)) in people.iter_mut().enumerate() {
        let stance = [Stance::Support, Stance::Oppose, Stance::Suggest, Stance::Question][i % 4];
        let category = Some(["基础设施", "物业管理", "治安防范"][i % 3].to_string());
        let text = format!("意见{i}: <b>不要</b>乱停车");
        let ack = c
            .ok(Command::SubmitOpinion {
                topic: None,
                text,
                category,
                stance: Some(stance),
                author: OpinionAuthor::Me,
                voice: None,
            })
            .await
            .unwrap();
        opinion_of.push(OpinionId(ack.created.expect("opinion id")));
    }
    let n = people.len();
    for i in 0..n {
        let target = opinion_of[(i + 1) % n];
        people[i]
            .1
            .ok(Command::Second {
                seen_open: false,
                opinion: target,
                who: None,
            })
            .await
            .unwrap();
    }
    assert_eq!(
        people[0]
            .1
            .refused(Command::Second {
                seen_open: false,
                opinion: opinion_of[1],
                who: None
            })
            .await
            .unwrap(),
        ErrorCode::Conflict
    );
    assert_eq!(
        people[0]
            .1
            .refused(Command::Second {
                seen_open: false,
                opinion: opinion_of[0],
                who: None
            })
            .await
            .unwrap(),
        ErrorCode::Conflict
    );

    // The recorder: a walk-in, opinions on behalf, tagging, merging, hiding.
    let walk_in = ParticipantId(
        recorder
            .ok(Command::RegisterWalkIn {
                name: Some("刘大爷".into()),
                category: "居民".into(),
                publish_name: false,
            })
            .await
            .unwrap()
            .created
            .unwrap(),
    );
    let w_op = recorder
        .ok(Command::SubmitOpinion {
            topic: None,
            text: "路灯坏了".into(),
            category: None,
            stance: None,
            author: OpinionAuthor::WalkIn(walk_in),
            voice: None,
        })
        .await
        .unwrap();
    let anon = recorder
        .ok(Command::SubmitOpinion {
            topic: None,
            text: "匿名意见".into(),
            category: None,
            stance: None,
            author: OpinionAuthor::Anonymous,
            voice: None,
        })
        .await
        .unwrap();
    recorder
        .ok(Command::RaiseHand {
            topic: None,
            who: Some(walk_in),
        })
        .await
        .unwrap();
    recorder
        .ok(Command::Second {
            seen_open: false,
            opinion: opinion_of[3],
            who: Some(walk_in),
        })
        .await
        .unwrap();
    recorder
        .ok(Command::Retag {
            opinion: OpinionId(w_op.created.unwrap()),
            category: Some("基础设施".into()),
            stance: Some(Stance::Suggest),
        })
        .await
        .unwrap();
    recorder
        .ok(Command::Merge {
            opinion: opinion_of[2],
            into: opinion_of[3],
        })
        .await
        .unwrap();
    recorder
        .ok(Command::Hide {
            opinion: opinion_of[4],
            reason: "人身攻击".into(),
        })
        .await
        .unwrap();
    assert_eq!(
        people[9]
            .1
            .refused(Command::Second {
                seen_open: false,
                opinion: opinion_of[2],
                who: None
            })
            .await
            .unwrap(),
        ErrorCode::Conflict,
        "a merged opinion takes no seconds"
    );

    // The rest of the agenda.
    let extra = moderator
        .ok(Command::AddTopic {
            title: "临时动议".into(),
            minutes: 5,
            position: Some(1),
        })
        .await
        .unwrap();
    moderator
        .ok(Command::MoveTopic {
            topic: TopicId(extra.created.unwrap()),
            position: 2,
        })
        .await
        .unwrap();
    moderator.ok(Command::OpenTopic { topic: t2 }).await.unwrap();
    assert!(
        moderator.state.queue.is_empty(),
        "a new topic starts with an empty queue"
    );
    moderator.ok(Command::CloseTopic).await.unwrap();
    moderator.ok(Command::EndMeeting).await.unwrap();
    assert_eq!(
        people[1]
            .1
            .refused(Command::RaiseHand { topic: None, who: None })
            .await
            .unwrap(),
        ErrorCode::MeetingEnded
    );

    // Everyone ends with the server's state, with no gap and no duplicate.
    let server_state = public_state(base, id).await.unwrap();
    let head = server_state.seq;
    let mut everyone: Vec<&mut WsClient> = vec![&mut moderator, &mut projector, &mut recorder, &mut official];
    everyone.extend(people.iter_mut().map(|(_, c)| c));
    for c in everyone {
        c.sync_to(head).await.unwrap();
        assert_eq!(c.state, server_state, "{:?} disagrees with the server", c.actor);
        assert_eq!(c.duplicate_events, 0);
        assert!(
            c.seen.windows(2).all(|w| w[1] == w[0] + 1),
            "events arrive in order without gaps"
        );
    }

    // And the record says what happened.
    let s = &server_state;
    assert_eq!(s.phase, Phase::Ended);
    let speeches = &s.topic(t1).unwrap().speeches;
    let kinds: Vec<_> = speeches.iter().map(|sp| (sp.participant, sp.kind)).collect();
    assert_eq!(
        kinds,
        [
            (first, FloorKind::Speak),
            (off.participant, FloorKind::Response),
            (first, FloorKind::FollowUp),
            (second, FloorKind::Speak)
        ]
    );
    assert_eq!(
        s.agenda.iter().map(|t| t.title.as_str()).collect::<Vec<_>>(),
        ["停车难", "垃圾分类", "临时动议"]
    );
    let merged = s.opinion(opinion_of[2]).unwrap();
    assert_eq!(merged.merged_into, Some(opinion_of[3]));
    let kept = s.opinion(opinion_of[3]).unwrap();
    assert!(kept.seconds.contains(&walk_in), "the walk-in's second");
    assert!(
        kept.seconds.contains(&people[2].0),
        "the duplicate's author now supports the kept opinion"
    );
    assert_eq!(s.opinion(opinion_of[4]).unwrap().hidden.as_deref(), Some("人身攻击"));
    assert_eq!(
        s.opinion(opinion_of[0]).unwrap().text,
        "意见0: <b>不要</b>乱停车",
        "text is kept verbatim"
    );
    let anon_op = s.opinion(OpinionId(anon.created.unwrap())).unwrap();
    assert_eq!((anon_op.author, anon_op.recorded_by), (None, Some(rec.participant)));
    let attendance = views::attendance_by_category(s);
    assert!(attendance.contains(&("居民".to_string(), 4 + 1)), "{attendance:?}");
    let talk = views::speaking_time_by_category(s, s.last_at);
    assert!(
        talk.iter().any(|(c, _)| c == "政府部门"),
        "officials' speaking time is tallied: {talk:?}"
    );
}

/// A phone that sends several commands at once (a recorder typing fast, a
/// reconnect resending) gets each answered exactly once. The server writes the
/// answers that are ready together in one go: accepted and refused ones mixed
/// here, and the accepted ones' events in the order the commands were sent.
#[tokio::test]
async fn commands_sent_together_are_each_answered_once_and_in_order() {
    let server = TestServer::start().await;
    let mut running = tests::running_meeting(&server.base, "一次发多条").await.unwrap();
    let phone = &mut running.attendee_client;
    // opinion, raise (accepted), raise (already queued), lower (accepted), lower (not queued)
    let mut sent = Vec::new();
    for k in 0..40 {
        let command = match k % 5 {
            0 => Command::SubmitOpinion {
                topic: None,
                text: format!("第{k}条意见"),
                category: None,
                stance: None,
                author: OpinionAuthor::Me,
                voice: None,
            },
            1 | 2 => Command::RaiseHand { topic: None, who: None },
            _ => Command::LowerHand { who: None },
        };
        sent.push((phone.submit(command).await.unwrap(), k));
    }
    let mut answers = Vec::new();
    while answers.len() < sent.len() {
        phone.recv().await.unwrap();
        answers.extend(phone.take_results());
    }
    let mut last_seq = 0;
    for (id, k) in &sent {
        let mine: Vec<_> = answers.iter().filter(|(a, _)| a == id).collect();
        assert_eq!(mine.len(), 1, "command {k} answered {} times", mine.len());
        match (&mine[0].1, k % 5) {
            (Ok(ack), 0 | 1 | 3) => {
                assert!(
                    ack.seq > last_seq,
                    "command {k}'s event came before an earlier command's"
                );
                last_seq = ack.seq;
            }
            (Err(refused), 2 | 4) => assert_eq!(refused.code, ErrorCode::Conflict, "command {k}"),
            (other, _) => panic!("command {k}: unexpected answer {other:?}"),
        }
    }
    phone.sync_to(last_seq).await.unwrap();
    assert_eq!(phone.state.opinions.len(), 8);
    assert!(phone.state.queue.is_empty());
}
