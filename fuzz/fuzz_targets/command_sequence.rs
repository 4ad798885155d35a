//! Arbitrary command sequences on the meeting state machine. The input is JSON
//! lines; the first byte of each picks the sender (moderator, projector, an
//! attendee, the public). Whatever arrives: a refused command changes nothing,
//! an accepted one applies, and replaying the log gives the same state.

#![no_main]

use babahui_shared::decide::{create_meeting, decide};
use babahui_shared::*;
use libfuzzer_sys::fuzz_target;

fn actor(b: u8) -> Actor {
    match b % 8 {
        0 | 1 => Actor::Moderator,
        2 => Actor::Projector,
        3 => Actor::Public,
        n => Actor::Participant(ParticipantId(u32::from(n) - 3)),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let setup = MeetingSetup {
        title: "fuzz".into(),
        agenda: vec![
            NewTopic { title: "a".into(), minutes: 5, ledger: None },
            NewTopic { title: "b".into(), minutes: 0, ledger: Some(1) },
        ],
        ..MeetingSetup::default()
    };
    let first = create_meeting(MeetingId::parse("fuzzfuzz").unwrap(), &setup).unwrap();
    let mut state = MeetingState::default();
    let mut log = Vec::new();
    let mut push = |state: &mut MeetingState, by: Actor, kind: EventKind, log: &mut Vec<Event>| {
        let e = Event { seq: state.seq + 1, at: 1_000 + state.seq * 500, by, event: kind };
        state.apply(&e);
        log.push(e);
    };
    push(&mut state, Actor::System, first, &mut log);
    for (i, name) in ["甲", "乙", "丙", "丁"].into_iter().enumerate() {
        let joined = babahui_shared::decide::join(&state, Some(name), "居民", i % 2 == 0).unwrap();
        push(&mut state, Actor::System, joined, &mut log);
    }
    for line in text.lines().take(200) {
        let Some((&who, json)) = line.as_bytes().split_first() else { continue };
        let Ok(mut command) = serde_json::from_slice::<Command>(json) else { continue };
        // What the server fills in itself.
        match &mut command {
            Command::CastVote { ballot_key, .. } => *ballot_key = Some(format!("k{who}")),
            Command::RateReview { key, .. } => *key = Some(format!("r{who}")),
            Command::FileObjection { now, .. } => *now = state.last_at,
            _ => {}
        }
        let by = actor(who);
        let before = state.clone();
        match decide(&state, by, &command) {
            Ok(kind) => push(&mut state, by, kind, &mut log),
            Err(_) => assert_eq!(state, before, "a refused command changed the state"),
        }
    }
    let json: Vec<String> = log.iter().map(|e| serde_json::to_string(e).unwrap()).collect();
    let back: Vec<Event> = json.iter().map(|j| serde_json::from_str(j).unwrap()).collect();
    assert_eq!(MeetingState::replay(&back), state, "replay == live");
});
