//! The first bytes carry the meeting. A phone that scans the QR code gets, in
//! the page itself, the meeting's title, place and time, the topic under
//! discussion and the agenda — a few hundred bytes, on screen as soon as the
//! HTML arrives — while the application (the WebAssembly client) loads behind
//! it and takes its place. On a slow hotspot that is the difference between a
//! blank screen for ten seconds and the meeting at once.
//!
//! Only what the public state shows to anyone with the link is written here
//! (titles, place, time; never a name), every piece of it escaped.

use super::phone::words::{Lang, Word};
use babahui_shared::minutes::{escape, isolate};
use babahui_shared::{MeetingState, Phase, TopicStatus};
use std::fmt::Write;

/// Where the page's loading placeholder is, in `index.html`.
const PLACEHOLDER: &str = r#"<div id="loading" class="loading">正在加载… / Loading…</div>"#;

/// `index.html` with the meeting written into it: its `<title>` (what WeChat
/// shows when the link is shared) and the placeholder the application
/// replaces, holding the meeting and `below` (the phone's forms, which work
/// before and without the application). `attendee` is the token of the person
/// the page is drawn for, handed to the application when it starts (it then
/// carries on as them instead of asking them to join again).
pub fn page(index: &str, state: &MeetingState, lang: Lang, parts: Parts<'_>) -> String {
    // A `<title>` takes no markup: escaped only.
    let title = format!("<title>{} · 坝坝会</title>", escape(&state.title));
    let index = match (index.find("<title>"), index.find("</title>")) {
        (Some(a), Some(b)) if a < b => format!("{}{}{}", &index[..a], title, &index[b + "</title>".len()..]),
        _ => index.to_owned(),
    };
    let index = index.replacen(r#"<html lang="zh-CN">"#, &format!(r#"<html lang="{}">"#, lang.tag()), 1);
    index.replacen(PLACEHOLDER, &placeholder(state, lang, parts), 1)
}

/// What the phone's page adds to the meeting (all of it already HTML).
#[derive(Debug, Default, Clone, Copy)]
pub struct Parts<'a> {
    /// Above the meeting's title (the language link).
    pub top: &'a str,
    /// Below the agenda (the forms).
    pub below: &'a str,
    /// The attendee token the page is drawn for.
    pub attendee: Option<&'a str>,
}

fn placeholder(state: &MeetingState, lang: Lang, parts: Parts<'_>) -> String {
    let mut out = String::from(r#"<div id="loading" class="loading first-paint""#);
    if let Some(token) = parts.attendee {
        let _ = write!(out, r#" data-attendee="{}""#, escape(token));
    }
    out.push('>');
    out.push_str(parts.top);
    out.push_str("<h1>");
    out.push_str(&isolate(&state.title));
    out.push_str("</h1>");
    let when: Vec<&str> = [Some(state.place.as_str()), state.starts_at.as_deref()]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect();
    if !when.is_empty() {
        let _ = write!(out, r#"<p class="muted">{}</p>"#, isolate(&when.join(" ")));
    }
    // In the phone's language (Chinese unless it asks for English).
    match state.phase {
        Phase::Ended => {
            let _ = write!(out, r#"<p class="now">{}</p>"#, lang.t(Word::Ended));
        }
        Phase::Running => match state.agenda.iter().find(|t| t.status == TopicStatus::Open) {
            Some(topic) => {
                let _ = write!(
                    out,
                    r#"<p class="now">{}{}<b>{}</b></p>"#,
                    lang.pick("正在讨论", "Now discussing"),
                    lang.colon(),
                    isolate(&topic.title)
                );
            }
            None => {
                let _ = write!(
                    out,
                    r#"<p class="now">{}</p>"#,
                    lang.pick("会议进行中", "The meeting is under way")
                );
            }
        },
        Phase::NotStarted => {
            let _ = write!(
                out,
                r#"<p class="now">{}</p>"#,
                lang.pick("会议尚未开始", "The meeting has not started")
            );
        }
    }
    if !state.agenda.is_empty() && state.phase != Phase::Ended {
        out.push_str(r#"<ol class="agenda first-agenda">"#);
        for topic in &state.agenda {
            let _ = write!(out, "<li>{}</li>", isolate(&topic.title));
        }
        out.push_str("</ol>");
    }
    out.push_str(parts.below);
    let _ = write!(
        out,
        r#"<p class="loading-note" id="loading-note">{}</p></div>"#,
        lang.pick("正在加载…", "Loading…")
    );
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use babahui_shared::decide::create_meeting;
    use babahui_shared::{Actor, Event, MeetingId, MeetingSetup, NewTopic};

    const INDEX: &str = "<html><head><title>坝坝会 Babahui</title></head><body>\
        <div id=\"loading\" class=\"loading\">正在加载… / Loading…</div></body></html>";

    /// A meeting as created, with one topic (for the phone page's tests too).
    pub(crate) fn meeting(title: &str, topic: &str) -> MeetingState {
        let setup = MeetingSetup {
            title: title.into(),
            place: "院坝".into(),
            starts_at: None,
            agenda: vec![NewTopic {
                title: topic.into(),
                minutes: 10,
                ledger: None,
                ..Default::default()
            }],
            opinion_categories: Vec::new(),
            attendee_categories: vec!["居民".into()],
            wifi: None,
            moderator_name: None,
            community: None,
            invited: String::new(),
        };
        let first = create_meeting(MeetingId::parse("abcdefgh").expect("an id"), &setup).expect("valid");
        let mut state = MeetingState::default();
        state.apply(&Event {
            seq: 1,
            at: 1,
            by: Actor::System,
            event: first,
        });
        state
    }

    #[test]
    fn the_page_carries_the_meeting_escaped() {
        let state = meeting("<script>alert(1)</script>六月", "电梯 & 停车");
        let page = page(INDEX, &state, Lang::Zh, Parts::default());
        assert!(!page.contains("<script>alert"), "{page}");
        assert!(
            page.contains("<title>&lt;script&gt;alert(1)&lt;/script&gt;六月 · 坝坝会</title>"),
            "{page}"
        );
        assert!(page.contains("<li><bdi>电梯 &amp; 停车</bdi></li>"), "{page}");
        assert!(page.contains("会议尚未开始"), "{page}");
        assert_eq!(page.matches("id=\"loading\"").count(), 1);
    }
}
