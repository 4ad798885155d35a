//! The wording the minutes print, shared by the Markdown and the HTML
//! renderings (and by the pages that show parts of the minutes): Chinese labels
//! for stances, outcomes, turns and pass rules, and the fixed phrases.

use super::value::VoteLine;
use crate::model::{FloorKind, OutcomeKind, PassRule, Stance};

/// Why an opinion held for approval and never approved is not published.
pub const NOT_APPROVED: &str = "未经审核";

/// The attendance line for people counted present without a phone.
pub const WITHOUT_PHONE: &str = "现场点数（未用手机）";

/// What the minutes print for a name nobody gave.
pub(super) const NOT_GIVEN: &str = "（未填写）";

/// "另有3条意见被隐藏（辱骂2条，重复1条）", or nothing.
pub fn hidden_zh(hidden: &[(String, usize)]) -> Option<String> {
    let total: usize = hidden.iter().map(|(_, n)| n).sum();
    (total > 0).then(|| {
        let why: Vec<String> = hidden.iter().map(|(r, n)| format!("{r}{n}条")).collect();
        format!("另有{total}条意见被隐藏（{}），原文保留在会议记录中", why.join("，"))
    })
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

pub(super) fn floor_zh(k: FloorKind) -> &'static str {
    match k {
        FloorKind::Speak => "发言",
        FloorKind::Response => "回应",
        FloorKind::FollowUp => "追问",
    }
}

pub(super) fn rule_zh(r: PassRule) -> String {
    match r {
        PassRule::Majority => "过半数".into(),
        PassRule::TwoThirds => "三分之二".into(),
        PassRule::Share(p) => format!("{p}%"),
    }
}
