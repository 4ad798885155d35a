//! The Markdown rendering of the minutes, with the escaping that keeps every
//! value (an opinion, a name, a title) from forging structure, links or HTML.

use super::labels::{
    attendance_note_zh, floor_zh, hidden_zh, outcome_zh, rule_zh, stance_zh, vote_result_zh, NOT_GIVEN,
};
use super::value::{
    CommitmentLine, Minutes, OpinionGroup, OpinionLine, OpinionSection, ReviewLine, SpeakerLine, TopicRecord, VoteLine,
};
use crate::model::Outcome;
use std::fmt::Write;

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
    let _ = writeln!(out, "- 到会：共{}人（{}）", m.attendance_total, att.join("，"));
    if let Some(note) = attendance_note_zh(m) {
        let _ = writeln!(out, "- 注：{note}");
    }
    out.push('\n');
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
            let mut channel = o.channel.map(|c| format!("（{}）", c.zh())).unwrap_or_default();
            if !o.spoken_mark().is_empty() {
                channel.push_str(&format!("（{}）", o.spoken_mark()));
            }
            let _ = writeln!(
                out,
                "- {stance}{}（{}；附议{}人，来自{}类群体）{channel}{late}{ledger}",
                o.shown_text(),
                o.by,
                o.seconds,
                o.backing_groups
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
