//! The meeting state machine, driven through `decide` + `apply` exactly as the
//! server drives it: unit cases for the rules, and a property test over random
//! command sequences from every kind of actor.

use babahui_shared::decide::{create_meeting, join};
use babahui_shared::limits::*;
use babahui_shared::*;
use babahui_shared::{views, votes};
use proptest::prelude::*;
use std::collections::HashSet;

/// A tiny in-memory "server": decide, stamp, apply, keep the log.
struct Sim {
    state: MeetingState,
    log: Vec<Event>,
    now: u64,
}

impl Sim {
    fn new() -> Self {
        let mut sim = Sim {
            state: MeetingState::default(),
            log: Vec::new(),
            now: 1_000,
        };
        let agenda = vec![
            NewTopic {
                title: "停车难".into(),
                minutes: 15,
                ledger: Some(7),
                ..Default::default()
            },
            NewTopic {
                title: "垃圾分类".into(),
                minutes: 10,
                ledger: None,
                ..Default::default()
            },
        ];
        let setup = MeetingSetup {
            title: "三月坝坝会".into(),
            place: "院坝".into(),
            agenda,
            ..MeetingSetup::default()
        };
        let created = create_meeting(MeetingId::parse("k7m2x9qa").unwrap(), &setup).unwrap();
        sim.push(Actor::System, created);
        for (name, cat) in [
            ("张阿姨", "居民"),
            ("李记录", "两委成员"),
            ("王科长", "政府部门"),
            ("赵师傅", "物业"),
        ] {
            let e = join(&sim.state, Some(name), cat, true).unwrap();
            sim.push(Actor::System, e);
        }
        sim.run(
            Actor::Moderator,
            Command::RegisterWalkIn {
                name: None,
                category: "居民".into(),
                publish_name: false,
            },
        )
        .unwrap();
        sim.run(
            Actor::Moderator,
            Command::Appoint {
                participant: ParticipantId(2),
                role: Role::Recorder,
                on: true,
            },
        )
        .unwrap();
        sim.run(
            Actor::Moderator,
            Command::Appoint {
                participant: ParticipantId(3),
                role: Role::Official,
                on: true,
            },
        )
        .unwrap();
        sim
    }

    fn push(&mut self, by: Actor, kind: EventKind) {
        self.now += 1_000;
        let e = Event {
            seq: self.state.seq + 1,
            at: self.now,
            by,
            event: kind,
        };
        self.state.apply(&e);
        self.log.push(e);
    }

    fn run(&mut self, by: Actor, mut cmd: Command) -> Result<(), CommandError> {
        // What the server's connection does: a ballot key from the sender's secret.
        if let Command::CastVote {
            ballot_key: key @ None, ..
        } = &mut cmd
        {
            *key = Some(format!("key-{by:?}"));
        }
        // …a rating key likewise, and the ledger (entries 1 to 3 exist) fills a review's subject.
        match &mut cmd {
            Command::RateReview { key: key @ None, .. } => *key = Some(format!("rating-{by:?}")),
            Command::OpenReview { entry, subject } if *entry <= 3 => {
                *subject = Some(ReviewSubject {
                    entry: *entry,
                    title: format!("entry {entry}"),
                    responsible: "物业".into(),
                    deadline: None,
                    status: "办理中".into(),
                    progress: String::new(),
                })
            }
            _ => {}
        }
        let kind = decide(&self.state, by, &cmd)?;
        self.push(by, kind);
        Ok(())
    }

    fn start_topic(&mut self) {
        self.run(Actor::Moderator, Command::StartMeeting).unwrap();
        self.run(Actor::Moderator, Command::OpenTopic { topic: TopicId(1) })
            .unwrap();
    }
}

fn p(n: u32) -> Actor {
    Actor::Participant(ParticipantId(n))
}

fn code(r: Result<(), CommandError>) -> ErrorCode {
    r.expect_err("expected an error").code
}

#[test]
fn first_timers_go_ahead_of_repeat_speakers() {
    let mut sim = Sim::new();
    sim.start_topic();
    sim.run(p(1), Command::RaiseHand { topic: None, who: None }).unwrap();
    sim.run(Actor::Moderator, Command::CallNext).unwrap();
    sim.run(Actor::Moderator, Command::EndFloor).unwrap();
    // 1 has spoken; 1 queues again, then 4 (first time) queues and goes ahead.
    sim.run(p(1), Command::RaiseHand { topic: None, who: None }).unwrap();
    sim.run(p(4), Command::RaiseHand { topic: None, who: None }).unwrap();
    assert_eq!(sim.state.queue, vec![ParticipantId(4), ParticipantId(1)]);
    // With the rule off, arrival order.
    sim.run(
        Actor::Moderator,
        Command::ChangeSettings {
            speaking_limit_secs: None,
            first_timers_first: Some(false),
            online_opinions: None,
            read_aloud: None,
        },
    )
    .unwrap();
    sim.run(p(1), Command::LowerHand { who: None }).unwrap();
    sim.run(p(1), Command::RaiseHand { topic: None, who: None }).unwrap();
    sim.run(p(2), Command::RaiseHand { topic: None, who: None }).unwrap();
    assert_eq!(
        sim.state.queue,
        vec![ParticipantId(4), ParticipantId(1), ParticipantId(2)]
    );
}

#[test]
fn speaking_time_is_tallied_with_pauses_excluded() {
    let mut sim = Sim::new();
    sim.start_topic();
    sim.run(
        Actor::Moderator,
        Command::GiveFloor {
            participant: ParticipantId(1),
            kind: FloorKind::Speak,
            limit_secs: None,
        },
    )
    .unwrap(); // t0
    sim.run(Actor::Moderator, Command::PauseTimer).unwrap(); // +1s running
    sim.run(Actor::Moderator, Command::AdjustTimer { delta_secs: 60 })
        .unwrap(); // paused
    sim.run(Actor::Moderator, Command::StartTimer).unwrap(); // paused 2s in all
    let f = sim.state.floor.clone().unwrap();
    assert_eq!(f.limit_ms, (180 + 60) * 1000);
    assert_eq!(views::floor_remaining_ms(&f, sim.now + 500), 240_000 - 1_500);
    sim.run(
        Actor::Moderator,
        Command::GiveFloor {
            participant: ParticipantId(3),
            kind: FloorKind::Response,
            limit_secs: None,
        },
    )
    .unwrap(); // +1s running
    let speech = &sim.state.open_topic().unwrap().speeches[0];
    assert_eq!(speech.duration_ms, 2_000, "1 s before the pause, 1 s after");
    let by_cat = views::speaking_time_by_category(&sim.state, sim.now);
    assert!(by_cat.contains(&("居民".to_string(), 2_000)), "{by_cat:?}");
}

#[test]
fn a_response_needs_an_official_and_follow_up_is_short() {
    let mut sim = Sim::new();
    sim.start_topic();
    let r = sim.run(
        Actor::Moderator,
        Command::GiveFloor {
            participant: ParticipantId(4),
            kind: FloorKind::Response,
            limit_secs: None,
        },
    );
    assert_eq!(code(r), ErrorCode::Conflict);
    sim.run(
        Actor::Moderator,
        Command::GiveFloor {
            participant: ParticipantId(1),
            kind: FloorKind::FollowUp,
            limit_secs: None,
        },
    )
    .unwrap();
    assert_eq!(sim.state.floor.as_ref().unwrap().limit_ms, 60_000);
}

#[test]
fn merge_moves_supporters_without_double_counting() {
    let mut sim = Sim::new();
    sim.run(
        p(1),
        Command::SubmitOpinion {
            topic: None,
            text: "装路灯".into(),
            category: None,
            stance: None,
            author: OpinionAuthor::Me,
            voice: None,
        },
    )
    .unwrap();
    sim.run(
        p(4),
        Command::SubmitOpinion {
            topic: None,
            text: "路灯太暗".into(),
            category: None,
            stance: None,
            author: OpinionAuthor::Me,
            voice: None,
        },
    )
    .unwrap();
    sim.run(
        p(3),
        Command::Second {
            seen_open: false,
            opinion: OpinionId(1),
            who: None,
        },
    )
    .unwrap();
    sim.run(
        p(3),
        Command::Second {
            seen_open: false,
            opinion: OpinionId(2),
            who: None,
        },
    )
    .unwrap();
    sim.run(
        p(1),
        Command::Second {
            seen_open: false,
            opinion: OpinionId(2),
            who: None,
        },
    )
    .unwrap();
    sim.run(
        p(2),
        Command::Merge {
            opinion: OpinionId(2),
            into: OpinionId(1),
        },
    )
    .unwrap();
    let kept = sim.state.opinion(OpinionId(1)).unwrap();
    assert_eq!(
        kept.seconds,
        vec![ParticipantId(3), ParticipantId(4)],
        "3 once, author 1 not, 4 added"
    );
    assert_eq!(kept.merged, vec![OpinionId(2)]);
    // The duplicate takes no more seconds: they go to the kept opinion.
    assert_eq!(
        code(sim.run(
            p(2),
            Command::Second {
                seen_open: false,
                opinion: OpinionId(2),
                who: None
            }
        )),
        ErrorCode::Conflict
    );
}

#[test]
fn permissions_by_role() {
    let mut sim = Sim::new();
    sim.start_topic();
    let attendee = p(1);
    for cmd in [
        Command::CallNext,
        Command::EndMeeting,
        Command::CloseTopic,
        Command::StartTimer,
    ] {
        assert_eq!(code(sim.run(attendee, cmd.clone())), ErrorCode::Forbidden, "{cmd:?}");
    }
    assert_eq!(
        code(sim.run(
            attendee,
            Command::RegisterWalkIn {
                name: None,
                category: "居民".into(),
                publish_name: false
            }
        )),
        ErrorCode::Forbidden
    );
    // Recorder (2) may act for the walk-in (5) but not for a phone holder (1).
    sim.run(
        p(2),
        Command::RaiseHand {
            topic: None,
            who: Some(ParticipantId(5)),
        },
    )
    .unwrap();
    assert_eq!(
        code(sim.run(
            p(2),
            Command::RaiseHand {
                topic: None,
                who: Some(ParticipantId(1))
            }
        )),
        ErrorCode::Forbidden
    );
    assert_eq!(
        code(sim.run(
            attendee,
            Command::RaiseHand {
                topic: None,
                who: Some(ParticipantId(5))
            }
        )),
        ErrorCode::Forbidden
    );
    // The projector can do nothing.
    assert_eq!(
        code(sim.run(Actor::Projector, Command::RaiseHand { topic: None, who: None })),
        ErrorCode::Forbidden
    );
    // A removed participant can do nothing.
    sim.run(
        Actor::Moderator,
        Command::RemoveParticipant {
            participant: ParticipantId(4),
            ban: false,
        },
    )
    .unwrap();
    assert_eq!(
        code(sim.run(p(4), Command::RaiseHand { topic: None, who: None })),
        ErrorCode::Forbidden
    );
}

#[test]
fn phase_and_topic_rules() {
    let mut sim = Sim::new();
    assert_eq!(
        code(sim.run(p(1), Command::RaiseHand { topic: None, who: None })),
        ErrorCode::NotStarted
    );
    sim.run(Actor::Moderator, Command::StartMeeting).unwrap();
    assert_eq!(
        code(sim.run(p(1), Command::RaiseHand { topic: None, who: None })),
        ErrorCode::TopicClosed
    );
    sim.run(Actor::Moderator, Command::OpenTopic { topic: TopicId(1) })
        .unwrap();
    sim.run(
        p(1),
        Command::SubmitOpinion {
            topic: None,
            text: "x".into(),
            category: None,
            stance: None,
            author: OpinionAuthor::Me,
            voice: None,
        },
    )
    .unwrap();
    sim.run(p(1), Command::RaiseHand { topic: None, who: None }).unwrap();
    sim.run(Actor::Moderator, Command::OpenTopic { topic: TopicId(2) })
        .unwrap();
    assert!(sim.state.queue.is_empty(), "a new topic starts with an empty queue");
    assert_eq!(
        code(sim.run(
            p(4),
            Command::Second {
                seen_open: false,
                opinion: OpinionId(1),
                who: None
            }
        )),
        ErrorCode::TopicClosed
    );
    assert_eq!(
        code(sim.run(
            Actor::Moderator,
            Command::EditTopic {
                topic: TopicId(1),
                title: "x".into(),
                minutes: 1
            }
        )),
        ErrorCode::TopicClosed
    );
    sim.run(Actor::Moderator, Command::EndMeeting).unwrap();
    assert_eq!(
        code(sim.run(
            p(1),
            Command::SubmitOpinion {
                topic: None,
                text: "y".into(),
                category: None,
                stance: None,
                author: OpinionAuthor::Me,
                voice: None,
            }
        )),
        ErrorCode::MeetingEnded
    );
}

#[test]
fn wifi_qr_text_follows_the_standard_and_escapes() {
    let w = Wifi {
        ssid: "院坝;Wi:Fi".into(),
        password: "a\\b\"c".into(),
        hide_password: false,
    };
    assert_eq!(w.qr_text(), r#"WIFI:T:WPA;S:院坝\;Wi\:Fi;P:a\\b\"c;;"#);
    let open = Wifi {
        ssid: "Free".into(),
        password: String::new(),
        hide_password: true,
    };
    assert_eq!(open.qr_text(), "WIFI:T:nopass;S:Free;;");
}

#[test]
fn text_limits_count_characters_not_bytes() {
    let mut sim = Sim::new();
    let ok = "议".repeat(1000);
    sim.run(
        p(1),
        Command::SubmitOpinion {
            topic: None,
            text: ok,
            category: None,
            stance: None,
            author: OpinionAuthor::Me,
            voice: None,
        },
    )
    .unwrap();
    let long = "议".repeat(1001);
    let r = sim.run(
        p(1),
        Command::SubmitOpinion {
            topic: None,
            text: long,
            category: None,
            stance: None,
            author: OpinionAuthor::Me,
            voice: None,
        },
    );
    assert_eq!(code(r), ErrorCode::Invalid);
    let r = sim.run(
        p(1),
        Command::SubmitOpinion {
            topic: None,
            text: "   ".into(),
            category: None,
            stance: None,
            author: OpinionAuthor::Me,
            voice: None,
        },
    );
    assert_eq!(code(r), ErrorCode::Invalid);
    let r = sim.run(
        p(1),
        Command::SubmitOpinion {
            topic: None,
            text: "x".into(),
            category: Some("不存在".into()),
            stance: None,
            author: OpinionAuthor::Me,
            voice: None,
        },
    );
    assert_eq!(code(r), ErrorCode::Invalid);
}

#[test]
fn text_cannot_hide_or_forge_what_it_says() {
    let mut sim = Sim::new();
    let say = |text: &str| Command::SubmitOpinion {
        topic: None,
        text: text.into(),
        category: None,
        stance: None,
        author: OpinionAuthor::Me,
        voice: None,
    };
    // Invisible or control-only text is not an opinion; NUL is refused.
    for bad in ["\u{200b}\u{200b}", "\u{202e}", "a\u{0}b", "x\u{7}"] {
        assert_eq!(code(sim.run(p(1), say(bad))), ErrorCode::Invalid, "{bad:?}");
    }
    // Line breaks stay in an opinion; bidi controls are taken out.
    sim.run(p(1), say("第一行\n第二行 \u{202e}反向")).unwrap();
    assert_eq!(sim.state.opinions[0].text, "第一行\n第二行 反向");
    // One-line fields refuse line breaks (they would forge headings in the minutes).
    let title = Command::AddTopic {
        title: "停车\n## 伪造的议题".into(),
        minutes: 0,
        position: None,
    };
    assert_eq!(code(sim.run(Actor::Moderator, title)), ErrorCode::Invalid);
    // Written backwards behind a bidi control, 人持主 no longer shows as 主持人.
    let spoof = Command::RegisterWalkIn {
        name: Some("\u{202e}人持主".into()),
        category: "居民".into(),
        publish_name: true,
    };
    sim.run(Actor::Moderator, spoof).unwrap();
    let last = sim.state.participants.last().unwrap();
    assert_eq!(last.name.as_deref(), Some("人持主"));
    // Nobody joins as 主持人.
    for name in ["主持人", " 主 持 人 ", "Moderator"] {
        let walk_in = Command::RegisterWalkIn {
            name: Some(name.into()),
            category: "居民".into(),
            publish_name: true,
        };
        assert_eq!(code(sim.run(Actor::Moderator, walk_in)), ErrorCode::Invalid, "{name:?}");
    }
}

// --- property test -----------------------------------------------------

fn any_actor() -> impl Strategy<Value = Actor> {
    prop_oneof![
        3 => Just(Actor::Moderator),
        1 => Just(Actor::Projector),
        6 => (1u32..=6).prop_map(|n| Actor::Participant(ParticipantId(n))),
    ]
}

fn opt_pid() -> impl Strategy<Value = Option<ParticipantId>> {
    prop::option::of((1u32..=6).prop_map(ParticipantId))
}

fn any_command() -> impl Strategy<Value = Command> {
    let pid = (1u32..=6).prop_map(ParticipantId);
    let oid = (1u32..=6).prop_map(OpinionId);
    let tid = (1u32..=4).prop_map(TopicId);
    let stage = prop_oneof![
        Just(Stage::Intro),
        Just(Stage::Questions),
        Just(Stage::Discussion),
        Just(Stage::Conclusion)
    ];
    let kind = prop_oneof![
        Just(FloorKind::Speak),
        Just(FloorKind::Response),
        Just(FloorKind::FollowUp)
    ];
    let author = prop_oneof![
        Just(OpinionAuthor::Me),
        Just(OpinionAuthor::Anonymous),
        (1u32..=6).prop_map(|n| OpinionAuthor::WalkIn(ParticipantId(n)))
    ];
    let cat = prop::option::of(prop_oneof![Just("基础设施".to_string()), Just("nope".to_string())]);
    prop_oneof![
        1 => Just(Command::StartMeeting),
        1 => Just(Command::EndMeeting),
        1 => (tid.clone()).prop_map(|topic| Command::OpenTopic { topic }),
        1 => stage.prop_map(|stage| Command::SetStage { stage }),
        1 => Just(Command::CloseTopic),
        1 => ("[a-z]{0,3}", 0u32..20, prop::option::of(0u32..5))
            .prop_map(|(title, minutes, position)| Command::AddTopic { title, minutes, position }),
        1 => (tid.clone(), 0u32..5).prop_map(|(topic, position)| Command::MoveTopic { topic, position }),
        1 => tid.clone().prop_map(|topic| Command::RemoveTopic { topic }),
        // The topic on the sender's screen: none given, or any topic (open, closed, pending, unknown).
        4 => (opt_pid(), prop::option::of(tid.clone())).prop_map(|(who, topic)| Command::RaiseHand { topic, who }),
        2 => opt_pid().prop_map(|who| Command::LowerHand { who }),
        1 => (pid.clone(), 0u32..6).prop_map(|(participant, position)| Command::MoveInQueue { participant, position }),
        3 => Just(Command::CallNext),
        1 => (pid.clone(), kind).prop_map(|(participant, kind)| Command::GiveFloor { participant, kind, limit_secs: None }),
        1 => Just(Command::EndFloor),
        1 => Just(Command::StartTimer),
        1 => Just(Command::PauseTimer),
        1 => (-90i32..90).prop_map(|delta_secs| Command::AdjustTimer { delta_secs }),
        4 => ("[a-z ]{0,5}", cat.clone(), author, prop::option::of(prop::option::of(tid.clone())))
            .prop_map(|(text, category, author, topic)| Command::SubmitOpinion { topic, text, category, stance: None, author, voice: None }),
        4 => (oid.clone(), opt_pid(), any::<bool>()).prop_map(|(opinion, who, seen_open)| Command::Second { seen_open, opinion, who }),
        1 => (oid.clone(), cat).prop_map(|(opinion, category)| Command::Retag { opinion, category, stance: Some(Stance::Support) }),
        1 => (oid.clone(), oid.clone()).prop_map(|(opinion, into)| Command::Merge { opinion, into }),
        1 => (oid.clone(), "[a-z]{0,2}").prop_map(|(opinion, reason)| Command::Hide { opinion, reason }),
        1 => oid.prop_map(|opinion| Command::Unhide { opinion }),
        1 => (pid.clone(), any::<bool>(), any::<bool>()).prop_map(|(participant, rec, on)| Command::Appoint {
            participant,
            role: if rec { Role::Recorder } else { Role::Official },
            on
        }),
        1 => (pid.clone(), any::<bool>()).prop_map(|(participant, ban)| Command::RemoveParticipant { participant, ban }),
        1 => Just(Command::RotateInvite),
        1 => Just(Command::RegisterWalkIn { name: None, category: "居民".into(), publish_name: false }),
        1 => any::<bool>().prop_map(|secret| Command::OpenVote {
            question: "q".into(), kind: VoteKind::YesNo, secret, rule: PassRule::Majority, quorum: None
        }),
        3 => ((1u32..=3).prop_map(VoteId), 0u32..4).prop_map(|(vote, choice)| Command::CastVote { vote, choice, ballot_key: None }),
        1 => (1u32..=3).prop_map(|v| Command::CloseVote { vote: VoteId(v) }),
        1 => ((1u32..=3).prop_map(VoteId), prop::collection::vec(0u32..5, 2..4)).prop_map(|(vote, counts)| Command::CountHands { vote, counts }),
        1 => (1u32..=4).prop_map(|entry| Command::OpenReview { entry, subject: None }),
        3 => ((1u32..=3).prop_map(ReviewId), 0usize..3).prop_map(|(review, r)| Command::RateReview { review, rating: Rating::ALL[r], key: None }),
        1 => (1u32..=3).prop_map(|r| Command::CloseReview { review: ReviewId(r) }),
    ]
}

/// Every invariant the state must keep whatever the command sequence.
fn check_invariants(s: &MeetingState) {
    assert_eq!(
        s.opinion_text_bytes,
        s.opinions.iter().map(|o| o.text.len()).sum::<usize>(),
        "the running total of opinion text is the sum of the texts"
    );
    let mut seen = HashSet::new();
    for q in &s.queue {
        assert!(seen.insert(*q), "{q} twice in the queue");
        let part = s.participant(*q).expect("queued participant exists");
        assert!(!part.removed, "removed participant {q} in the queue");
    }
    if !s.queue.is_empty() {
        assert!(s.current_topic.is_some(), "queue without an open topic");
    }
    for o in &s.opinions {
        let mut seconders = HashSet::new();
        for sec in &o.seconds {
            assert!(seconders.insert(*sec), "{sec} seconded opinion {} twice", o.id);
            assert_ne!(Some(*sec), o.author, "author seconded own opinion {}", o.id);
        }
        if let Some(into) = o.merged_into {
            assert!(s.opinion(into).unwrap().merged.contains(&o.id));
        }
        // An opinion is filed under a topic that was really discussed, and only
        // one that arrived for a topic (not for none) can be late.
        if let Some(t) = o.topic {
            let topic = s.topic(t).expect("an opinion's topic exists");
            assert_ne!(
                topic.status,
                TopicStatus::Pending,
                "opinion {} under an unopened topic",
                o.id
            );
        }
        assert!(!o.late || o.topic.is_some(), "late opinion {} without a topic", o.id);
    }
    let open: Vec<_> = s.agenda.iter().filter(|t| t.status == TopicStatus::Open).collect();
    assert!(open.len() <= 1, "more than one open topic");
    assert_eq!(open.first().map(|t| t.id), s.current_topic);
    if s.phase != Phase::Running {
        assert!(s.floor.is_none() || s.phase == Phase::NotStarted);
    }
    if let Some(f) = &s.floor {
        assert!(!s.participant(f.participant).unwrap().removed);
        assert!(s.current_topic.is_some(), "floor without an open topic");
    }
    for (i, p) in s.participants.iter().enumerate() {
        assert_eq!(p.id.0 as usize, i + 1);
    }
    for v in &s.votes {
        let mut voters = HashSet::new();
        for b in &v.named {
            assert!(
                voters.insert(b.participant),
                "{} voted twice in vote {}",
                b.participant,
                v.id
            );
            assert!((b.choice as usize) < v.kind.choices());
        }
        let mut keys = HashSet::new();
        for b in &v.sealed {
            assert!(keys.insert(b.key.clone()), "one sealed ballot per voter");
        }
        assert!(!v.secret || v.named.is_empty(), "a secret vote holds no named ballot");
    }
    let mut under_review = HashSet::new();
    for (i, r) in s.reviews.iter().enumerate() {
        assert_eq!(r.id.0 as usize, i + 1);
        assert!(
            !r.open || under_review.insert(r.subject.entry),
            "one open review per entry"
        );
        let keys: HashSet<_> = r.ratings.iter().map(|x| &x.key).collect();
        assert_eq!(keys.len(), r.ratings.len(), "one rating per rater");
        assert_eq!(r.counts().iter().sum::<u32>() as usize, r.ratings.len());
        assert_eq!(r.open, r.closed_at.is_none());
    }
    if s.phase == Phase::Ended {
        assert!(s.votes.iter().all(|v| !v.open), "a vote open after the end");
        assert!(s.reviews.iter().all(|r| !r.open), "a review open after the end");
    }
}

/// Ending the meeting closes what nobody could close any more (a vote, a
/// review), while the recorder can still tidy the opinions for the minutes.
#[test]
fn the_end_closes_votes_and_reviews_and_the_record_can_still_be_tidied() {
    let mut sim = Sim::new();
    sim.start_topic();
    for text in ["路灯坏了", "东门路灯不亮"] {
        sim.run(
            p(1),
            Command::SubmitOpinion {
                topic: None,
                text: text.into(),
                category: None,
                stance: None,
                author: OpinionAuthor::Me,
                voice: None,
            },
        )
        .unwrap();
    }
    let vote = yes_no(&mut sim, false, PassRule::Majority, None);
    cast(&mut sim, 1, vote, 0).unwrap();
    sim.run(
        Actor::Moderator,
        Command::OpenReview {
            entry: 2,
            subject: None,
        },
    )
    .unwrap();
    sim.run(
        p(4),
        Command::RateReview {
            review: ReviewId(1),
            rating: Rating::Fair,
            key: None,
        },
    )
    .unwrap();
    sim.run(Actor::Moderator, Command::EndMeeting).unwrap();
    let end = sim.now;
    let v = sim.state.vote(vote).unwrap();
    assert_eq!((v.open, v.closed_at), (false, Some(end)));
    let r = sim.state.review(ReviewId(1)).unwrap();
    assert_eq!((r.open, r.closed_at, r.counts()), (false, Some(end), [0, 1, 0]));
    assert_eq!(code(cast(&mut sim, 4, vote, 1)), ErrorCode::MeetingEnded);

    // The recorder (participant 2) tidies the record after the end.
    sim.run(
        p(2),
        Command::Retag {
            opinion: OpinionId(1),
            category: Some("基础设施".into()),
            stance: Some(Stance::Suggest),
        },
    )
    .unwrap();
    sim.run(
        p(2),
        Command::Merge {
            opinion: OpinionId(2),
            into: OpinionId(1),
        },
    )
    .unwrap();
    sim.run(
        p(2),
        Command::Hide {
            opinion: OpinionId(1),
            reason: "测试".into(),
        },
    )
    .unwrap();
    sim.run(p(2), Command::Unhide { opinion: OpinionId(1) }).unwrap();
    let o = sim.state.opinion(OpinionId(1)).unwrap();
    assert_eq!(o.category.as_deref(), Some("基础设施"));
    assert_eq!(o.merged, vec![OpinionId(2)]);
    assert!(o.hidden.is_none());
    assert_eq!(
        code(sim.run(
            p(1),
            Command::Retag {
                opinion: OpinionId(1),
                category: None,
                stance: None
            }
        )),
        ErrorCode::Forbidden,
        "still only the recorder"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn random_sequences_keep_invariants_and_replay_equals_live(
        steps in prop::collection::vec((any_actor(), any_command()), 1..120)
    ) {
        let mut sim = Sim::new();
        for (actor, cmd) in steps {
            let before = sim.state.clone();
            match sim.run(actor, cmd) {
                Ok(()) => check_invariants(&sim.state),
                Err(_) => prop_assert_eq!(&before, &sim.state, "a refused command changed the state"),
            }
        }
        // The log survives JSON (as stored in sled and sent on the wire) and replays to the same state.
        let json: Vec<String> = sim.log.iter().map(|e| serde_json::to_string(e).unwrap()).collect();
        let back: Vec<Event> = json.iter().map(|j| serde_json::from_str(j).unwrap()).collect();
        prop_assert_eq!(MeetingState::replay(&back), sim.state.clone());
        // Applying any prefix twice changes nothing (re-delivery is harmless).
        let mut twice = MeetingState::replay(&back);
        for e in &back { twice.apply(e); }
        prop_assert_eq!(twice, sim.state);
    }
}

// --- decisions ---------------------------------------------------------

fn yes_no(sim: &mut Sim, secret: bool, rule: PassRule, quorum: Option<u32>) -> VoteId {
    sim.run(
        Actor::Moderator,
        Command::OpenVote {
            question: "装电梯？".into(),
            kind: VoteKind::YesNo,
            secret,
            rule,
            quorum,
        },
    )
    .unwrap();
    VoteId(sim.state.votes.len() as u32)
}

fn cast(sim: &mut Sim, who: u32, vote: VoteId, choice: u32) -> Result<(), CommandError> {
    let key = Some(format!("key-of-{who}"));
    sim.run(
        p(who),
        Command::CastVote {
            vote,
            choice,
            ballot_key: key,
        },
    )
}

#[test]
fn a_second_vote_replaces_the_first_and_nobody_votes_after_close() {
    let mut sim = Sim::new();
    sim.start_topic();
    let v = yes_no(&mut sim, false, PassRule::Majority, None);
    cast(&mut sim, 1, v, 0).unwrap();
    cast(&mut sim, 1, v, 1).unwrap();
    cast(&mut sim, 2, v, 1).unwrap();
    let vote = sim.state.vote(v).unwrap();
    assert_eq!(vote.named.len(), 2, "one ballot per attendee");
    assert_eq!(votes::tally(vote).total, vec![0, 2, 0]);
    assert_eq!(
        code(sim.run(p(1), Command::CloseVote { vote: v })),
        ErrorCode::Forbidden
    );
    sim.run(Actor::Moderator, Command::CloseVote { vote: v }).unwrap();
    assert_eq!(code(cast(&mut sim, 3, v, 0)), ErrorCode::Conflict, "closed");
    assert_eq!(
        code(sim.run(
            Actor::Moderator,
            Command::CastVote {
                vote: v,
                choice: 0,
                ballot_key: None
            }
        )),
        ErrorCode::Forbidden
    );
}

#[test]
fn an_outcome_cannot_contradict_the_vote_it_cites() {
    let mut sim = Sim::new();
    sim.start_topic();
    let v = yes_no(&mut sim, false, PassRule::Majority, None);
    cast(&mut sim, 1, v, 0).unwrap();
    cast(&mut sim, 2, v, 0).unwrap();
    let outcome = |kind| Command::SetOutcome {
        topic: TopicId(1),
        kind,
        text: String::new(),
        dissent: None,
        vote: Some(v),
    };
    assert_eq!(
        code(sim.run(Actor::Moderator, outcome(OutcomeKind::Passed))),
        ErrorCode::Conflict,
        "the vote is still open"
    );
    sim.run(Actor::Moderator, Command::CloseVote { vote: v }).unwrap();
    assert_eq!(
        code(sim.run(Actor::Moderator, outcome(OutcomeKind::Failed))),
        ErrorCode::Conflict,
        "it passed: 表决未通过 would misstate it"
    );
    assert!(sim.state.agenda[0].outcome.is_none(), "nothing was recorded");
    sim.run(Actor::Moderator, outcome(OutcomeKind::Passed)).unwrap();
    assert_eq!(sim.state.agenda[0].outcome.as_ref().unwrap().vote, Some(v));
    // Another topic cannot rest on this topic's vote.
    let elsewhere = Command::SetOutcome {
        topic: TopicId(2),
        kind: OutcomeKind::AnotherRound,
        text: String::new(),
        dissent: None,
        vote: Some(v),
    };
    assert_eq!(code(sim.run(Actor::Moderator, elsewhere)), ErrorCode::Invalid);
}

#[test]
fn secret_ballots_carry_no_voter() {
    let mut sim = Sim::new();
    sim.start_topic();
    let v = yes_no(&mut sim, true, PassRule::Majority, None);
    cast(&mut sim, 1, v, 0).unwrap();
    cast(&mut sim, 2, v, 0).unwrap();
    cast(&mut sim, 1, v, 1).unwrap(); // changes their mind: same key, replaced
    let vote = sim.state.vote(v).unwrap();
    assert!(vote.named.is_empty());
    assert_eq!(vote.sealed.len(), 2);
    assert_eq!(votes::tally(vote).phones, vec![1, 1, 0]);
    for e in sim
        .log
        .iter()
        .filter(|e| matches!(e.event, EventKind::SealedBallotCast { .. }))
    {
        let json = serde_json::to_string(&e.event).unwrap();
        assert!(!json.contains("participant"), "{json}");
    }
    // A client cannot supply a key (it is not deserialised), and without one a secret ballot is refused.
    let sent: Command =
        serde_json::from_str(r#"{"type":"cast_vote","data":{"vote":1,"choice":0,"ballot_key":"forged"}}"#).unwrap();
    assert!(matches!(sent, Command::CastVote { ballot_key: None, .. }), "{sent:?}");
    assert_eq!(decide(&sim.state, p(3), &sent).unwrap_err().code, ErrorCode::Invalid);
}

#[test]
fn hands_count_apart_and_rules_apply_to_all_votes_cast() {
    let mut sim = Sim::new();
    sim.start_topic();
    // The 90% rule: 1 phone yes + 8 hands yes, 1 hand no = exactly 90%.
    let v = yes_no(&mut sim, false, PassRule::Share(90), None);
    cast(&mut sim, 1, v, 0).unwrap();
    sim.run(
        Actor::Moderator,
        Command::CountHands {
            vote: v,
            counts: vec![8, 1, 0],
        },
    )
    .unwrap();
    let t = votes::tally(sim.state.vote(v).unwrap());
    assert_eq!(
        (t.phones.clone(), t.hands.clone(), t.cast),
        (vec![1, 0, 0], vec![8, 1, 0], 10)
    );
    assert!(t.passed, "exactly 90% passes a 90% rule");
    assert_eq!(
        code(sim.run(
            Actor::Moderator,
            Command::CountHands {
                vote: v,
                counts: vec![1, 2]
            }
        )),
        ErrorCode::Invalid
    );
    // A tie fails a majority.
    let tie = yes_no(&mut sim, false, PassRule::Majority, None);
    cast(&mut sim, 1, tie, 0).unwrap();
    cast(&mut sim, 2, tie, 1).unwrap();
    assert!(!votes::tally(sim.state.vote(tie).unwrap()).passed);
    // Quorum not reached: all yes, but too few.
    let q = yes_no(&mut sim, false, PassRule::Majority, Some(5));
    cast(&mut sim, 1, q, 0).unwrap();
    let t = votes::tally(sim.state.vote(q).unwrap());
    assert!(!t.quorum_met && !t.passed);
    // A choice with a tie for the lead has no winner.
    sim.run(
        Actor::Moderator,
        Command::OpenVote {
            question: "颜色".into(),
            kind: VoteKind::Choice(vec!["红".into(), "绿".into(), "蓝".into()]),
            secret: false,
            rule: PassRule::Majority,
            quorum: None,
        },
    )
    .unwrap();
    let c = VoteId(sim.state.votes.len() as u32);
    cast(&mut sim, 1, c, 0).unwrap();
    cast(&mut sim, 2, c, 1).unwrap();
    assert_eq!(votes::tally(sim.state.vote(c).unwrap()).leader, None);
    cast(&mut sim, 3, c, 1).unwrap();
    let t = votes::tally(sim.state.vote(c).unwrap());
    assert_eq!((t.leader, t.passed), (Some(1), true));
}

#[test]
fn outcomes_and_commitments_can_be_recorded_after_the_end() {
    let mut sim = Sim::new();
    sim.start_topic();
    sim.run(
        p(1),
        Command::SubmitOpinion {
            topic: None,
            text: "装路灯".into(),
            category: None,
            stance: None,
            author: OpinionAuthor::Me,
            voice: None,
        },
    )
    .unwrap();
    for who in [2, 3, 4] {
        sim.run(
            p(who),
            Command::Second {
                seen_open: false,
                opinion: OpinionId(1),
                who: None,
            },
        )
        .unwrap();
    }
    assert_eq!(
        views::backing_groups(&sim.state, sim.state.opinion(OpinionId(1)).unwrap()),
        3
    );
    let commit = |deadline: &str| Command::AddCommitment {
        topic: None,
        what: "两周内修好路灯".into(),
        responsible: "物业公司".into(),
        deadline: deadline.into(),
        opinions: vec![OpinionId(1)],
    };
    assert_eq!(
        code(sim.run(p(1), commit("2026-12-31"))),
        ErrorCode::Forbidden,
        "an attendee cannot"
    );
    assert_eq!(code(sim.run(p(3), commit("31/12/2026"))), ErrorCode::Invalid);
    sim.run(p(3), commit("2026-12-31")).unwrap(); // 3 is an official
    assert_eq!(sim.state.commitments[0].official, Some(ParticipantId(3)));
    sim.run(Actor::Moderator, Command::EndMeeting).unwrap();
    let dissent = Command::SetOutcome {
        topic: TopicId(1),
        kind: OutcomeKind::Dissent,
        text: "多数同意装路灯".into(),
        dissent: None,
        vote: None,
    };
    assert_eq!(
        code(sim.run(Actor::Moderator, dissent)),
        ErrorCode::Invalid,
        "dissent needs the dissenting views"
    );
    sim.run(
        Actor::Moderator,
        Command::SetOutcome {
            topic: TopicId(1),
            kind: OutcomeKind::Dissent,
            text: "多数同意装路灯".into(),
            dissent: Some("一楼住户担心光线扰民".into()),
            vote: None,
        },
    )
    .unwrap();
    sim.run(
        p(2),
        Command::MarkForLedger {
            opinion: OpinionId(1),
            on: true,
        },
    )
    .unwrap();
    assert!(sim.state.opinion(OpinionId(1)).unwrap().to_ledger);
    assert_eq!(
        code(sim.run(
            p(1),
            Command::SubmitOpinion {
                topic: None,
                text: "x".into(),
                category: None,
                stance: None,
                author: OpinionAuthor::Me,
                voice: None,
            }
        )),
        ErrorCode::MeetingEnded
    );
}

/// A meeting cannot grow without bound — opinions (count and text), people,
/// objections — and the largest state a phone must load as its snapshot is
/// measured at those bounds (before: 12,800 opinions of 1,000 characters made
/// a 40.8 MB state, sent whole to every phone that connected).
#[test]
fn a_meeting_is_bounded_and_its_largest_snapshot_is_measured() {
    let mut sim = Sim::new();
    sim.start_topic();
    let long = "很".repeat(OPINION_MAX_CHARS);
    let opinion = |text: &str| Command::SubmitOpinion {
        topic: None,
        text: text.into(),
        category: None,
        stance: None,
        author: OpinionAuthor::Anonymous,
        voice: None,
    };
    // Long opinions until the text is full.
    let mut n = 0;
    while sim.run(Actor::Moderator, opinion(&long)).is_ok() {
        n += 1;
    }
    assert_eq!(code(sim.run(Actor::Moderator, opinion(&long))), ErrorCode::TooLarge);
    assert!(n * long.len() <= OPINION_TEXT_MAX_BYTES && (n + 1) * long.len() > OPINION_TEXT_MAX_BYTES);
    let long_opinions = serde_json::to_vec(&sim.state).unwrap().len();

    // Short opinions until their number is full.
    let mut sim = Sim::new();
    sim.start_topic();
    while sim.state.opinions.len() < OPINIONS_MAX {
        sim.run(Actor::Moderator, opinion("好")).unwrap();
    }
    assert_eq!(code(sim.run(Actor::Moderator, opinion("好"))), ErrorCode::TooLarge);
    // People with the longest names until the meeting is full.
    let name = "名".repeat(NAME_MAX_CHARS);
    while sim.state.participants.len() < PARTICIPANTS_MAX {
        let e = join(&sim.state, Some(&name), "居民", true).unwrap();
        sim.push(Actor::System, e);
    }
    assert_eq!(
        join(&sim.state, Some(&name), "居民", true).unwrap_err().code,
        ErrorCode::TooLarge
    );
    // Objections to the published minutes until their text is full.
    sim.run(Actor::Moderator, Command::EndMeeting).unwrap();
    sim.run(
        Actor::Moderator,
        Command::PublishMinutes {
            summary: "纪要".into(),
            notice_days: Some(5),
            correction: None,
        },
    )
    .unwrap();
    let objection = || Command::FileObjection {
        topic: None,
        text: long.clone(),
        name: None,
        now: sim_now(),
    };
    fn sim_now() -> u64 {
        0
    }
    while sim.run(Actor::Public, objection()).is_ok() {}
    assert_eq!(code(sim.run(Actor::Public, objection())), ErrorCode::TooLarge);
    // Every correction the minutes may have (each version is kept whole).
    let summary = "摘".repeat(SUMMARY_MAX_CHARS);
    let correct = |i: usize| Command::PublishMinutes {
        summary: summary.clone(),
        notice_days: Some(5),
        correction: Some(format!("更正{i}")),
    };
    let mut i = 0;
    while sim.run(Actor::Moderator, correct(i)).is_ok() {
        i += 1;
    }
    assert_eq!(sim.state.publications.len(), PUBLICATIONS_MAX);
    assert_eq!(code(sim.run(Actor::Moderator, correct(i))), ErrorCode::TooLarge);
    let full = serde_json::to_vec(&sim.state).unwrap().len();
    println!(
        "largest snapshot: {} KiB with every bound reached ({} KiB with the opinion text full)",
        full / 1024,
        long_opinions / 1024
    );
    assert!(full < 10 << 20, "{full} bytes");
}
