//! The projection of a meeting's state into [`Minutes`]: who is named how, which
//! opinions are shown or only counted, the votes with their tallies. Apart from
//! the value it produces, so that holding minutes does not depend on the state.

use super::labels::{NOT_APPROVED, WITHOUT_PHONE};
use super::value::{
    CommitmentLine, Minutes, OpinionGroup, OpinionLine, OpinionSection, ReviewLine, SpeakerLine, SpokenLine,
    TopicRecord, VoteLine,
};
use crate::ids::ParticipantId;
use crate::model::{Commitment, TopicStatus, Vote, VoteKind};
use crate::state::MeetingState;
use crate::views::{attendance_by_category, backing_groups};
use crate::votes::tally;

/// The names to print: real names for those who agreed (when `public`), else category + number.
pub fn public_names(state: &MeetingState, public: bool) -> Vec<String> {
    let mut counters: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    state
        .participants
        .iter()
        .map(|p| {
            let named = p.name.clone().filter(|_| p.publish_name || !public);
            match named {
                Some(name) => name,
                None => {
                    let n = counters.entry(p.category.as_str()).or_insert(0);
                    *n += 1;
                    format!("{}{}", p.category, n)
                }
            }
        })
        .collect()
}

/// Builds the minutes from the state. `public` applies the naming rule.
pub fn build(state: &MeetingState, summary: &str, public: bool) -> Minutes {
    let names = public_names(state, public);
    let name = |p: ParticipantId| names.get(p.0 as usize - 1).cloned().unwrap_or_else(|| format!("#{p}"));
    let present = state.participants.iter().filter(|p| !p.removed);
    let commitment_line = |c: &Commitment| CommitmentLine {
        id: c.id.0,
        what: c.what.clone(),
        responsible: c.responsible.clone(),
        deadline: c.deadline.clone(),
        official: c.official.map(name),
        opinions: c.opinions.iter().map(|o| o.0).collect(),
    };
    let topics = state
        .agenda
        .iter()
        .filter(|t| t.status != TopicStatus::Pending)
        .map(|t| {
            let section = opinion_section(state, Some(t.id), &name);
            TopicRecord {
                id: t.id.0,
                title: t.title.clone(),
                speakers: t
                    .speeches
                    .iter()
                    .map(|s| SpeakerLine {
                        name: name(s.participant),
                        kind: s.kind,
                        seconds: s.duration_ms / 1000,
                    })
                    .collect(),
                opinions: section.groups,
                hidden: section.hidden,
                votes: state
                    .votes
                    .iter()
                    .filter(|v| v.topic == Some(t.id))
                    .map(vote_line)
                    .collect(),
                outcome: t.outcome.clone(),
                commitments: state
                    .commitments
                    .iter()
                    .filter(|c| c.topic == Some(t.id))
                    .map(commitment_line)
                    .collect(),
                ledger: t.ledger,
            }
        })
        .collect();
    Minutes {
        meeting: state.id.clone(),
        title: state.title.clone(),
        place: state.place.clone(),
        starts_at: state.starts_at.clone(),
        moderator: state.moderator_name.clone(),
        recorders: state
            .participants
            .iter()
            .filter(|p| p.recorder)
            .map(|p| name(p.id))
            .collect(),
        officials: state
            .participants
            .iter()
            .filter(|p| p.official)
            .map(|p| name(p.id))
            .collect(),
        attendance: attendance_by_category(state)
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .chain((state.without_phone > 0).then(|| (WITHOUT_PHONE.to_owned(), state.without_phone as usize)))
            .collect(),
        attendance_total: present.count() + state.without_phone as usize,
        summary: summary.to_owned(),
        before_topics: opinion_section(state, None, &name),
        topics,
        not_discussed: state
            .agenda
            .iter()
            .filter(|t| t.status == TopicStatus::Pending)
            .map(|t| t.title.clone())
            .collect(),
        other_commitments: state
            .commitments
            .iter()
            .filter(|c| c.topic.is_none())
            .map(commitment_line)
            .collect(),
        reviews: state
            .reviews
            .iter()
            .map(|r| ReviewLine {
                entry: r.subject.entry,
                title: r.subject.title.clone(),
                responsible: r.subject.responsible.clone(),
                status: r.subject.status.clone(),
                counts: r.counts(),
                open: r.open,
            })
            .collect(),
    }
}

/// The opinions given under `topic` (`None`: before any topic opened), by
/// category in the meeting's order; merged duplicates count in the one kept.
fn opinion_section(
    state: &MeetingState,
    topic: Option<crate::ids::TopicId>,
    name: &dyn Fn(ParticipantId) -> String,
) -> OpinionSection {
    let mut groups: Vec<OpinionGroup> = Vec::new();
    let mut hidden: Vec<(String, usize)> = Vec::new();
    for o in state
        .opinions
        .iter()
        .filter(|o| o.topic == topic && o.merged_into.is_none())
    {
        // One held for approval and never approved is not published either: it
        // is counted, like a hidden one, under its own reason.
        let withheld = o.held.then(|| NOT_APPROVED.to_owned());
        if let Some(reason) = o.hidden.as_ref().or(withheld.as_ref()) {
            match hidden.iter_mut().find(|(r, _)| r == reason) {
                Some((_, n)) => *n += 1,
                None => hidden.push((reason.clone(), 1)),
            }
            continue;
        }
        let category = o.category.clone().unwrap_or_default();
        let line = OpinionLine {
            id: o.id.0,
            text: o.text.clone(),
            by: o.author.map(name).unwrap_or_else(|| "匿名".to_owned()),
            stance: o.stance,
            seconds: o.seconds.len(),
            backing_groups: backing_groups(state, o),
            to_ledger: o.to_ledger,
            late: o.late,
            channel: o.channel,
            spoken: o.voice.as_ref().map(|v| SpokenLine {
                transcribed: o.transcribed,
                seconds: (v.ms + 500) / 1000,
            }),
        };
        match groups.iter_mut().find(|g| g.category == category) {
            Some(g) => g.items.push(line),
            None => groups.push(OpinionGroup {
                category,
                items: vec![line],
            }),
        }
    }
    let order = |c: &str| {
        state
            .opinion_categories
            .iter()
            .position(|k| k == c)
            .unwrap_or(usize::MAX)
    };
    groups.sort_by_key(|g| order(&g.category));
    OpinionSection { groups, hidden }
}

/// A vote as the minutes give it: its choices counted, and whether it passed.
pub fn vote_line(v: &Vote) -> VoteLine {
    let t = tally(v);
    let labels: Vec<String> = match &v.kind {
        VoteKind::YesNo => vec!["赞成".into(), "反对".into(), "弃权".into()],
        VoteKind::Choice(options) => options.clone(),
    };
    VoteLine {
        question: v.question.clone(),
        secret: v.secret,
        rule: v.rule,
        quorum: v.quorum,
        choices: labels
            .into_iter()
            .enumerate()
            .map(|(i, l)| (l, t.phones[i], t.hands[i], t.total[i]))
            .collect(),
        cast: t.cast,
        quorum_met: t.quorum_met,
        passed: t.passed,
        open: v.open,
        yes_no: Some(matches!(v.kind, VoteKind::YesNo)),
    }
}
