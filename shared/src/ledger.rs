//! The issue ledger (问题台账): one persistent record per matter, across
//! meetings, with its whole history (一事一档).

use crate::ids::MeetingId;
use serde::{Deserialize, Serialize};

/// 待议 → 已议 → 办理中 → 已办结 → 已反馈 → 已评议.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LedgerStatus {
    /// 待议 — collected, not yet deliberated.
    Pending,
    /// 已议 — deliberated at a meeting.
    Discussed,
    /// 办理中 — being handled.
    InProgress,
    /// 已办结 — done.
    Done,
    /// 已反馈 — reported back to residents.
    Reported,
    /// 已评议 — rated by residents.
    Rated,
}

impl LedgerStatus {
    /// All, in order.
    pub const ALL: [LedgerStatus; 6] = [
        LedgerStatus::Pending,
        LedgerStatus::Discussed,
        LedgerStatus::InProgress,
        LedgerStatus::Done,
        LedgerStatus::Reported,
        LedgerStatus::Rated,
    ];

    /// The Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            LedgerStatus::Pending => "待议",
            LedgerStatus::Discussed => "已议",
            LedgerStatus::InProgress => "办理中",
            LedgerStatus::Done => "已办结",
            LedgerStatus::Reported => "已反馈",
            LedgerStatus::Rated => "已评议",
        }
    }

    /// Parses the wire name (`in_progress`) or the Chinese label (办理中).
    pub fn parse(s: &str) -> Option<LedgerStatus> {
        Self::ALL.into_iter().find(|st| {
            st.zh() == s || serde_json::to_value(st).ok().and_then(|v| v.as_str().map(|x| x == s)) == Some(true)
        })
    }
}

/// Where an entry came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LedgerSource {
    /// Typed in by hand (收集问题), optionally saying who collected it.
    Collected {
        /// Who collected it (door-to-door, WeChat group…).
        #[serde(default)]
        by: Option<String>,
    },
    /// A commitment (承诺) in a meeting's published minutes.
    Commitment {
        /// The meeting.
        meeting: MeetingId,
        /// The meeting's title and date as a clerk reads them (《三月坝坝会》2026-03-05).
        #[serde(default, skip_serializing_if = "String::is_empty")]
        meeting_name: String,
        /// Commitment number.
        commitment: u32,
        /// Opinions it answers.
        #[serde(default)]
        opinions: Vec<u32>,
    },
    /// An opinion a recorder marked 列入台账.
    Opinion {
        /// The meeting.
        meeting: MeetingId,
        /// The meeting's title and date (《三月坝坝会》2026-03-05).
        #[serde(default, skip_serializing_if = "String::is_empty")]
        meeting_name: String,
        /// Opinion number.
        opinion: u32,
    },
    /// A topic the meeting did not settle (再次协商, 提交居民会议): the matter
    /// stays open in the ledger so that a later meeting takes it up again.
    Topic {
        /// The meeting.
        meeting: MeetingId,
        /// The meeting's title and date (《三月坝坝会》2026-03-05).
        #[serde(default, skip_serializing_if = "String::is_empty")]
        meeting_name: String,
        /// Topic number.
        topic: u32,
    },
    /// A matter a resident sent from the community's "反映问题" page (听群众说事).
    Reported {
        /// The matter's number.
        matter: u32,
    },
}

impl LedgerSource {
    /// The meeting it came from, if any.
    pub fn meeting(&self) -> Option<&MeetingId> {
        match self {
            LedgerSource::Commitment { meeting, .. }
            | LedgerSource::Opinion { meeting, .. }
            | LedgerSource::Topic { meeting, .. } => Some(meeting),
            LedgerSource::Collected { .. } | LedgerSource::Reported { .. } => None,
        }
    }
}

/// What a change to the ledger was allowed by: shown beside who wrote it, so
/// the history says not only a name (which anyone can type) but which key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Credential {
    /// The organiser key.
    Organiser,
    /// The moderator link of this meeting.
    Moderator {
        /// The meeting.
        meeting: MeetingId,
        /// Its title and date (《三月坝坝会》2026-03-05).
        #[serde(default, skip_serializing_if = "String::is_empty")]
        meeting_name: String,
    },
    /// No credential: the server runs with `--open`.
    Open,
    /// A named account, logged in.
    Account {
        /// Its id.
        id: String,
        /// Its name.
        name: String,
    },
    /// The server's command line, on its own machine.
    CommandLine,
}

impl Credential {
    /// How the history shows it.
    pub fn zh(&self) -> String {
        match self {
            Credential::Organiser => "组织者".into(),
            Credential::Moderator { meeting, meeting_name } if meeting_name.is_empty() => {
                format!("会议{meeting}主持人")
            }
            Credential::Moderator { meeting_name, .. } => format!("{meeting_name}主持人"),
            Credential::Open => "开放模式".into(),
            Credential::Account { name, .. } => name.clone(),
            Credential::CommandLine => "命令行".into(),
        }
    }
}

/// One dated step in an entry's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerUpdate {
    /// Server time, ms.
    pub at: u64,
    /// New status, if it changed.
    #[serde(default)]
    pub status: Option<LedgerStatus>,
    /// What happened (progress, feedback…).
    pub note: String,
    /// Who wrote it (the name typed on that device).
    #[serde(default)]
    pub by: Option<String>,
    /// The key it was written with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<Credential>,
    /// The meeting it came from, if any (its minutes are the record).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meeting: Option<MeetingId>,
    /// The server it was written on, if another (a courtyard laptop's, a
    /// district's: see `babahui sync`); none: this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// A review's counts (满意, 基本满意, 不满意) that this line added to the
    /// entry's ratings: a line is merged once, so they are counted once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ratings: Option<[u32; 3]>,
    /// Photos of this step (before / after), ids of `/photos/{id}.jpg`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<String>,
}

/// The entry on another server this one stands for: a laptop's copy of a
/// district's entry, or a district's of a laptop's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryOrigin {
    /// That server's origin id (`laptop-…`, `district-…`).
    pub server: String,
    /// The entry's number there.
    pub id: u32,
}

/// Residents' ratings (满意 / 基本满意 / 不满意).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ratings {
    /// 满意
    pub satisfied: u32,
    /// 基本满意
    pub fair: u32,
    /// 不满意
    pub unsatisfied: u32,
}

/// A matter in the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    /// Number, from 1.
    pub id: u32,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Category (基础设施, …).
    pub category: String,
    /// Where it came from.
    pub source: LedgerSource,
    /// Responsible person or department (责任人).
    pub responsible: String,
    /// Deadline (时限), `YYYY-MM-DD`, if any.
    pub deadline: Option<String>,
    /// Where it stands.
    pub status: LedgerStatus,
    /// Server time created, ms.
    pub created_at: u64,
    /// Every step, oldest first (一事一档).
    pub history: Vec<LedgerUpdate>,
    /// Residents' ratings.
    pub ratings: Ratings,
    /// What from meetings has already been written here (`{meeting}/review/2`,
    /// `{meeting}/topic/3`…), so applying a meeting again changes nothing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub applied: Vec<String>,
    /// The community it belongs to; none on a server without communities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub community: Option<String>,
    /// The entry on another server it stands for, if it came from one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<EntryOrigin>,
    /// Residents who seconded it (附议) from its public page, one per phone.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub seconds: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl Ratings {
    /// Adds counts in [`crate::model::Rating::ALL`] order.
    pub fn add(&mut self, [satisfied, fair, unsatisfied]: [u32; 3]) {
        self.satisfied += satisfied;
        self.fair += fair;
        self.unsatisfied += unsatisfied;
    }
}

impl LedgerEntry {
    /// The entry as a meeting reviews it (回顾).
    pub fn review_subject(&self) -> crate::model::ReviewSubject {
        crate::model::ReviewSubject {
            entry: self.id,
            title: self.title.clone(),
            responsible: self.responsible.clone(),
            deadline: self.deadline.clone(),
            status: self.status.zh().to_owned(),
            progress: self.history.last().map(|u| u.note.clone()).unwrap_or_default(),
        }
    }

    /// Whether the deadline has passed on `today` (`YYYY-MM-DD`) and the matter is not done.
    pub fn overdue(&self, today: &str) -> bool {
        let open = matches!(
            self.status,
            LedgerStatus::Pending | LedgerStatus::Discussed | LedgerStatus::InProgress
        );
        open && self.deadline.as_deref().is_some_and(|d| d < today)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_parse_from_wire_names_and_chinese() {
        assert_eq!(LedgerStatus::parse("in_progress"), Some(LedgerStatus::InProgress));
        assert_eq!(LedgerStatus::parse("已办结"), Some(LedgerStatus::Done));
        assert_eq!(LedgerStatus::parse("nope"), None);
    }

    #[test]
    fn overdue_only_while_open() {
        let mut e = LedgerEntry {
            id: 1,
            title: "t".into(),
            description: String::new(),
            category: String::new(),
            source: LedgerSource::Collected { by: None },
            responsible: String::new(),
            deadline: Some("2026-01-31".into()),
            status: LedgerStatus::InProgress,
            created_at: 0,
            history: Vec::new(),
            ratings: Ratings::default(),
            applied: Vec::new(),
            community: None,
            origin: None,
            seconds: 0,
        };
        assert!(e.overdue("2026-02-01"));
        assert!(!e.overdue("2026-01-31"));
        e.status = LedgerStatus::Done;
        assert!(!e.overdue("2026-02-01"));
    }
}
