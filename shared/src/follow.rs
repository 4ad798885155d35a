//! 线上旁听: what people following a meeting from home may see.
//!
//! The people in the courtyard see each other; a follower may be anyone on the
//! internet with the meeting's link. So a follower's copy of the meeting is the
//! public one ([`redact_for_public`]: names only of those who agreed to be named,
//! no text of hidden or held opinions) and has no Wi-Fi password. The server
//! sends followers their own stream: each event as [`for_followers`] rewrites
//! it, or, where an event cannot be rewritten (an approval reveals text the
//! follower never had), a fresh copy of the whole public state.
//!
//! The decision is made for every kind of event by name, with no catch-all, so
//! a new kind of event cannot reach followers before someone has decided what
//! they may see of it.

use crate::event::EventKind;
use crate::state::MeetingState;
use crate::views::redact_for_public;

/// The token a follower's connection says `hello` with: anyone may use it.
/// (Real tokens are 22 random characters, so it is never one of them.)
pub const FOLLOW_TOKEN: &str = "follow";

/// An event as followers get it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForFollowers {
    /// As it is.
    Same,
    /// With private parts taken out.
    Changed(Box<EventKind>),
    /// Only a fresh copy of the public state says what changed.
    Resync,
}

/// The state as followers get it: the public state without the Wi-Fi.
pub fn state_for_followers(state: &MeetingState) -> MeetingState {
    let mut state = state.clone();
    redact_for_public(&mut state);
    state.wifi = None;
    state
}

/// What followers get of `event`; `after` is the state with it applied.
pub fn for_followers(event: &EventKind, after: &MeetingState) -> ForFollowers {
    use EventKind as E;
    match event {
        E::MeetingCreated { wifi: Some(_), .. } => {
            let mut event = event.clone();
            if let E::MeetingCreated { wifi, .. } = &mut event {
                *wifi = None;
            }
            ForFollowers::Changed(Box::new(event))
        }
        E::ParticipantJoined {
            name: Some(_),
            publish_name: false,
            ..
        } => {
            let mut event = event.clone();
            if let E::ParticipantJoined { name, .. } = &mut event {
                *name = None;
            }
            ForFollowers::Changed(Box::new(event))
        }
        // Held text is not theirs yet; a voice clip is never theirs to play
        // (a voice is a person's, as a name is).
        E::OpinionSubmitted { opinion, voice, .. }
            if voice.is_some() || after.opinion(*opinion).is_none_or(|o| o.held) =>
        {
            let held = after.opinion(*opinion).is_none_or(|o| o.held);
            let mut event = event.clone();
            if let E::OpinionSubmitted { text, voice, .. } = &mut event {
                if held {
                    text.clear();
                }
                if let Some(v) = voice {
                    v.clip.clear();
                }
            }
            ForFollowers::Changed(Box::new(event))
        }
        // A transcript of a held opinion is not theirs either until approved.
        E::OpinionTranscribed { opinion, .. }
            if after.opinion(*opinion).is_none_or(|o| o.held || o.hidden.is_some()) =>
        {
            let mut event = event.clone();
            if let E::OpinionTranscribed { text, .. } = &mut event {
                text.clear();
            }
            ForFollowers::Changed(Box::new(event))
        }
        E::ObjectionFiled { name: Some(_), .. } => {
            let mut event = event.clone();
            if let E::ObjectionFiled { name, .. } = &mut event {
                *name = None;
            }
            ForFollowers::Changed(Box::new(event))
        }
        // Text the follower was never given becomes visible.
        E::OpinionApproved { .. } | E::OpinionUnhidden { .. } => ForFollowers::Resync,
        E::MeetingCreated { .. }
        | E::ParticipantJoined { .. }
        | E::OpinionSubmitted { .. }
        | E::ObjectionFiled { .. }
        | E::MeetingStarted
        | E::MeetingEnded
        | E::DetailsEdited { .. }
        | E::SettingsChanged { .. }
        | E::TopicAdded { .. }
        | E::TopicEdited { .. }
        | E::TopicMoved { .. }
        | E::TopicRemoved { .. }
        | E::TopicOpened { .. }
        | E::StageSet { .. }
        | E::TopicClosed
        | E::RoleSet { .. }
        | E::ParticipantRemoved { .. }
        | E::InviteRotated
        | E::HandRaised { .. }
        | E::HandLowered { .. }
        | E::QueueMoved { .. }
        | E::FloorGiven { .. }
        | E::FloorEnded
        | E::TimerStarted
        | E::TimerPaused
        | E::TimerAdjusted { .. }
        | E::Seconded { .. }
        | E::OpinionRetagged { .. }
        | E::OpinionTranscribed { .. }
        | E::OpinionsMerged { .. }
        // The text stays with the follower who had it, as on every phone in
        // the courtyard; pages show a hidden opinion to nobody.
        | E::OpinionHidden { .. }
        | E::LedgerMarked { .. }
        | E::VoteOpened { .. }
        | E::VoteCast { .. }
        | E::SealedBallotCast { .. }
        | E::HandsCounted { .. }
        | E::VoteClosed { .. }
        | E::OutcomeSet { .. }
        | E::CommitmentAdded { .. }
        | E::ReviewOpened { .. }
        | E::ReviewRated { .. }
        | E::ReviewClosed { .. }
        // Published minutes already follow the naming rule.
        | E::MinutesPublished { .. }
        | E::OpinionsHeld { .. }
        | E::HeadcountSet { .. }
        | E::ScreensIssued
        | E::ModeratorNamed { .. }
        | E::ObjectionAnswered { .. }
        | E::ObjectionMarkedSpam { .. } => ForFollowers::Same,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::Actor;
    use crate::event::Event;
    use crate::ids::{OpinionId, ParticipantId};
    use crate::model::{Channel, Wifi};

    fn apply(state: &mut MeetingState, by: Actor, event: EventKind) -> ForFollowers {
        let e = Event {
            seq: state.seq + 1,
            at: 1,
            by,
            event,
        };
        state.apply(&e);
        for_followers(&e.event, state)
    }

    /// Folding what followers are sent gives the same state as redacting the
    /// whole state: names of people who did not agree, held text and the
    /// Wi-Fi never reach them.
    #[test]
    fn followers_never_get_what_the_public_may_not_see() {
        let mut full = MeetingState::default();
        let mut follower = MeetingState::default();
        let events = vec![
            EventKind::MeetingCreated {
                meeting: crate::MeetingId::parse("k7m2x9qa").unwrap(),
                title: "停车".into(),
                place: "院坝".into(),
                starts_at: None,
                agenda: vec![],
                opinion_categories: vec!["建议".into()],
                attendee_categories: vec!["居民".into()],
                wifi: Some(Wifi {
                    ssid: "yard".into(),
                    password: "secret-pass".into(),
                    hide_password: false,
                }),
                moderator_name: None,
                invited: String::new(),
            },
            EventKind::ParticipantJoined {
                participant: ParticipantId(1),
                name: Some("王秀兰".into()),
                category: "居民".into(),
                publish_name: false,
                walk_in: false,
            },
            EventKind::ParticipantJoined {
                participant: ParticipantId(2),
                name: Some("李主任".into()),
                category: "居民".into(),
                publish_name: true,
                walk_in: false,
            },
            EventKind::MeetingStarted,
            EventKind::OpinionsHeld { on: true },
            EventKind::OpinionSubmitted {
                opinion: OpinionId(1),
                topic: None,
                author: Some(ParticipantId(1)),
                recorded_by: None,
                text: "held text".into(),
                category: None,
                stance: None,
                late: false,
                channel: None,
                voice: None,
            },
            EventKind::OpinionSubmitted {
                opinion: OpinionId(2),
                topic: None,
                author: None,
                recorded_by: None,
                text: "from home".into(),
                category: None,
                stance: None,
                late: false,
                channel: Some(Channel::Online),
                voice: None,
            },
            // Spoken, typed in by nobody: held like any phone's; its
            // transcript reaches followers only once approved.
            EventKind::OpinionSubmitted {
                opinion: OpinionId(3),
                topic: None,
                author: Some(ParticipantId(1)),
                recorded_by: None,
                text: String::new(),
                category: None,
                stance: None,
                late: false,
                channel: None,
                voice: Some(crate::model::Voice {
                    clip: "abcdefghijklmnopqrstuv".into(),
                    ms: 9_000,
                    bytes: 50_000,
                }),
            },
            EventKind::OpinionTranscribed {
                opinion: OpinionId(3),
                text: "spoken words".into(),
            },
        ];
        for kind in events {
            let seq = full.seq + 1;
            match apply(&mut full, Actor::System, kind.clone()) {
                ForFollowers::Same => apply(&mut follower, Actor::System, kind),
                ForFollowers::Changed(k) => apply(&mut follower, Actor::System, *k),
                ForFollowers::Resync => unreachable!("no approval yet"),
            };
            let mut public = state_for_followers(&full);
            // A count the meeting keeps to bound its record: a follower's copy
            // counts only the text it was given.
            public.opinion_text_bytes = follower.opinion_text_bytes;
            assert_eq!(follower, public, "after event {seq}");
        }
        let text = serde_json::to_string(&follower).unwrap();
        for secret in [
            "王秀兰",
            "held text",
            "secret-pass",
            "from home",
            "spoken words",
            "abcdefghijklmnopqrstuv",
        ] {
            assert!(!text.contains(secret), "{secret} reached a follower: {text}");
        }
        assert!(text.contains("李主任"), "a name given for publishing is shown");
        // Approving a held opinion reveals text the follower never had: a resync.
        let verdict = apply(
            &mut full,
            Actor::Moderator,
            EventKind::OpinionApproved { opinion: OpinionId(1) },
        );
        assert_eq!(verdict, ForFollowers::Resync);
        assert!(serde_json::to_string(&state_for_followers(&full))
            .unwrap()
            .contains("held text"));
    }
}
