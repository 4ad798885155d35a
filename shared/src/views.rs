//! Derived, read-only views of a [`MeetingState`]: what screens show that is not
//! stored (attendance, speaking time, queue position, the countdown).

use crate::ids::ParticipantId;
use crate::model::Floor;
use crate::state::MeetingState;
use std::collections::BTreeMap;

/// Participants present (not removed) per 协商主体 category, in the meeting's category order.
pub fn attendance_by_category(state: &MeetingState) -> Vec<(String, usize)> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for p in state.participants.iter().filter(|p| !p.removed) {
        *counts.entry(p.category.as_str()).or_default() += 1;
    }
    state
        .attendee_categories
        .iter()
        .map(|c| (c.clone(), counts.get(c.as_str()).copied().unwrap_or(0)))
        .collect()
}

/// Milliseconds the current turn has run at server time `now`.
pub fn floor_elapsed_ms(floor: &Floor, now: u64) -> u64 {
    floor.elapsed_ms + floor.running_since.map_or(0, |since| now.saturating_sub(since))
}

/// Milliseconds left in the current turn at server time `now` (negative: over time).
pub fn floor_remaining_ms(floor: &Floor, now: u64) -> i64 {
    floor.limit_ms as i64 - floor_elapsed_ms(floor, now) as i64
}

/// Total speaking time per participant over the whole meeting, including the
/// turn in progress at `now`, most first.
pub fn speaking_time_by_participant(state: &MeetingState, now: u64) -> Vec<(ParticipantId, u64)> {
    let mut totals: BTreeMap<ParticipantId, u64> = BTreeMap::new();
    for t in &state.agenda {
        for s in &t.speeches {
            *totals.entry(s.participant).or_default() += s.duration_ms;
        }
    }
    if let Some(f) = &state.floor {
        *totals.entry(f.participant).or_default() += floor_elapsed_ms(f, now);
    }
    let mut out: Vec<_> = totals.into_iter().collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

/// Total speaking time per category (officials' responses count under the
/// official's own category), so the moderator can see whether one group dominates.
pub fn speaking_time_by_category(state: &MeetingState, now: u64) -> Vec<(String, u64)> {
    let mut totals: BTreeMap<String, u64> = BTreeMap::new();
    for (p, ms) in speaking_time_by_participant(state, now) {
        if let Some(p) = state.participant(p) {
            *totals.entry(p.category.clone()).or_default() += ms;
        }
    }
    let mut out: Vec<_> = totals.into_iter().collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

/// 1-based place of `who` in the queue.
pub fn queue_position(state: &MeetingState, who: ParticipantId) -> Option<usize> {
    state.queue.iter().position(|q| *q == who).map(|i| i + 1)
}

/// Display name: the name, or 匿名 with the category.
pub fn display_name(state: &MeetingState, who: ParticipantId) -> String {
    match state.participant(who) {
        Some(p) => p.name.clone().unwrap_or_else(|| format!("匿名({})", p.category)),
        None => format!("#{who}"),
    }
}

/// The name shown on public displays (the projector, other people's phones,
/// the minutes): the real name only if the person agreed to be named when they
/// joined; otherwise their category and a number in joining order within it
/// (居民代表1) — the same label the minutes use, so one consent covers all.
pub fn public_name(state: &MeetingState, who: ParticipantId) -> String {
    let Some(p) = state.participant(who) else {
        return format!("#{who}");
    };
    match &p.name {
        Some(name) if p.publish_name => name.clone(),
        _ => {
            let n = state
                .participants
                .iter()
                .take_while(|q| q.id != who)
                .filter(|q| q.category == p.category && !(q.publish_name && q.name.is_some()))
                .count();
            format!("{}{}", p.category, n + 1)
        }
    }
}

/// The state as anyone with the meeting's id may read it over HTTP (the join
/// page, a curious neighbour with the minutes link): the names of people who
/// did not agree to be named are taken out (pages then show 居民3, as on the
/// projector), and so is the text of hidden opinions (their reason stays).
/// The moderator, recorders and the organiser read the whole state.
pub fn redact_for_public(state: &mut MeetingState) {
    for p in &mut state.participants {
        if !p.publish_name {
            p.name = None;
        }
    }
    for o in &mut state.opinions {
        if o.hidden.is_some() || o.held {
            o.text.clear();
        }
        // A voice is a person's, as a name is: the public is never given the
        // clip (the staff's screens and the projector play it).
        if let Some(v) = &mut o.voice {
            v.clip.clear();
        }
    }
}

/// Opinions held for a recorder's approval (not hidden meanwhile): what the
/// recorder's phone and the tablet say are waiting.
pub fn held_count(state: &MeetingState) -> usize {
    state.opinions.iter().filter(|o| o.held && o.hidden.is_none()).count()
}

/// Opinion counts per category (visible, not merged), in the meeting's order,
/// with untagged ones last under the empty string.
pub fn opinions_by_category(state: &MeetingState) -> Vec<(String, usize)> {
    let visible = state
        .opinions
        .iter()
        .filter(|o| o.hidden.is_none() && o.merged_into.is_none() && !o.held);
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for o in visible {
        *counts.entry(o.category.as_deref().unwrap_or("")).or_default() += 1;
    }
    let mut out: Vec<_> = state
        .opinion_categories
        .iter()
        .map(|c| (c.clone(), counts.get(c.as_str()).copied().unwrap_or(0)))
        .collect();
    out.push((String::new(), counts.get("").copied().unwrap_or(0)));
    out
}

/// The consensus signal: how many different 协商主体 categories seconded an
/// opinion (居民, 物业, 业委会…). Backing across groups is the raw material of a
/// deliberation opinion.
pub fn backing_groups(state: &MeetingState, opinion: &crate::model::Opinion) -> usize {
    let groups: std::collections::BTreeSet<&str> = opinion
        .seconds
        .iter()
        .filter_map(|p| state.participant(*p))
        .map(|p| p.category.as_str())
        .collect();
    groups.len()
}

/// Visible opinions, most broadly backed first (then most seconds, then oldest).
pub fn opinions_by_backing(state: &MeetingState) -> Vec<&crate::model::Opinion> {
    let mut out: Vec<_> = state
        .opinions
        .iter()
        .filter(|o| o.hidden.is_none() && o.merged_into.is_none())
        .collect();
    out.sort_by(|a, b| {
        backing_groups(state, b)
            .cmp(&backing_groups(state, a))
            .then(b.seconds.len().cmp(&a.seconds.len()))
            .then(a.id.cmp(&b.id))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Participant;

    fn person(id: u32, name: Option<&str>, category: &str, publish_name: bool) -> Participant {
        Participant {
            id: ParticipantId(id),
            name: name.map(str::to_owned),
            category: category.into(),
            publish_name,
            walk_in: false,
            recorder: false,
            official: false,
            removed: false,
            banned: false,
            joined_at: 0,
        }
    }

    #[test]
    fn public_displays_name_only_those_who_agreed_and_number_the_rest_as_the_minutes_do() {
        let state = MeetingState {
            participants: vec![
                person(1, Some("王阿姨"), "居民", false),
                person(2, Some("李叔"), "居民", true),
                person(3, None, "居民", true),
                person(4, Some("赵代表"), "居民代表", false),
            ],
            ..MeetingState::default()
        };
        let shown: Vec<String> = (1..=4).map(|i| public_name(&state, ParticipantId(i))).collect();
        assert_eq!(shown, ["居民1", "李叔", "居民2", "居民代表1"]);
        assert_eq!(
            shown,
            crate::minutes::public_names(&state, true),
            "the same label everywhere"
        );
        assert_eq!(
            display_name(&state, ParticipantId(1)),
            "王阿姨",
            "the moderator's screens keep the name"
        );
        let mut public = state.clone();
        redact_for_public(&mut public);
        let names: Vec<_> = public.participants.iter().map(|p| p.name.as_deref()).collect();
        assert_eq!(names, [None, Some("李叔"), None, None]);
        let shown_after: Vec<String> = (1..=4).map(|i| public_name(&public, ParticipantId(i))).collect();
        assert_eq!(shown_after, shown, "the same labels from the redacted state");
    }
}
