//! What the server-drawn phone page shows below the meeting's heading: the
//! join form, or, once joined, 举手, the open vote and the opinion form — as
//! plain HTML forms that work with no script at all. Pure functions of the
//! state, so they are tested without a server.
//!
//! Only what the public state shows is written, every piece of text escaped
//! ([`escape`]); the one name shown is the person's own.

use super::words::{Lang, Word};
use babahui_shared::minutes::{escape, isolate, vote_line, VoteLine};
use babahui_shared::views::public_name;
use babahui_shared::views::{display_name, queue_position};
use babahui_shared::{MeetingState, Opinion, ParticipantId, Phase, Stance, TopicId, Vote, VoteKind};
use std::fmt::Write;

/// What the page says at its top after a form was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// It was done (the word says what).
    Done(Word),
    /// It was refused, in these words.
    Refused(String),
    /// The topic changed between writing an opinion and sending it: which
    /// topic is it about? (The person's answer is a form of its own.)
    WhichTopic(WhichTopic),
}

/// An opinion written under one topic and sent after another opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhichTopic {
    /// The topic on the page when it was written.
    pub written: TopicId,
    /// The topic open now.
    pub now: TopicId,
    /// The opinion, and its stance and category as picked.
    pub text: String,
    /// `support`, … as the form sent it.
    pub stance: String,
    /// The category as the form sent it.
    pub category: String,
}

/// What a person had typed into the forms, kept when the server refuses them
/// (a long opinion is never lost to a closed topic or a typo'd link).
#[derive(Debug, Clone, Default)]
pub struct Draft {
    /// The name typed into the join form.
    pub name: String,
    /// The category picked in the join form.
    pub category: String,
    /// The opinion's text.
    pub text: String,
}

/// The join form: a link whose code is `invite`, `cid` naming this form's send.
pub fn join_form(state: &MeetingState, lang: Lang, invite: &str, notice: Option<&Notice>, draft: &Draft) -> String {
    let mut out = String::from(r#"<section class="plain" id="plain">"#);
    notice_html(&mut out, state, lang, "", notice);
    let _ = write!(
        out,
        r#"<form class="form" method="post" action="/m/{id}/join"><h2>{title}</h2><input type="hidden" name="i" value="{invite}"><label>{name_label}<input name="name" maxlength="40" autocomplete="name" value="{name}"></label>"#,
        id = state.id,
        title = lang.t(Word::JoinTitle),
        invite = escape(invite),
        name_label = lang.t(Word::YourName),
        name = escape(&draft.name),
    );
    if !state.attendee_categories.is_empty() {
        let picked = if state.attendee_categories.contains(&draft.category) {
            draft.category.as_str()
        } else {
            state.attendee_categories[0].as_str()
        };
        let _ = write!(
            out,
            r#"<fieldset class="chips"><legend>{}</legend>"#,
            lang.t(Word::YourCategory)
        );
        for c in &state.attendee_categories {
            radio(&mut out, "category", c, c, c == picked);
        }
        out.push_str("</fieldset>");
    }
    let _ = write!(
        out,
        r#"<label class="check"><input type="checkbox" name="publish" value="1">{}</label><button type="submit" class="primary big">{}</button></form></section>"#,
        lang.t(Word::PublishName),
        lang.t(Word::Join),
    );
    out
}

/// The page of someone who has joined, as `me`; `cid` names the forms' sends
/// (a second tap, or the browser sending the form again, is recorded once).
pub fn joined(
    state: &MeetingState,
    lang: Lang,
    me: ParticipantId,
    cid: &str,
    notice: Option<&Notice>,
    draft: &Draft,
) -> String {
    let mut out = String::from(r#"<section class="plain" id="plain">"#);
    let _ = write!(
        out,
        r#"<p class="me">{}{}<b>{}</b></p>"#,
        lang.t(Word::Joined),
        lang.colon(),
        isolate(&display_name(state, me))
    );
    notice_html(&mut out, state, lang, cid, notice);
    if state.phase == Phase::Ended {
        ended(&mut out, state, lang);
        return out;
    }
    hand(&mut out, state, lang, me, cid);
    for vote in state.votes.iter().filter(|v| v.open) {
        open_vote(&mut out, state, lang, me, vote, cid);
    }
    let closed: Vec<&Vote> = state
        .votes
        .iter()
        .filter(|v| !v.open && v.topic.is_some() && v.topic == state.current_topic)
        .collect();
    if !closed.is_empty() {
        let _ = write!(out, r#"<div class="card"><h2>{}</h2>"#, lang.t(Word::Results));
        for vote in closed {
            results(&mut out, lang, vote);
        }
        out.push_str("</div>");
    }
    opinion_form(&mut out, state, lang, cid, draft);
    opinions(&mut out, state, lang, me, cid);
    let _ = write!(
        out,
        r#"<p><a class="button big" href="/m/{}">{}</a></p><p class="muted small">{}</p></section>"#,
        state.id,
        lang.t(Word::Refresh),
        lang.t(Word::NoScriptNote)
    );
    out
}

fn notice_html(out: &mut String, state: &MeetingState, lang: Lang, cid: &str, notice: Option<&Notice>) {
    match notice {
        Some(Notice::WhichTopic(q)) => which_topic(out, state, lang, cid, q),
        Some(Notice::Done(word)) => {
            let _ = write!(out, r#"<p class="notice ok" role="status">{}</p>"#, lang.t(*word));
        }
        Some(Notice::Refused(words)) => {
            let _ = write!(
                out,
                r#"<p class="notice form-error" role="alert">{}</p>"#,
                escape(words)
            );
        }
        None => {}
    }
}

/// 举手 or 放下, or where the person stands: only while a topic is open.
fn hand(out: &mut String, state: &MeetingState, lang: Lang, me: ParticipantId, cid: &str) {
    if state.floor.as_ref().is_some_and(|f| f.participant == me) {
        let _ = write!(out, r#"<p class="now your-turn">{}</p>"#, lang.t(Word::YourTurn));
        return;
    }
    let Some(topic) = state.open_topic().filter(|_| state.phase == Phase::Running) else {
        let _ = write!(out, r#"<p class="muted">{}</p>"#, lang.t(Word::HandsAfterStart));
        return;
    };
    let _ = write!(
        out,
        r#"<form method="post" action="/m/{}/hand"><input type="hidden" name="cid" value="{}-hand-{}"><input type="hidden" name="topic" value="{}">"#,
        state.id,
        escape(cid),
        state.seq,
        topic.id
    );
    match queue_position(state, me) {
        Some(n) => {
            let _ = write!(
                out,
                r#"<p class="now">{}</p><input type="hidden" name="action" value="lower"><button type="submit" class="big">{}</button></form>"#,
                lang.t(Word::YourPlace).replace("{n}", &n.to_string()),
                lang.t(Word::LowerHand)
            );
        }
        None => {
            let _ = write!(
                out,
                r#"<input type="hidden" name="action" value="raise"><button type="submit" class="primary big hand">{}</button></form>"#,
                lang.t(Word::RaiseHand)
            );
        }
    }
}

fn choice_labels(lang: Lang, vote: &Vote) -> Vec<String> {
    match &vote.kind {
        VoteKind::YesNo => [Word::Yes, Word::No, Word::Abstain]
            .iter()
            .map(|w| lang.t(*w).to_owned())
            .collect(),
        VoteKind::Choice(options) => options.iter().map(|o| escape(o)).collect(),
    }
}

fn open_vote(out: &mut String, state: &MeetingState, lang: Lang, me: ParticipantId, vote: &Vote, cid: &str) {
    let _ = write!(
        out,
        r#"<form class="card vote" method="post" action="/m/{}/vote"><h2>{}{}{}</h2>"#,
        state.id,
        lang.t(Word::Vote),
        lang.colon(),
        isolate(&vote.question)
    );
    let kind = if vote.secret { Word::Secret } else { Word::Named };
    let _ = write!(out, r#"<p class="muted">{}</p>"#, lang.t(kind));
    let _ = write!(
        out,
        r#"<input type="hidden" name="vote" value="{}"><input type="hidden" name="cid" value="{}-vote-{}-{}">"#,
        vote.id,
        escape(cid),
        vote.id,
        state.seq
    );
    // A named vote shows the person their own ballot; a secret one cannot.
    let mine = vote.named.iter().find(|b| b.participant == me).map(|b| b.choice);
    out.push_str(r#"<div class="choices">"#);
    for (i, label) in choice_labels(lang, vote).iter().enumerate() {
        let chosen = mine == Some(i as u32);
        let _ = write!(
            out,
            r#"<button type="submit" name="choice" value="{i}" class="big{}" aria-pressed="{chosen}">{}{label}</button>"#,
            if chosen { " selected" } else { "" },
            if chosen { "✓ " } else { "" },
        );
    }
    out.push_str("</div></form>");
}

fn results(out: &mut String, lang: Lang, vote: &Vote) {
    let line = vote_line(vote);
    let counts: Vec<String> = choice_labels(lang, vote)
        .iter()
        .zip(&line.choices)
        .map(|(label, c)| format!("{label} {}", c.3))
        .collect();
    // A question that ends in its own mark (？) takes no colon after it.
    let ends_marked = vote
        .question
        .trim_end()
        .ends_with(['？', '?', '！', '!', '。', '：', ':']);
    let _ = write!(
        out,
        r#"<p><bdi>{}</bdi>{}<b>{}</b><br><span class="muted">{}</span></p>"#,
        escape(&vote.question),
        if ends_marked { " " } else { lang.colon() },
        result_words(lang, &line, vote),
        counts.join(" · ")
    );
}

/// 通过 / 未通过 / 未达法定人数, or for a choice the option that passed.
fn result_words(lang: Lang, line: &VoteLine, vote: &Vote) -> String {
    if lang == Lang::Zh {
        return escape(&babahui_shared::minutes::vote_result_zh(line));
    }
    if !line.quorum_met {
        return lang.t(Word::NoQuorum).to_owned();
    }
    match (&vote.kind, line.leader()) {
        (VoteKind::YesNo, _) => lang
            .t(if line.passed { Word::Passed } else { Word::NotPassed })
            .to_owned(),
        (VoteKind::Choice(_), Some(leader)) if line.passed => format!("{}: {}", lang.t(Word::Passed), escape(leader)),
        (VoteKind::Choice(_), Some(leader)) => format!("{} ({})", lang.t(Word::NotPassed), escape(leader)),
        (VoteKind::Choice(_), None) => lang.t(Word::Tie).to_owned(),
    }
}

/// The stances, as the form sends them and as the page says them.
pub const STANCES: [(Stance, &str, Word); 4] = [
    (Stance::Support, "support", Word::Support),
    (Stance::Oppose, "oppose", Word::Oppose),
    (Stance::Suggest, "suggest", Word::Suggest),
    (Stance::Question, "question", Word::Question),
];

/// The opinion form. It names the topic open as it is drawn: an opinion
/// written under one topic and sent after the next one opened stays under the
/// one it was written for (and is marked late), as from the application.
fn opinion_form(out: &mut String, state: &MeetingState, lang: Lang, cid: &str, draft: &Draft) {
    let topic = state.open_topic().map(|t| t.id.to_string()).unwrap_or_default();
    let _ = write!(
        out,
        r#"<form class="form card" method="post" action="/m/{}/opinion"><input type="hidden" name="cid" value="{}-opinion-{}"><input type="hidden" name="topic" value="{}"><label>{}<textarea name="text" rows="4" maxlength="{}" required>{}</textarea></label>"#,
        state.id,
        escape(cid),
        state.seq,
        topic,
        lang.t(Word::WriteOpinion),
        babahui_shared::limits::OPINION_MAX_CHARS,
        escape(&draft.text)
    );
    let _ = write!(
        out,
        r#"<fieldset class="chips"><legend>{}</legend>"#,
        lang.t(Word::StanceOptional)
    );
    for (_, value, word) in STANCES {
        radio(out, "stance", value, lang.t(word), false);
    }
    out.push_str("</fieldset>");
    if !state.opinion_categories.is_empty() {
        let _ = write!(
            out,
            r#"<fieldset class="chips"><legend>{}</legend>"#,
            lang.t(Word::CategoryOptional)
        );
        for c in &state.opinion_categories {
            radio(out, "category", c, c, false);
        }
        out.push_str("</fieldset>");
    }
    let _ = write!(
        out,
        r#"<button type="submit" class="primary big">{}</button></form>"#,
        lang.t(Word::Submit)
    );
    // 语音: the phone's own recorder, through a plain file input (no script,
    // and no microphone permission, which a plain-HTTP page cannot have).
    let _ = write!(
        out,
        r#"<form class="form card voice-form" method="post" action="/m/{}/voice" enctype="multipart/form-data"><input type="hidden" name="cid" value="{}-voice-{}"><input type="hidden" name="topic" value="{}"><label>{}<input type="file" name="clip" accept="audio/*" capture required></label><button type="submit" class="big">{}</button></form>"#,
        state.id,
        escape(cid),
        state.seq,
        topic,
        lang.t(Word::VoiceLabel),
        lang.t(Word::SendVoice)
    );
}

/// A radio button drawn as a chip: the whole chip is the target (≥ 44 px).
fn radio(out: &mut String, name: &str, value: &str, label: &str, checked: bool) {
    let _ = write!(
        out,
        r#"<label class="chip radio"><input type="radio" name="{name}" value="{}"{}><span>{}</span></label>"#,
        escape(value),
        if checked { " checked" } else { "" },
        escape(label)
    );
}

/// The question when the topic changed between writing and sending: the
/// opinion is kept (in the form) and the person says which topic it is about.
fn which_topic(out: &mut String, state: &MeetingState, lang: Lang, cid: &str, q: &WhichTopic) {
    let title = |id: TopicId| state.topic(id).map(|t| isolate(&t.title)).unwrap_or_default();
    let _ = write!(
        out,
        r#"<form class="card which-topic" method="post" action="/m/{}/opinion" role="alert"><p class="now">{}</p><blockquote>{}</blockquote><input type="hidden" name="text" value="{}"><input type="hidden" name="stance" value="{}"><input type="hidden" name="category" value="{}"><input type="hidden" name="confirmed" value="1"><input type="hidden" name="cid" value="{}-which">"#,
        state.id,
        lang.t(Word::TopicChanged).replace("{topic}", &title(q.now)),
        escape(&q.text),
        escape(&q.text),
        escape(&q.stance),
        escape(&q.category),
        escape(cid),
    );
    let _ = write!(
        out,
        r#"<button type="submit" name="topic" value="{}" class="primary big">{}</button><button type="submit" name="topic" value="{}" class="big">{}</button></form>"#,
        q.now,
        lang.t(Word::UnderTopic).replace("{topic}", &title(q.now)),
        q.written,
        lang.t(Word::UnderEarlierTopic).replace("{topic}", &title(q.written)),
    );
}

/// The opinions given under the open topic, newest first, each with 附议:
/// names as the public sees them (a person who did not agree to be named is
/// 居民3), hidden ones left out.
fn opinions(out: &mut String, state: &MeetingState, lang: Lang, me: ParticipantId, cid: &str) {
    let Some(topic) = state.open_topic() else { return };
    let shown: Vec<&Opinion> = state
        .opinions
        .iter()
        .rev()
        .filter(|o| o.topic == Some(topic.id) && o.hidden.is_none() && o.merged_into.is_none())
        .take(30)
        .collect();
    if shown.is_empty() {
        return;
    }
    let _ = write!(
        out,
        r#"<div class="card plain-opinions"><h2>{}</h2><ul class="opinions">"#,
        lang.t(Word::Opinions)
    );
    for o in shown {
        let who = match o.author {
            Some(a) if a == me => lang.t(Word::Me).to_owned(),
            Some(a) => public_name(state, a),
            None => lang.t(Word::Anonymous).to_owned(),
        };
        let text = match &o.voice {
            Some(v) if o.text.is_empty() => format!("{} {}", lang.t(Word::VoicePending), v.length()),
            _ => o.text.clone(),
        };
        let _ = write!(
            out,
            r#"<li><p class="muted small"><bdi>{}</bdi> · {} {}</p><p class="text">{}</p>"#,
            escape(&who),
            lang.t(Word::Seconds),
            o.seconds.len(),
            escape(&text)
        );
        let mine = o.author == Some(me);
        let seconded = o.seconds.contains(&me);
        if !mine && !seconded {
            let _ = write!(
                out,
                r#"<form method="post" action="/m/{}/second"><input type="hidden" name="opinion" value="{}"><input type="hidden" name="cid" value="{}-second-{}"><button type="submit" class="second">{}</button></form>"#,
                state.id,
                o.id,
                escape(cid),
                o.id,
                lang.t(Word::Second)
            );
        } else if seconded {
            let _ = write!(out, r#"<p class="muted">{}</p>"#, lang.t(Word::Seconded));
        }
        out.push_str("</li>");
    }
    out.push_str("</ul></div>");
}

fn outcome_words(lang: Lang, kind: babahui_shared::OutcomeKind) -> &'static str {
    use babahui_shared::OutcomeKind::*;
    let en = match kind {
        Consensus => "Consensus",
        Passed => "Passed by vote",
        Failed => "Not passed by vote",
        Dissent => "Dissent kept on record",
        AnotherRound => "Another round",
        ToAssembly => "To the residents' assembly",
    };
    lang.pick(babahui_shared::minutes::outcome_zh(kind), en)
}

/// After the meeting: what each topic came to, and where the minutes will be.
fn ended(out: &mut String, state: &MeetingState, lang: Lang) {
    let _ = write!(
        out,
        r#"<div class="card"><h2>{}</h2><ol class="agenda">"#,
        lang.t(Word::WhatWasDecided)
    );
    for topic in &state.agenda {
        let _ = write!(out, "<li><b>{}</b>", isolate(&topic.title));
        if let Some(outcome) = &topic.outcome {
            let _ = write!(
                out,
                "<br>{}{}{}",
                outcome_words(lang, outcome.kind),
                lang.colon(),
                escape(&outcome.text)
            );
        }
        let mut votes = state
            .votes
            .iter()
            .filter(|v| v.topic == Some(topic.id) && !v.open)
            .peekable();
        if topic.outcome.is_none() && votes.peek().is_none() {
            let _ = write!(out, r#"<br><span class="muted">{}</span>"#, lang.t(Word::NoOutcome));
        }
        for vote in votes {
            results(out, lang, vote);
        }
        out.push_str("</li>");
    }
    out.push_str("</ol></div>");
    if state.publications.is_empty() {
        let _ = write!(out, r#"<p class="muted">{}</p>"#, lang.t(Word::MinutesToCome));
    } else {
        let _ = write!(
            out,
            r#"<p><a class="button big" href="/api/meetings/{}/minutes.html">{}</a></p>"#,
            state.id,
            lang.t(Word::ReadMinutes)
        );
    }
    out.push_str("</section>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use babahui_shared::{Participant, PassRule, VoteId};

    fn running_meeting() -> MeetingState {
        let mut state = crate::http::first_paint::tests::meeting("院坝会", "停车");
        state.phase = Phase::Running;
        state.participants.push(Participant {
            id: ParticipantId(1),
            name: Some("<i>张</i>".into()),
            category: "居民".into(),
            publish_name: false,
            walk_in: false,
            recorder: false,
            official: false,
            removed: false,
            banned: false,
            joined_at: 1,
        });
        state
    }

    fn vote(kind: VoteKind, secret: bool) -> Vote {
        Vote {
            id: VoteId(1),
            topic: None,
            question: "<img src=x>选哪个".into(),
            kind,
            secret,
            rule: PassRule::Majority,
            quorum: None,
            open: true,
            opened_at: 1,
            closed_at: None,
            named: vec![babahui_shared::NamedBallot {
                participant: ParticipantId(1),
                choice: 1,
            }],
            sealed: Vec::new(),
            hands: None,
        }
    }

    #[test]
    fn a_vote_is_drawn_escaped_with_the_persons_own_choice() {
        let mut state = running_meeting();
        state
            .votes
            .push(vote(VoteKind::Choice(vec!["<b>东门</b>".into(), "西门".into()]), false));
        let html = joined(&state, Lang::Zh, ParticipantId(1), "c", None, &Draft::default());
        assert!(
            !html.contains("<img") && !html.contains("<b>东门") && !html.contains("<i>张"),
            "{html}"
        );
        assert!(html.contains("&lt;b&gt;东门&lt;/b&gt;"));
        assert!(
            html.contains(r#"aria-pressed="true">✓ 西门"#),
            "their own ballot: {html}"
        );
    }
}
