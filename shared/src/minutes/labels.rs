//! The wording the minutes print, shared by the Markdown and the HTML
//! renderings (and by the pages that show parts of the minutes): Chinese labels
//! for stances, outcomes, turns and pass rules, and the fixed phrases.

use super::value::{Minutes, VoteLine};
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

/// 表决未结束 / 未达法定人数 / 通过 / 未通过; for a choice between options,
/// which option passed, which led without reaching the rule, or a tie (平票):
/// "未通过" would misreport a choice where no option was rejected.
pub fn vote_result_zh(v: &VoteLine) -> String {
    if v.open {
        "表决未结束".into()
    } else if !v.quorum_met {
        "未达法定人数".into()
    } else if v.is_yes_no() {
        if v.passed { "通过" } else { "未通过" }.into()
    } else {
        match (v.leader(), v.passed) {
            (Some(label), true) => format!("通过：{label}"),
            (Some(label), false) => format!("{label}得票最多，未达通过比例"),
            (None, _) => "平票，未形成多数".into(),
        }
    }
}

/// When more votes were cast in a vote than people are recorded present (hands
/// counted for people without a phone, and nobody counted them in), a line
/// that says so: the record must not show 3 present and 6 votes without a word.
pub fn attendance_note_zh(m: &Minutes) -> Option<String> {
    let most = m.topics.iter().flat_map(|t| &t.votes).map(|v| v.cast as usize).max()?;
    (most > m.attendance_total).then(|| {
        format!(
            "某次表决共{most}票，多于登记到会的{}人：现场另有未登记到会的人（举手表决）",
            m.attendance_total
        )
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn line(choices: &[(&str, u32)], passed: bool, yes_no: Option<bool>) -> VoteLine {
        VoteLine {
            question: "q".into(),
            secret: false,
            rule: PassRule::Majority,
            quorum: None,
            choices: choices.iter().map(|(l, n)| (l.to_string(), *n, 0, *n)).collect(),
            cast: choices.iter().map(|(_, n)| n).sum(),
            quorum_met: true,
            passed,
            open: false,
            yes_no,
        }
    }

    #[test]
    fn a_choice_is_reported_by_its_options_and_a_tie_is_a_tie() {
        let tie = line(&[("收费", 1), ("免费", 1)], false, Some(false));
        assert_eq!(vote_result_zh(&tie), "平票，未形成多数");
        let short = line(&[("收费", 2), ("免费", 1), ("再议", 1)], false, Some(false));
        assert_eq!(vote_result_zh(&short), "收费得票最多，未达通过比例");
        let won = line(&[("收费", 3), ("免费", 1)], true, Some(false));
        assert_eq!(vote_result_zh(&won), "通过：收费");
        let no = line(&[("赞成", 1), ("反对", 1), ("弃权", 0)], false, Some(true));
        assert_eq!(vote_result_zh(&no), "未通过", "a yes/no vote keeps its words");
        // Minutes published before the kind was recorded: read from the labels.
        assert_eq!(
            vote_result_zh(&line(&[("赞成", 2), ("反对", 0), ("弃权", 0)], true, None)),
            "通过"
        );
        assert_eq!(
            vote_result_zh(&line(&[("甲", 1), ("乙", 1)], false, None)),
            "平票，未形成多数"
        );
    }
}
