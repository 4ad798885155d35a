//! Merging ledger entries between servers (a courtyard laptop and its
//! district) by their history lines. A line is known by where it was
//! written, when, and what it says; a line already present is never added
//! again, so a review's ratings (carried on its line) are counted once
//! however often the two servers sync. Pure functions, tested here.

use babahui_shared::ledger::{EntryOrigin, LedgerEntry, LedgerStatus, LedgerUpdate, Ratings};
use babahui_shared::MeetingId;

/// How a line is known on every server: (where written, when, what).
fn identity(line: &LedgerUpdate, here: &str) -> (String, u64, String) {
    (
        line.origin.clone().unwrap_or_else(|| here.to_owned()),
        line.at,
        line.note.clone(),
    )
}

/// The local entry (its index in `local`) that `incoming`, sent by `from`,
/// stands for, if there is one. `me` is this server's origin id.
pub fn counterpart(local: &[LedgerEntry], incoming: &LedgerEntry, from: &str, me: &str) -> Option<usize> {
    if let Some(o) = &incoming.origin {
        if o.server == me {
            return local.iter().position(|e| e.id == o.id);
        }
    }
    let theirs = EntryOrigin {
        server: from.to_owned(),
        id: incoming.id,
    };
    let same = |o: &EntryOrigin| o == &theirs || incoming.origin.as_ref() == Some(o);
    local.iter().position(|e| e.origin.as_ref().is_some_and(same))
}

/// Adds to `into` the lines of `incoming` (sent by `from`) it lacks, in time
/// order, with their ratings; the entry's status becomes its newest line's.
/// If the other side wrote last, its title, owner and deadline are taken.
/// Returns whether anything changed.
pub fn merge_lines(into: &mut LedgerEntry, incoming: &LedgerEntry, from: &str, me: &str) -> bool {
    let newest = |e: &LedgerEntry| e.history.iter().map(|l| l.at).max().unwrap_or(0);
    let theirs_newer = newest(incoming) > newest(into);
    let known: std::collections::HashSet<_> = into.history.iter().map(|l| identity(l, me)).collect();
    let mut added = false;
    for line in &incoming.history {
        let mut line = line.clone();
        let origin = line.origin.clone().unwrap_or_else(|| from.to_owned());
        line.origin = (origin != me).then_some(origin);
        if known.contains(&identity(&line, me)) {
            continue;
        }
        if let Some([s, f, u]) = line.ratings {
            into.ratings.add([s, f, u]);
        }
        into.history.push(line);
        added = true;
    }
    if !added {
        return false;
    }
    into.history.sort_by_key(|l| l.at);
    if let Some(status) = into.history.iter().rev().find_map(|l| l.status) {
        into.status = status;
    }
    if theirs_newer {
        into.title.clone_from(&incoming.title);
        into.responsible.clone_from(&incoming.responsible);
        into.deadline.clone_from(&incoming.deadline);
    }
    true
}

/// A new local entry numbered `id` for `incoming` (sent by `from`), in
/// `community`; meetings it names are renamed to their local copies.
pub fn copy(
    incoming: &LedgerEntry,
    id: u32,
    from: &str,
    me: &str,
    community: Option<String>,
    rename: &dyn Fn(&MeetingId) -> Option<MeetingId>,
) -> LedgerEntry {
    let mut e = LedgerEntry {
        id,
        history: Vec::new(),
        ratings: Ratings::default(),
        applied: Vec::new(),
        community,
        origin: Some(incoming.origin.clone().unwrap_or(EntryOrigin {
            server: from.to_owned(),
            id: incoming.id,
        })),
        status: LedgerStatus::Pending,
        ..incoming.clone()
    };
    if e.origin.as_ref().is_some_and(|o| o.server == me) {
        e.origin = None;
    }
    rename_meetings(&mut e, rename);
    merge_lines(&mut e, incoming, from, me);
    e
}

/// Points the entry's source and lines at the local copies of the meetings
/// they name, where there are copies.
fn rename_meetings(e: &mut LedgerEntry, rename: &dyn Fn(&MeetingId) -> Option<MeetingId>) {
    use babahui_shared::ledger::LedgerSource;
    match &mut e.source {
        LedgerSource::Commitment { meeting, .. }
        | LedgerSource::Opinion { meeting, .. }
        | LedgerSource::Topic { meeting, .. } => {
            if let Some(local) = rename(meeting) {
                *meeting = local;
            }
        }
        LedgerSource::Collected { .. } | LedgerSource::Reported { .. } => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use babahui_shared::ledger::LedgerSource;

    fn line(at: u64, note: &str, status: Option<LedgerStatus>, ratings: Option<[u32; 3]>) -> LedgerUpdate {
        LedgerUpdate {
            at,
            status,
            note: note.into(),
            by: None,
            credential: None,
            meeting: None,
            origin: None,
            ratings,
            photos: Vec::new(),
        }
    }

    fn entry(id: u32, history: Vec<LedgerUpdate>) -> LedgerEntry {
        LedgerEntry {
            id,
            title: "东门路灯".into(),
            description: String::new(),
            category: "基础设施".into(),
            source: LedgerSource::Collected { by: None },
            responsible: "物业公司".into(),
            deadline: None,
            status: LedgerStatus::Pending,
            created_at: 1,
            history,
            ratings: Ratings::default(),
            applied: Vec::new(),
            community: None,
            origin: None,
            seconds: 0,
        }
    }

    #[test]
    fn a_review_synced_twice_is_counted_once_and_the_newest_line_sets_the_status() {
        let district = entry(7, vec![line(1, "登记", Some(LedgerStatus::Pending), None)]);
        // The laptop pulled it, then its meeting reviewed it and it was done.
        let mut laptop = copy(&district, 1, "district", "laptop", None, &|_| None);
        assert_eq!(
            laptop.origin,
            Some(EntryOrigin {
                server: "district".into(),
                id: 7
            })
        );
        laptop.history.push(line(5, "已修好", Some(LedgerStatus::Done), None));
        laptop.history.push(line(6, "回顾评议", None, Some([10, 2, 1])));
        laptop.ratings.add([10, 2, 1]);
        let mut on_district = district.clone();
        assert_eq!(
            counterpart(std::slice::from_ref(&on_district), &laptop, "laptop", "district"),
            Some(0)
        );
        assert!(merge_lines(&mut on_district, &laptop, "laptop", "district"));
        assert!(
            !merge_lines(&mut on_district, &laptop, "laptop", "district"),
            "twice changes nothing"
        );
        assert_eq!(on_district.ratings.satisfied, 10);
        assert_eq!(on_district.status, LedgerStatus::Done);
        assert_eq!(on_district.history.len(), 3);
        assert_eq!(
            on_district.history[0].origin, None,
            "the district's own line stays its own"
        );
        assert_eq!(on_district.history[2].origin.as_deref(), Some("laptop"));
        // Back on the laptop: the district's copy adds nothing new.
        assert!(!merge_lines(&mut laptop, &on_district, "district", "laptop"));
        assert_eq!(laptop.ratings.satisfied, 10);
    }

    #[test]
    fn a_laptops_own_entry_is_found_again_by_its_origin() {
        let laptop = entry(3, vec![line(1, "来自会议纪要", Some(LedgerStatus::Discussed), None)]);
        let on_district = copy(&laptop, 40, "laptop-a", "district", Some("c1".into()), &|_| None);
        let local = vec![on_district];
        assert_eq!(counterpart(&local, &laptop, "laptop-a", "district"), Some(0));
        assert_eq!(
            counterpart(&local, &laptop, "laptop-b", "district"),
            None,
            "another laptop's #3 is another matter"
        );
        // The district's copy pulled back to the laptop is the laptop's own entry.
        assert_eq!(
            counterpart(std::slice::from_ref(&laptop), &local[0], "district", "laptop-a"),
            Some(0)
        );
    }
}
