//! Applying opinion events: submitted, seconded, retagged, merged, hidden,
//! marked for the ledger, held for approval and approved.

use super::meeting_state::MeetingState;
use crate::event::EventKind;
use crate::model::Opinion;

/// Applies an opinion event at server time `at`. Any other event belongs to another
/// family (see [`EventKind::family`]) and changes nothing here.
pub(super) fn apply(state: &mut MeetingState, at: u64, event: &EventKind) {
    match event {
        EventKind::OpinionSubmitted {
            opinion,
            topic,
            author,
            recorded_by,
            text,
            category,
            stance,
            late,
            channel,
            voice,
        } => {
            debug_assert_eq!(opinion.0 as usize, state.opinions.len() + 1);
            // Held when sent from a phone (its author's own, not typed by a
            // recorder) while the moderator holds opinions for approval.
            let held = state.settings.hold_opinions && (author.is_some() || channel.is_some()) && recorded_by.is_none();
            state.opinion_text_bytes += text.len();
            state.voice_bytes += voice.as_ref().map_or(0, |v| u64::from(v.bytes));
            state.opinions.push(Opinion {
                id: *opinion,
                topic: *topic,
                author: *author,
                recorded_by: *recorded_by,
                text: text.clone(),
                category: category.clone(),
                stance: *stance,
                at,
                seconds: Vec::new(),
                merged_into: None,
                merged: Vec::new(),
                hidden: None,
                to_ledger: false,
                late: *late,
                held,
                channel: *channel,
                voice: voice.clone(),
                transcribed: false,
            });
        }
        EventKind::OpinionTranscribed { opinion, text } => {
            if let Some(o) = state.opinion_mut(*opinion) {
                let before = std::mem::replace(&mut o.text, text.clone()).len();
                o.transcribed = true;
                state.opinion_text_bytes = state.opinion_text_bytes + text.len() - before;
            }
        }
        EventKind::Seconded { opinion, participant } => {
            if let Some(o) = state.opinion_mut(*opinion) {
                if !o.seconds.contains(participant) {
                    o.seconds.push(*participant);
                }
            }
        }
        EventKind::OpinionRetagged {
            opinion,
            category,
            stance,
        } => {
            if let Some(o) = state.opinion_mut(*opinion) {
                o.category = category.clone();
                o.stance = *stance;
            }
        }
        EventKind::OpinionsMerged { opinion, into } => state.merge(*opinion, *into),
        EventKind::OpinionHidden { opinion, reason } => {
            if let Some(o) = state.opinion_mut(*opinion) {
                o.hidden = Some(reason.clone());
            }
        }
        EventKind::OpinionUnhidden { opinion } => {
            if let Some(o) = state.opinion_mut(*opinion) {
                o.hidden = None;
            }
        }
        EventKind::LedgerMarked { opinion, on } => {
            if let Some(o) = state.opinion_mut(*opinion) {
                o.to_ledger = *on;
            }
        }
        EventKind::OpinionsHeld { on } => state.settings.hold_opinions = *on,
        EventKind::OpinionApproved { opinion } => {
            if let Some(o) = state.opinion_mut(*opinion) {
                o.held = false;
            }
        }
        _ => {}
    }
}
