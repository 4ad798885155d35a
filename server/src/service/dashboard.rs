//! The street office's view across communities (街道看板): meetings held,
//! who came and who spoke, what was said, what was promised and whether it
//! was kept, how residents rated it, and the matters open longest.
//!
//! [`summarise`] is a pure function of the meetings and the ledger, so its
//! arithmetic is tested without a server; [`gather`] reads what it needs.

use super::directory::{Directory, Principal};
use super::error::ServiceError;
use super::ledger::{date_of, Ledger};
use crate::hub::Hub;
use babahui_shared::directory::Community;
use babahui_shared::ledger::{LedgerEntry, LedgerSource, LedgerStatus};
use babahui_shared::views;
use babahui_shared::{MeetingState, Stance};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Labelled numbers: one chart, one table.
pub type Series = Vec<(String, u64)>;

/// What the dashboard asks for: a date range (inclusive, `YYYY-MM-DD`) and
/// optionally one community.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// First day.
    pub from: String,
    /// Last day.
    pub to: String,
    /// One community's id, or every one the viewer acts for.
    pub community: Option<String>,
}

/// A community's line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommunityRow {
    /// 玉林东路社区
    pub name: String,
    /// 玉林街道
    pub street: String,
    /// Meetings held in the range.
    pub meetings: u64,
    /// Ledger entries in all.
    pub entries: u64,
    /// Of those, still open (待议, 已议, 办理中).
    pub open: u64,
    /// Of the open, past their deadline.
    pub overdue: u64,
}

/// A responsible unit's line (责任单位).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitRow {
    /// The unit or person, as the ledger names it.
    pub unit: String,
    /// Matters it holds that are open.
    pub open: u64,
    /// Of those, overdue.
    pub overdue: u64,
    /// Matters it has done.
    pub done: u64,
}

/// A matter still open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenMatter {
    /// Its community's name.
    pub community: String,
    /// Ledger number.
    pub id: u32,
    /// Title.
    pub title: String,
    /// Who holds it.
    pub responsible: String,
    /// Days since it was registered.
    pub days: u64,
    /// 待议 / 已议 / 办理中.
    pub status: &'static str,
    /// Past its deadline.
    pub overdue: bool,
}

/// Everything the dashboard shows.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// The range and community asked for.
    pub query: Query,
    /// Meetings held per month (a trend).
    pub meetings_by_month: Series,
    /// Meetings held per community.
    pub meetings_by_community: Series,
    /// People at the meetings, by category (居民, 党员, 物业…).
    pub attendance: Series,
    /// Minutes of speaking (rounded), by the speaker's category.
    pub speaking: Series,
    /// Opinions by category.
    pub opinions_by_category: Series,
    /// Opinions by stance.
    pub opinions_by_stance: Series,
    /// Commitments of these meetings: 按时办结, 逾期办结, 按期推进中, 已逾期.
    pub commitments: Series,
    /// Residents' ratings of the matters: 满意, 基本满意, 不满意.
    pub satisfaction: Series,
    /// Per community.
    pub communities: Vec<CommunityRow>,
    /// Per responsible unit, most open first.
    pub units: Vec<UnitRow>,
    /// The ten matters open longest.
    pub open_longest: Vec<OpenMatter>,
}

/// The day a meeting was held: the organiser's date (`starts_at` beginning
/// with one), else the day it was created.
pub fn meeting_day(state: &MeetingState) -> String {
    state
        .starts_at
        .as_deref()
        .and_then(|s| s.get(..10))
        .filter(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok())
        .map(str::to_owned)
        .unwrap_or_else(|| date_of(state.created_at))
}

fn add(map: &mut BTreeMap<String, u64>, key: &str, n: u64) {
    *map.entry(key.to_owned()).or_default() += n;
}

/// Largest first, then by name.
fn ranked(map: BTreeMap<String, u64>) -> Series {
    let mut out: Series = map.into_iter().filter(|(_, n)| *n > 0).collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

fn stance_zh(s: Option<Stance>) -> &'static str {
    match s {
        Some(Stance::Support) => "支持",
        Some(Stance::Oppose) => "反对",
        Some(Stance::Suggest) => "建议",
        Some(Stance::Question) => "疑问",
        None => "未表态",
    }
}

fn is_open(e: &LedgerEntry) -> bool {
    matches!(
        e.status,
        LedgerStatus::Pending | LedgerStatus::Discussed | LedgerStatus::InProgress
    )
}

/// The day a matter was marked done (its first history line at 已办结 or later).
fn done_day(e: &LedgerEntry) -> Option<String> {
    e.history
        .iter()
        .find(|u| u.status.is_some_and(|s| s >= LedgerStatus::Done))
        .map(|u| date_of(u.at))
}

/// A commitment's bucket on `today`.
fn commitment_bucket(e: &LedgerEntry, today: &str) -> &'static str {
    let deadline = e.deadline.as_deref();
    if is_open(e) {
        return if e.overdue(today) {
            "已逾期"
        } else {
            "按期推进中"
        };
    }
    match (done_day(e), deadline) {
        (Some(done), Some(d)) if done.as_str() > d => "逾期办结",
        _ => "按时办结",
    }
}

/// The numbers of `meetings` (each with its community's id) held in the
/// query's range, and of the `ledger` entries in `communities`, on `today`.
pub fn summarise(
    query: Query,
    meetings: &[(Option<String>, Arc<MeetingState>)],
    ledger: &[LedgerEntry],
    communities: &[Community],
    today: &str,
) -> Summary {
    let name_of = |id: &Option<String>| {
        id.as_ref()
            .and_then(|id| communities.iter().find(|c| &c.id == id))
            .map_or_else(|| "（未分社区）".to_owned(), |c| c.name.clone())
    };
    let held: Vec<&(Option<String>, Arc<MeetingState>)> = meetings
        .iter()
        // Held: started (a meeting set up and never run is not counted).
        .filter(|(_, s)| s.phase != babahui_shared::Phase::NotStarted)
        .filter(|(_, s)| {
            let day = meeting_day(s);
            day.as_str() >= query.from.as_str() && day.as_str() <= query.to.as_str()
        })
        .collect();
    let (mut months, mut per_community, mut attendance, mut speaking) = Default::default();
    let (mut categories, mut stances) = (BTreeMap::new(), BTreeMap::new());
    for (community, s) in &held {
        add(&mut months, &meeting_day(s)[..7], 1);
        add(&mut per_community, &name_of(community), 1);
        for (c, n) in views::attendance_by_category(s) {
            add(&mut attendance, &c, n as u64);
        }
        // People counted in the courtyard without a phone.
        add(&mut attendance, "现场未扫码", u64::from(s.without_phone));
        for (c, ms) in views::speaking_time_by_category(s, s.last_at) {
            add(&mut speaking, &c, ms / 1000);
        }
        for (c, n) in views::opinions_by_category(s) {
            add(&mut categories, if c.is_empty() { "未分类" } else { &c }, n as u64);
        }
        for o in s
            .opinions
            .iter()
            .filter(|o| o.hidden.is_none() && o.merged_into.is_none() && !o.held)
        {
            add(&mut stances, stance_zh(o.stance), 1);
        }
    }
    let held_ids: Vec<&babahui_shared::MeetingId> = held.iter().map(|(_, s)| &s.id).collect();
    let mut commitments = BTreeMap::new();
    let mut satisfaction = [0u64; 3];
    for e in ledger {
        if let LedgerSource::Commitment { meeting, .. } = &e.source {
            if held_ids.contains(&meeting) {
                add(&mut commitments, commitment_bucket(e, today), 1);
            }
        }
        satisfaction[0] += u64::from(e.ratings.satisfied);
        satisfaction[1] += u64::from(e.ratings.fair);
        satisfaction[2] += u64::from(e.ratings.unsatisfied);
    }
    let speaking = speaking
        .into_iter()
        .map(|(c, secs): (String, u64)| (c, (secs + 30) / 60))
        .collect();
    let order = |map: BTreeMap<String, u64>, names: &[&str]| -> Series {
        names
            .iter()
            .map(|n| (n.to_string(), map.get(*n).copied().unwrap_or(0)))
            .collect()
    };
    Summary {
        meetings_by_month: every_month(&query, months),
        meetings_by_community: ranked(per_community),
        attendance: ranked(attendance),
        speaking: ranked(speaking),
        opinions_by_category: ranked(categories),
        opinions_by_stance: order(stances, &["支持", "反对", "建议", "疑问", "未表态"]),
        commitments: order(commitments, &["按时办结", "逾期办结", "按期推进中", "已逾期"]),
        satisfaction: vec![
            ("满意".into(), satisfaction[0]),
            ("基本满意".into(), satisfaction[1]),
            ("不满意".into(), satisfaction[2]),
        ],
        communities: community_rows(&held, ledger, communities, today),
        units: unit_rows(ledger, today),
        open_longest: open_longest(ledger, &name_of, today),
        query,
    }
}

/// Each month of the query's range (at most its last 36), with the
/// meetings held in it: a trend shows the months with none too.
fn every_month(query: &Query, held: BTreeMap<String, u64>) -> Series {
    let month =
        |d: &str| chrono::NaiveDate::parse_from_str(&format!("{}-01", d.get(..7).unwrap_or("")), "%Y-%m-%d").ok();
    let (Some(mut m), Some(last)) = (month(&query.from), month(&query.to)) else {
        return held.into_iter().collect();
    };
    let mut out = Vec::new();
    while m <= last {
        let key = m.format("%Y-%m").to_string();
        out.push((key.clone(), held.get(&key).copied().unwrap_or(0)));
        m = m + chrono::Months::new(1);
    }
    let skip = out.len().saturating_sub(36);
    out.split_off(skip)
}

fn community_rows(
    held: &[&(Option<String>, Arc<MeetingState>)],
    ledger: &[LedgerEntry],
    communities: &[Community],
    today: &str,
) -> Vec<CommunityRow> {
    communities
        .iter()
        .map(|c| {
            let mine: Vec<&LedgerEntry> = ledger
                .iter()
                .filter(|e| e.community.as_deref() == Some(&c.id))
                .collect();
            CommunityRow {
                name: c.name.clone(),
                street: c.street.clone(),
                meetings: held.iter().filter(|(m, _)| m.as_deref() == Some(&c.id)).count() as u64,
                entries: mine.len() as u64,
                open: mine.iter().filter(|e| is_open(e)).count() as u64,
                overdue: mine.iter().filter(|e| e.overdue(today)).count() as u64,
            }
        })
        .collect()
}

fn unit_rows(ledger: &[LedgerEntry], today: &str) -> Vec<UnitRow> {
    let mut units: BTreeMap<String, UnitRow> = BTreeMap::new();
    for e in ledger {
        let unit = if e.responsible.trim().is_empty() {
            "（未指定）"
        } else {
            e.responsible.trim()
        };
        let row = units.entry(unit.to_owned()).or_insert_with(|| UnitRow {
            unit: unit.to_owned(),
            ..UnitRow::default()
        });
        if is_open(e) {
            row.open += 1;
            row.overdue += u64::from(e.overdue(today));
        } else {
            row.done += 1;
        }
    }
    let mut out: Vec<UnitRow> = units.into_values().collect();
    out.sort_by(|a, b| (b.overdue, b.open).cmp(&(a.overdue, a.open)).then(a.unit.cmp(&b.unit)));
    out
}

fn open_longest(ledger: &[LedgerEntry], name_of: &dyn Fn(&Option<String>) -> String, today: &str) -> Vec<OpenMatter> {
    let today_ms = chrono::NaiveDate::parse_from_str(today, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map_or(0, |t| t.and_utc().timestamp_millis() as u64);
    let mut open: Vec<&LedgerEntry> = ledger.iter().filter(|e| is_open(e)).collect();
    open.sort_by_key(|e| (e.created_at, e.id));
    open.into_iter()
        .take(10)
        .map(|e| OpenMatter {
            community: name_of(&e.community),
            id: e.id,
            title: e.title.clone(),
            responsible: e.responsible.clone(),
            days: today_ms.saturating_sub(e.created_at) / 86_400_000,
            status: e.status.zh(),
            overdue: e.overdue(today),
        })
        .collect()
}

/// Reads what the dashboard needs, as `p` may see it: the meetings and
/// ledger entries of the communities it acts for (one, if the query names
/// it), then [`summarise`]s them.
pub async fn gather(
    hub: &Hub,
    ledger: &Ledger,
    directory: &Directory,
    p: &Principal,
    query: Query,
) -> Result<Summary, ServiceError> {
    let wanted = |c: Option<&str>| p.may_act_for(c) && query.community.as_deref().is_none_or(|q| c == Some(q));
    let communities: Vec<Community> = directory
        .communities()
        .await?
        .into_iter()
        .filter(|c| wanted(Some(&c.id)))
        .collect();
    let mut meetings = Vec::new();
    for m in hub.list().await? {
        if !wanted(m.community.as_deref()) {
            continue;
        }
        let state = hub.read_state(&m.id).await?;
        meetings.push((m.community, state));
    }
    let entries: Vec<LedgerEntry> = ledger
        .all()
        .await?
        .into_iter()
        .filter(|e| wanted(e.community.as_deref()))
        .collect();
    Ok(summarise(
        query,
        &meetings,
        &entries,
        &communities,
        &super::ledger::today(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use babahui_shared::ledger::{LedgerUpdate, Ratings};

    fn entry(id: u32, status: LedgerStatus, deadline: &str, done_on: Option<u64>) -> LedgerEntry {
        let mut history = vec![LedgerUpdate {
            at: 0,
            status: Some(LedgerStatus::Discussed),
            note: String::new(),
            by: None,
            credential: None,
            meeting: None,
            origin: None,
            ratings: None,
            photos: Vec::new(),
        }];
        if let Some(at) = done_on {
            history.push(LedgerUpdate {
                at,
                status: Some(LedgerStatus::Done),
                ..history[0].clone()
            });
        }
        LedgerEntry {
            id,
            title: format!("事项{id}"),
            description: String::new(),
            category: String::new(),
            source: LedgerSource::Collected { by: None },
            responsible: "物业公司".into(),
            deadline: Some(deadline.into()),
            status,
            created_at: 0,
            history,
            ratings: Ratings {
                satisfied: 3,
                fair: 1,
                unsatisfied: 0,
            },
            applied: Vec::new(),
            community: Some("c1".into()),
            origin: None,
            seconds: 0,
        }
    }

    #[test]
    fn a_commitment_is_kept_late_on_time_or_overdue() {
        let day = |d: &str| {
            chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .unwrap()
                .and_hms_opt(12, 0, 0)
                .unwrap()
                .and_utc()
                .timestamp_millis() as u64
        };
        let today = "2026-06-01";
        assert_eq!(
            commitment_bucket(
                &entry(1, LedgerStatus::Done, "2026-05-01", Some(day("2026-04-30"))),
                today
            ),
            "按时办结"
        );
        assert_eq!(
            commitment_bucket(
                &entry(2, LedgerStatus::Done, "2026-05-01", Some(day("2026-05-20"))),
                today
            ),
            "逾期办结"
        );
        assert_eq!(
            commitment_bucket(&entry(3, LedgerStatus::InProgress, "2026-05-01", None), today),
            "已逾期"
        );
        assert_eq!(
            commitment_bucket(&entry(4, LedgerStatus::InProgress, "2026-07-01", None), today),
            "按期推进中"
        );
    }

    #[test]
    fn the_trend_names_every_month_and_units_rank_by_what_is_overdue() {
        let q = Query {
            from: "2026-01-15".into(),
            to: "2026-04-02".into(),
            community: None,
        };
        let months = every_month(&q, BTreeMap::from([("2026-03".to_owned(), 2)]));
        assert_eq!(
            months,
            vec![
                ("2026-01".to_owned(), 0),
                ("2026-02".to_owned(), 0),
                ("2026-03".to_owned(), 2),
                ("2026-04".to_owned(), 0)
            ]
        );
        let ledger = [
            entry(1, LedgerStatus::InProgress, "2020-01-01", None),
            entry(2, LedgerStatus::Done, "2020-01-01", Some(1)),
        ];
        let community = Community {
            id: "c1".into(),
            name: "玉林东路社区".into(),
            street: "玉林街道".into(),
            district: String::new(),
            created_at: 0,
        };
        let s = summarise(q, &[], &ledger, &[community], "2026-06-01");
        assert_eq!(
            s.units,
            vec![UnitRow {
                unit: "物业公司".into(),
                open: 1,
                overdue: 1,
                done: 1
            }]
        );
        assert_eq!(s.satisfaction[0], ("满意".to_owned(), 6));
        assert_eq!(s.communities[0].overdue, 1);
        assert_eq!(s.open_longest.len(), 1);
    }
}
