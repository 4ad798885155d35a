//! The printable HTML rendering of the minutes (A4), every piece of user text
//! escaped and isolated.

use super::labels::{
    attendance_note_zh, floor_zh, hidden_zh, outcome_zh, rule_zh, stance_zh, vote_result_zh, NOT_GIVEN,
};
use super::value::{CommitmentLine, Minutes, OpinionGroup};
use std::fmt::Write;

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
    if let Some(note) = attendance_note_zh(m) {
        let _ = write!(out, "<p class=\"attendance-note\">注：{}</p>", e(&note));
    }
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
            let result = e(&vote_result_zh(v));
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
            let channel = o
                .channel
                .map(|c| format!("<span class=\"late\">{}</span>", c.zh()))
                .into_iter()
                .chain(
                    (!o.spoken_mark().is_empty()).then(|| format!("<span class=\"late\">{}</span>", o.spoken_mark())),
                )
                .collect::<String>();
            let _ = write!(
                out,
                "<li>{stance}{}<span class=\"by\">（{}；附议{}人，来自{}类群体）</span>{channel}{late}{ledger}</li>",
                e(&o.shown_text()),
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
