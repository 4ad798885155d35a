//! The minutes (会议纪要), generated from the meeting's record: a structure
//! (served as JSON), and its Markdown and printable HTML renderings.
//!
//! Privacy: the public version names only the people who agreed to be named
//! when they joined; everyone else appears as their category and a number
//! (居民3), numbered in joining order within the category.

use crate::ids::{MeetingId, ParticipantId};
use crate::model::*;
use crate::state::MeetingState;
use crate::views::{attendance_by_category, backing_groups};
use crate::votes::tally;
use serde::{Deserialize, Serialize};
use std::fmt::Write;

/// The minutes of one meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Minutes {
    /// Meeting id.
    pub meeting: MeetingId,
    /// Title.
    pub title: String,
    /// Place.
    pub place: String,
    /// Start time as written by the organiser.
    pub starts_at: Option<String>,
    /// Who moderated (主持人), as the organiser or moderator gave it.
    #[serde(default)]
    pub moderator: Option<String>,
    /// Recorders (记录员), by public name.
    pub recorders: Vec<String>,
    /// Responding officials (回应人), by public name.
    pub officials: Vec<String>,
    /// Attendance per category, and in all.
    pub attendance: Vec<(String, usize)>,
    /// Everyone present.
    pub attendance_total: usize,
    /// The moderator's summary.
    pub summary: String,
    /// Opinions given before any topic was opened (会前意见): none is lost.
    #[serde(default)]
    pub before_topics: OpinionSection,
    /// One section per topic that was opened.
    pub topics: Vec<TopicRecord>,
    /// Agenda topics never opened (未讨论): the record says so rather than
    /// leaving them out.
    #[serde(default)]
    pub not_discussed: Vec<String>,
    /// Commitments not tied to a topic.
    pub other_commitments: Vec<CommitmentLine>,
    /// Earlier commitments reviewed at this meeting (回顾), with residents' ratings.
    #[serde(default)]
    pub reviews: Vec<ReviewLine>,
}

/// One earlier commitment reviewed, with how attendees rated it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewLine {
    /// Ledger entry number.
    pub entry: u32,
    /// What was promised or asked.
    pub title: String,
    /// Responsible person or department.
    pub responsible: String,
    /// Status when reviewed.
    pub status: String,
    /// 满意, 基本满意, 不满意.
    pub counts: [u32; 3],
    /// Still open when the minutes were made.
    pub open: bool,
}

/// Opinions shown in the minutes, and how many were hidden and why (never
/// their text: the minutes are public, and a hidden opinion was hidden for a reason).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpinionSection {
    /// Opinions, grouped by category.
    pub groups: Vec<OpinionGroup>,
    /// Hidden opinions: (reason, how many).
    #[serde(default)]
    pub hidden: Vec<(String, usize)>,
}

impl OpinionSection {
    /// No opinion, shown or hidden.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty() && self.hidden.is_empty()
    }
}

/// What happened on one topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicRecord {
    /// Topic number in the meeting.
    #[serde(default)]
    pub id: u32,
    /// Title.
    pub title: String,
    /// Who spoke, in order.
    pub speakers: Vec<SpeakerLine>,
    /// Opinions, grouped by category.
    pub opinions: Vec<OpinionGroup>,
    /// Hidden opinions on this topic: (reason, how many).
    #[serde(default)]
    pub hidden: Vec<(String, usize)>,
    /// Votes with their counts.
    pub votes: Vec<VoteLine>,
    /// The outcome.
    pub outcome: Option<Outcome>,
    /// Commitments.
    pub commitments: Vec<CommitmentLine>,
    /// The issue-ledger entry this topic took up again, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ledger: Option<u32>,
}

/// One turn at the floor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpeakerLine {
    /// Public name.
    pub name: String,
    /// Speech, response or follow-up.
    pub kind: FloorKind,
    /// Seconds spoken.
    pub seconds: u64,
}

/// Opinions of one category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpinionGroup {
    /// Category ("" for untagged).
    pub category: String,
    /// The opinions.
    pub items: Vec<OpinionLine>,
}

/// One opinion in the minutes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpinionLine {
    /// Opinion number.
    pub id: u32,
    /// Text.
    pub text: String,
    /// Public name of the author, or 匿名.
    pub by: String,
    /// Stance.
    pub stance: Option<Stance>,
    /// Seconds (附议).
    pub seconds: usize,
    /// Different groups among the seconders (the consensus signal).
    pub backing_groups: usize,
    /// Marked for the issue ledger.
    pub to_ledger: bool,
    /// Written while the topic was open but arrived after it closed (a phone
    /// that was offline): kept under its topic, marked as arriving late.
    #[serde(default)]
    pub late: bool,
}

/// A vote in the minutes. Secret votes have counts only, by construction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoteLine {
    /// Question.
    pub question: String,
    /// Secret ballot.
    pub secret: bool,
    /// Pass rule.
    pub rule: PassRule,
    /// Quorum.
    pub quorum: Option<u32>,
    /// Per choice: label, phones, hands, total.
    pub choices: Vec<(String, u32, u32, u32)>,
    /// Votes cast.
    pub cast: u32,
    /// Quorum met.
    pub quorum_met: bool,
    /// Passed.
    pub passed: bool,
    /// Still open when the minutes were made.
    pub open: bool,
}

/// A commitment in the minutes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitmentLine {
    /// Number.
    pub id: u32,
    /// What will be done.
    pub what: String,
    /// Responsible person or department.
    pub responsible: String,
    /// Deadline.
    pub deadline: String,
    /// The official who took it.
    pub official: Option<String>,
    /// Opinions it answers.
    pub opinions: Vec<u32>,
}

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

/// "另有3条意见被隐藏（辱骂2条，重复1条）", or nothing.
pub fn hidden_zh(hidden: &[(String, usize)]) -> Option<String> {
    let total: usize = hidden.iter().map(|(_, n)| n).sum();
    (total > 0).then(|| {
        let why: Vec<String> = hidden.iter().map(|(r, n)| format!("{r}{n}条")).collect();
        format!("另有{total}条意见被隐藏（{}），原文保留在会议记录中", why.join("，"))
    })
}

fn vote_line(v: &Vote) -> VoteLine {
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
    }
}

/// 表决未结束 / 未达法定人数 / 通过 / 未通过.
pub fn vote_result_zh(v: &VoteLine) -> &'static str {
    if v.open {
        "表决未结束"
    } else if !v.quorum_met {
        "未达法定人数"
    } else if v.passed {
        "通过"
    } else {
        "未通过"
    }
}

/// 支持 / 反对 / 建议 / 疑问
pub fn stance_zh(s: Stance) -> &'static str {
    match s {
        Stance::Support => "支持",
        Stance::Oppose => "反对",
        Stance::Suggest => "建议",
        Stance::Question => "疑问",
    }
}

/// 形成共识 / 表决通过 / …
pub fn outcome_zh(k: OutcomeKind) -> &'static str {
    match k {
        OutcomeKind::Consensus => "形成共识",
        OutcomeKind::Passed => "表决通过",
        OutcomeKind::Failed => "表决未通过",
        OutcomeKind::Dissent => "保留分歧",
        OutcomeKind::AnotherRound => "再次协商",
        OutcomeKind::ToAssembly => "提交居民会议",
    }
}

fn floor_zh(k: FloorKind) -> &'static str {
    match k {
        FloorKind::Speak => "发言",
        FloorKind::Response => "回应",
        FloorKind::FollowUp => "追问",
    }
}

fn rule_zh(r: PassRule) -> String {
    match r {
        PassRule::Majority => "过半数".into(),
        PassRule::TwoThirds => "三分之二".into(),
        PassRule::Share(p) => format!("{p}%"),
    }
}

/// Escapes text for Markdown: a line break becomes `<br>` (so a value never
/// starts a line of its own), `<`, `>` and `&` become entities (no HTML),
/// emphasis, code, link and table characters are backslashed, and so is a
/// leading `#`, `+`, `-` or `1.` (a value placed at the start of a line cannot
/// become a heading or a list). An opinion, a name or a title can then neither
/// forge a heading or a table row nor carry a link or HTML, while dates and
/// sentences stay readable in the raw file. Every value goes through it.
pub fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let digits = s.chars().take_while(char::is_ascii_digit).count();
    for (i, c) in s.chars().enumerate() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '#' | '+' | '-' if i == 0 => {
                out.push('\\');
                out.push(c);
            }
            '.' | ')' if i == digits && digits > 0 => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\r' => {}
            '\n' => out.push_str("<br>"),
            c => out.push(c),
        }
    }
    out
}

/// The minutes with every piece of user text escaped for Markdown.
fn escaped_for_markdown(m: &Minutes) -> Minutes {
    let e = |s: &String| md_escape(s);
    let groups = |gs: &[OpinionGroup]| -> Vec<OpinionGroup> {
        gs.iter()
            .map(|g| OpinionGroup {
                category: e(&g.category),
                items: g
                    .items
                    .iter()
                    .map(|o| OpinionLine {
                        text: e(&o.text),
                        by: e(&o.by),
                        ..o.clone()
                    })
                    .collect(),
            })
            .collect()
    };
    let hidden = |h: &[(String, usize)]| -> Vec<(String, usize)> { h.iter().map(|(r, n)| (e(r), *n)).collect() };
    let commitments = |cs: &[CommitmentLine]| -> Vec<CommitmentLine> {
        cs.iter()
            .map(|c| CommitmentLine {
                what: e(&c.what),
                responsible: e(&c.responsible),
                deadline: e(&c.deadline),
                official: c.official.as_ref().map(e),
                ..c.clone()
            })
            .collect()
    };
    Minutes {
        meeting: m.meeting.clone(),
        title: e(&m.title),
        place: e(&m.place),
        starts_at: m.starts_at.as_ref().map(e),
        moderator: m.moderator.as_ref().map(e),
        recorders: m.recorders.iter().map(e).collect(),
        officials: m.officials.iter().map(e).collect(),
        attendance: m.attendance.iter().map(|(c, n)| (e(c), *n)).collect(),
        attendance_total: m.attendance_total,
        summary: e(&m.summary),
        before_topics: OpinionSection {
            groups: groups(&m.before_topics.groups),
            hidden: hidden(&m.before_topics.hidden),
        },
        topics: m
            .topics
            .iter()
            .map(|t| TopicRecord {
                title: e(&t.title),
                speakers: t
                    .speakers
                    .iter()
                    .map(|s| SpeakerLine {
                        name: e(&s.name),
                        ..s.clone()
                    })
                    .collect(),
                opinions: groups(&t.opinions),
                hidden: hidden(&t.hidden),
                votes: t
                    .votes
                    .iter()
                    .map(|v| VoteLine {
                        question: e(&v.question),
                        choices: v.choices.iter().map(|(l, a, b, c)| (e(l), *a, *b, *c)).collect(),
                        ..v.clone()
                    })
                    .collect(),
                outcome: t.outcome.as_ref().map(|o| Outcome {
                    text: e(&o.text),
                    dissent: o.dissent.as_ref().map(e),
                    ..o.clone()
                }),
                commitments: commitments(&t.commitments),
                ..t.clone()
            })
            .collect(),
        not_discussed: m.not_discussed.iter().map(e).collect(),
        other_commitments: commitments(&m.other_commitments),
        reviews: m
            .reviews
            .iter()
            .map(|r| ReviewLine {
                title: e(&r.title),
                responsible: e(&r.responsible),
                status: e(&r.status),
                ..r.clone()
            })
            .collect(),
    }
}

/// Why an opinion held for approval and never approved is not published.
pub const NOT_APPROVED: &str = "未经审核";

/// The attendance line for people counted present without a phone.
pub const WITHOUT_PHONE: &str = "现场点数（未用手机）";

/// What the minutes print for a name nobody gave.
const NOT_GIVEN: &str = "（未填写）";

/// Markdown rendering; every value is escaped ([`md_escape`]).
pub fn to_markdown(m: &Minutes) -> String {
    let m = &escaped_for_markdown(m);
    let mut out = String::new();
    let _ = writeln!(out, "# {} 会议纪要\n", m.title);
    let _ = writeln!(out, "- 时间：{}", m.starts_at.clone().unwrap_or_default());
    let _ = writeln!(out, "- 地点：{}", m.place);
    let _ = writeln!(out, "- 主持人：{}", m.moderator.as_deref().unwrap_or(NOT_GIVEN));
    let _ = writeln!(out, "- 记录员：{}", m.recorders.join("、"));
    let _ = writeln!(out, "- 回应人：{}", m.officials.join("、"));
    let att: Vec<String> = m.attendance.iter().map(|(c, n)| format!("{c}{n}人")).collect();
    let _ = writeln!(out, "- 到会：共{}人（{}）\n", m.attendance_total, att.join("，"));
    if !m.summary.is_empty() {
        let _ = writeln!(out, "## 摘要\n\n{}\n", m.summary);
    }
    if !m.reviews.is_empty() {
        let _ = writeln!(
            out,
            "## 回顾：往期承诺评议\n\n| 台账编号 | 事项 | 责任人 | 状态 | 满意 | 基本满意 | 不满意 |\n|---|---|---|---|---|---|---|"
        );
        for r in &m.reviews {
            let [s, f, u] = r.counts;
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {s} | {f} | {u} |",
                r.entry,
                r.title.replace('|', "／"),
                r.responsible.replace('|', "／"),
                r.status
            );
        }
        out.push('\n');
    }
    write_opinions_md(
        &mut out,
        "## 会前及议题之间的意见",
        &m.before_topics.groups,
        &m.before_topics.hidden,
    );
    for (i, t) in m.topics.iter().enumerate() {
        let _ = writeln!(out, "## 议题{}：{}\n", i + 1, t.title);
        if !t.speakers.is_empty() {
            let _ = writeln!(out, "### 发言\n");
            for s in &t.speakers {
                let _ = writeln!(out, "- {}（{}，{}秒）", s.name, floor_zh(s.kind), s.seconds);
            }
            out.push('\n');
        }
        write_opinions_md(&mut out, "### 意见建议", &t.opinions, &t.hidden);
        for v in &t.votes {
            let kind = if v.secret { "无记名" } else { "记名" };
            let _ = writeln!(out, "### 表决（{kind}，{}）：{}\n", rule_zh(v.rule), v.question);
            for (label, phones, hands, total) in &v.choices {
                let _ = writeln!(out, "- {label}：{total}（手机{phones}，举手{hands}）");
            }
            let result = vote_result_zh(v);
            let _ = writeln!(out, "- 共{}票，结果：{result}\n", v.cast);
        }
        if let Some(o) = &t.outcome {
            let _ = writeln!(out, "### 协商结果：{}\n\n{}\n", outcome_zh(o.kind), o.text);
            if let Some(d) = &o.dissent {
                let _ = writeln!(out, "保留的不同意见：{d}\n");
            }
        }
        write_commitments_md(&mut out, &t.commitments);
    }
    write_commitments_md(&mut out, &m.other_commitments);
    if !m.not_discussed.is_empty() {
        let _ = writeln!(out, "## 未讨论的议题\n");
        for t in &m.not_discussed {
            let _ = writeln!(out, "- {t}（未讨论）");
        }
        out.push('\n');
    }
    out
}

fn write_opinions_md(out: &mut String, heading: &str, groups: &[OpinionGroup], hidden: &[(String, usize)]) {
    if groups.is_empty() && hidden.is_empty() {
        return;
    }
    let _ = writeln!(out, "{heading}\n");
    for g in groups {
        let cat = if g.category.is_empty() {
            "未分类"
        } else {
            &g.category
        };
        let _ = writeln!(out, "**{cat}**\n");
        for o in &g.items {
            let stance = o.stance.map(|s| format!("[{}] ", stance_zh(s))).unwrap_or_default();
            let ledger = if o.to_ledger { "（列入台账）" } else { "" };
            let late = if o.late { "（议题结束后送达）" } else { "" };
            let _ = writeln!(
                out,
                "- {stance}{}（{}；附议{}人，来自{}类群体）{late}{ledger}",
                o.text, o.by, o.seconds, o.backing_groups
            );
        }
        out.push('\n');
    }
    if let Some(h) = hidden_zh(hidden) {
        let _ = writeln!(out, "{h}\n");
    }
}

fn write_commitments_md(out: &mut String, items: &[CommitmentLine]) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "### 承诺事项\n\n| 编号 | 事项 | 责任人 | 时限 |\n|---|---|---|---|"
    );
    for c in items {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            c.id,
            c.what.replace('|', "／"),
            c.responsible.replace('|', "／"),
            c.deadline
        );
    }
    out.push('\n');
}

/// Escapes text for HTML.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// User text for HTML: escaped, and isolated in `<bdi>` so that a name or an
/// opinion written right-to-left cannot reorder the words around it (the
/// bidi controls themselves are already removed when text comes in).
pub fn isolate(s: &str) -> String {
    format!("<bdi>{}</bdi>", escape(s))
}

/// Printable HTML (A4), every piece of user text escaped and isolated.
pub fn to_html(m: &Minutes, status: &str) -> String {
    // Markdown is the single source of the wording; HTML lays the same content out for print.
    let e = isolate;
    let mut out = String::new();
    let _ = write!(
        out,
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{} 会议纪要</title><style>{}</style></head><body><main>",
        escape(&m.title),
        MINUTES_CSS
    );
    let _ = write!(
        out,
        "<h1>{} 会议纪要</h1><p class=\"status\">{}</p>",
        e(&m.title),
        e(status)
    );
    let att: Vec<String> = m.attendance.iter().map(|(c, n)| format!("{}{}人", e(c), n)).collect();
    let _ = write!(
        out,
        "<table class=\"head\"><tr><th>时间</th><td>{}</td><th>地点</th><td>{}</td></tr><tr><th>主持人</th><td>{}</td><th>记录员</th><td>{}</td></tr><tr><th>回应人</th><td colspan=\"3\">{}</td></tr><tr><th>到会</th><td colspan=\"3\">共{}人（{}）</td></tr></table>",
        e(&m.starts_at.clone().unwrap_or_default()),
        e(&m.place),
        e(m.moderator.as_deref().unwrap_or(NOT_GIVEN)),
        e(&m.recorders.join("、")),
        e(&m.officials.join("、")),
        m.attendance_total,
        att.join("，")
    );
    if !m.summary.is_empty() {
        let _ = write!(out, "<h2>摘要</h2><p class=\"summary\">{}</p>", e(&m.summary));
    }
    if !m.reviews.is_empty() {
        out.push_str("<section><h2>回顾：往期承诺评议</h2><table class=\"reviews\"><tr><th>台账编号</th><th>事项</th><th>责任人</th><th>状态</th><th>满意</th><th>基本满意</th><th>不满意</th></tr>");
        for r in &m.reviews {
            let [s, f, u] = r.counts;
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{s}</td><td>{f}</td><td>{u}</td></tr>",
                r.entry,
                e(&r.title),
                e(&r.responsible),
                e(&r.status)
            );
        }
        out.push_str("</table></section>");
    }
    if !m.before_topics.is_empty() {
        out.push_str("<section class=\"before-topics\">");
        write_opinions_html(
            &mut out,
            "<h2>会前及议题之间的意见</h2>",
            &m.before_topics.groups,
            &m.before_topics.hidden,
        );
        out.push_str("</section>");
    }
    for (i, t) in m.topics.iter().enumerate() {
        let _ = write!(out, "<section><h2>议题{}：{}</h2>", i + 1, e(&t.title));
        if !t.speakers.is_empty() {
            out.push_str("<h3>发言</h3><ol>");
            for s in &t.speakers {
                let _ = write!(out, "<li>{}（{}，{}秒）</li>", e(&s.name), floor_zh(s.kind), s.seconds);
            }
            out.push_str("</ol>");
        }
        write_opinions_html(&mut out, "<h3>意见建议</h3>", &t.opinions, &t.hidden);
        for v in &t.votes {
            let kind = if v.secret { "无记名" } else { "记名" };
            let _ = write!(out, "<h3>表决（{kind}，{}）：{}</h3><table class=\"vote\"><tr><th>选项</th><th>手机</th><th>举手</th><th>合计</th></tr>", rule_zh(v.rule), e(&v.question));
            for (label, phones, hands, total) in &v.choices {
                let _ = write!(
                    out,
                    "<tr><td>{}</td><td>{phones}</td><td>{hands}</td><td>{total}</td></tr>",
                    e(label)
                );
            }
            let result = vote_result_zh(v);
            let _ = write!(out, "</table><p>共{}票，结果：<b>{result}</b></p>", v.cast);
        }
        if let Some(o) = &t.outcome {
            let _ = write!(out, "<h3>协商结果：{}</h3><p>{}</p>", outcome_zh(o.kind), e(&o.text));
            if let Some(d) = &o.dissent {
                let _ = write!(out, "<p class=\"dissent\">保留的不同意见：{}</p>", e(d));
            }
        }
        write_commitments_html(&mut out, &t.commitments);
        out.push_str("</section>");
    }
    write_commitments_html(&mut out, &m.other_commitments);
    if !m.not_discussed.is_empty() {
        out.push_str("<section class=\"not-discussed\"><h2>未讨论的议题</h2><ul>");
        for t in &m.not_discussed {
            let _ = write!(out, "<li>{}（未讨论）</li>", e(t));
        }
        out.push_str("</ul></section>");
    }
    out.push_str("</main></body></html>");
    out
}

fn write_opinions_html(out: &mut String, heading: &str, groups: &[OpinionGroup], hidden: &[(String, usize)]) {
    let e = isolate;
    if groups.is_empty() && hidden.is_empty() {
        return;
    }
    out.push_str(heading);
    for g in groups {
        let cat = if g.category.is_empty() {
            "未分类"
        } else {
            &g.category
        };
        let _ = write!(out, "<h4>{}</h4><ul>", e(cat));
        for o in &g.items {
            let stance = o
                .stance
                .map(|s| format!("<b>[{}]</b> ", stance_zh(s)))
                .unwrap_or_default();
            let ledger = if o.to_ledger {
                "<span class=\"ledger\">列入台账</span>"
            } else {
                ""
            };
            let late = if o.late {
                "<span class=\"late\">议题结束后送达</span>"
            } else {
                ""
            };
            let _ = write!(
                out,
                "<li>{stance}{}<span class=\"by\">（{}；附议{}人，来自{}类群体）</span>{late}{ledger}</li>",
                e(&o.text),
                e(&o.by),
                o.seconds,
                o.backing_groups
            );
        }
        out.push_str("</ul>");
    }
    if let Some(h) = hidden_zh(hidden) {
        let _ = write!(out, "<p class=\"hidden-count\">{}</p>", e(&h));
    }
}

fn write_commitments_html(out: &mut String, items: &[CommitmentLine]) {
    if items.is_empty() {
        return;
    }
    out.push_str(
        "<h3>承诺事项</h3><table class=\"commitments\"><tr><th>编号</th><th>事项</th><th>责任人</th><th>时限</th></tr>",
    );
    for c in items {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            c.id,
            isolate(&c.what),
            isolate(&c.responsible),
            isolate(&c.deadline)
        );
    }
    out.push_str("</table>");
}

const MINUTES_CSS: &str = "body{font-family:\"Noto Serif CJK SC\",\"Songti SC\",\"SimSun\",serif;color:#000;background:#fff;margin:0;font-size:12pt;line-height:1.7}main{max-width:180mm;margin:0 auto;padding:12mm 0}h1{text-align:center;font-size:20pt;margin:0 0 4mm}h2{font-size:15pt;border-bottom:1px solid #000;margin-top:8mm}h3{font-size:13pt;margin:4mm 0 2mm}h4{font-size:12pt;margin:2mm 0}.status{text-align:center;color:#444}table{border-collapse:collapse;width:100%;margin:2mm 0}th,td{border:1px solid #000;padding:1.5mm 2mm;text-align:left;vertical-align:top}th{background:#eee;white-space:nowrap}.by{color:#333}.ledger,.late{border:1px solid #000;padding:0 1mm;margin-left:2mm;font-size:10pt}.hidden-count{color:#333}.dissent{border-left:3px solid #000;padding-left:3mm}section{break-inside:auto}h2,h3{break-after:avoid}tr,li{break-inside:avoid}@page{size:A4;margin:15mm}";

#[cfg(test)]
mod tests {
    use super::md_escape;

    #[test]
    fn markdown_values_cannot_forge_structure_links_or_html() {
        assert_eq!(md_escape("停车\n## 伪造的议题"), "停车<br>## 伪造的议题");
        assert_eq!(md_escape("# 标题"), "\\# 标题");
        assert_eq!(md_escape("- 列表"), "\\- 列表");
        assert_eq!(md_escape("1. 第一"), "1\\. 第一");
        assert_eq!(md_escape("| a | b |"), "\\| a \\| b \\|");
        assert_eq!(
            md_escape("[点我](javascript:alert(1))"),
            "\\[点我\\](javascript:alert(1))"
        );
        assert_eq!(md_escape("<script>x</script>"), "&lt;script&gt;x&lt;/script&gt;");
        assert_eq!(
            md_escape("2026-12-31 前完成"),
            "2026-12-31 前完成",
            "dates stay readable"
        );
    }
}
