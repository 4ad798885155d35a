//! `/m/{id}/minutes`: the published minutes (or the draft), their status
//! (公示中 / 已备案 …), objections with answers, and a form to object during
//! the notice period. The printable A4 version is one click away.

use crate::api;
use crate::components::LangSwitch;
use crate::i18n::{self, t};
use babahui_shared::minutes::{hidden_zh, OpinionGroup};
use babahui_shared::MinutesStatus;
use leptos::prelude::*;
use serde_json::json;

/// The minutes with where they stand, as the server sends them.
type Doc = babahui_shared::api::MinutesDoc;

/// Opinions of one section, with the count of hidden ones and why.
/// Grouped by category as in the printed minutes, each with its stance: a
/// resident checking the notice must see who supported and who opposed.
fn opinion_items(groups: &[OpinionGroup], hidden: &[(String, usize)]) -> impl IntoView {
    view! {
        {groups.iter().map(|g| view! {
            <h3 class="opinion-category">{if g.category.is_empty() { t("untagged").to_owned() } else { g.category.clone() }}</h3>
            <ul class="list">{g.items.iter().map(|o| view! {
                <li>{o.stance.map(|s| view! { <span class="tag stance">{i18n::stance(s)}</span>" " })}{o.shown_text()}
                    {(!o.spoken_mark().is_empty()).then(|| view! { " "<span class="tag">{t("voice_transcribed")}</span> })}
                    <small>" · "{o.by.clone()}" · "{t("second")}" "{o.seconds}
                    {o.late.then(|| format!(" · {}", t("late")))}{o.channel.map(|c| format!(" · {}", crate::i18n::channel(c)))}{o.to_ledger.then(|| format!(" · {}", t("in_ledger")))}</small></li>
            }).collect_view()}</ul>
        }).collect_view()}
        {hidden_zh(hidden).map(|h| view! { <p class="muted hidden-count">{h}</p> })}
    }
}

fn status_text(d: &Doc) -> String {
    match (d.status, d.version) {
        (_, None) => t("draft").to_owned(),
        (MinutesStatus::Notice { .. }, Some(v)) => format!("v{v} · {}", t("in_notice")),
        (MinutesStatus::Disputed { .. }, Some(v)) => format!("v{v} · {}", t("disputed")),
        (_, Some(v)) => format!("v{v} · {}", t("filed")),
    }
}

/// The minutes page.
#[component]
pub fn MinutesPage(id: String) -> impl IntoView {
    let reload = RwSignal::new(0u32);
    let doc = LocalResource::new({
        let id = id.clone();
        move || {
            reload.get();
            let id = id.clone();
            async move { api::get::<Doc>(&format!("/api/meetings/{id}/minutes.json")).await.ok() }
        }
    });
    let text = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let message = RwSignal::new(None::<String>);
    let filed = RwSignal::new(false);
    let object = {
        let id = id.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if text.get_untracked().trim().is_empty() {
                message.set(Some(t("objection_empty").to_owned()));
                return;
            }
            let id = id.clone();
            let body = json!({"text": text.get(), "name": name.get()});
            leptos::task::spawn_local(async move {
                match api::post::<serde::de::IgnoredAny>(&format!("/api/meetings/{id}/objections"), &body, None).await {
                    Ok(_) => {
                        text.set(String::new());
                        message.set(None);
                        filed.set(true);
                        reload.update(|n| *n += 1);
                    }
                    Err(f) => message.set(Some(i18n::reason(&f.message).unwrap_or(f.message))),
                }
            });
        }
    };
    let printable = format!("/api/meetings/{id}/minutes.html");
    view! {
        <main class="page minutes-page">
            <div class="statusbar"><span class="brand">{move || t("minutes")}</span><LangSwitch/></div>
            // The page is drawn afresh with the new objection: say so where the eye is.
            {move || filed.get().then(|| view! { <p class="notice info objection-filed" role="status">{t("objection_filed")}</p> })}
            <Suspense fallback=|| ()>
                {move || doc.get().map(|d| match d {
                    None => view! { <p class="notice">{t("not_found")}</p> }.into_any(),
                    Some(d) => {
                        let in_notice = matches!(d.status, MinutesStatus::Notice { .. });
                        let m = d.minutes.clone();
                        view! {
                            <h1>{m.title.clone()}</h1>
                            <p class="minutes-status"><b>{status_text(&d)}</b>
                                {in_notice.then(|| d.notice_until.map(|u| format!(" · {} {}", t("notice_until"), crate::pages::ledger::date(u)))).flatten()}
                                " · "<a href=printable.clone() target="_blank">{t("printable")}</a></p>
                            <p class="muted">{m.starts_at.clone()}" "{m.place.clone()}" · "{t("attendance")}" "{m.attendance_total}</p>
                            {babahui_shared::minutes::attendance_note_zh(&m).map(|note| view! { <p class="notice attendance-note">{note}</p> })}
                            <table class="facts minutes-head">
                                <tr><th>{t("moderator_role")}</th><td>{m.moderator.clone().unwrap_or_else(|| t("not_given").to_owned())}</td></tr>
                                {(!m.recorders.is_empty()).then(|| view! { <tr><th>{t("recorders")}</th><td>{m.recorders.join("、")}</td></tr> })}
                                {(!m.officials.is_empty()).then(|| view! { <tr><th>{t("officials")}</th><td>{m.officials.join("、")}</td></tr> })}
                            </table>
                            {(!m.summary.is_empty()).then(|| view! { <p class="card">{m.summary.clone()}</p> })}
                            {(!m.before_topics.is_empty()).then(|| view! {
                                <section class="card before-topics">
                                    <h2>{t("before_topics")}</h2>
                                    {opinion_items(&m.before_topics.groups, &m.before_topics.hidden)}
                                </section>
                            })}
                            {m.topics.iter().map(|tp| view! {
                                <section class="card">
                                    <h2>{tp.title.clone()}</h2>
                                    // Who spoke, who answered on the spot, who followed up.
                                    {(!tp.speakers.is_empty()).then(|| view! {
                                        <h3>{t("speakers")}</h3>
                                        <ol class="list speakers">{tp.speakers.iter().map(|sp| view! {
                                            <li><span class="tag">{crate::i18n::speech_kind(sp.kind)}</span>" "{sp.name.clone()}
                                                <small class="muted">" · "{crate::components::mmss(sp.seconds as i64 * 1000)}</small></li>
                                        }).collect_view()}</ol>
                                    })}
                                    {opinion_items(&tp.opinions, &tp.hidden)}
                                    {tp.votes.iter().map(|v| view! {
                                        <p><b>{t("vote")}{move || crate::i18n::colon()}{v.question.clone()}</b>" — "
                                            {v.choices.iter().map(|(l, _, _, n)| format!("{l} {n}")).collect::<Vec<_>>().join(crate::i18n::comma())}
                                            " — "{if v.passed { t("passed") } else if !v.quorum_met { t("no_quorum") } else { t("failed") }}</p>
                                    }).collect_view()}
                                    {tp.outcome.clone().map(|o| view! {
                                        <p class="outcome"><b>{crate::i18n::outcome_kind(o.kind)}</b>{move || crate::i18n::colon()}{o.text.clone()}
                                            {o.dissent.clone().map(|d| view! { <br/>{t("dissent")}{move || crate::i18n::colon()}{d} })}</p>
                                    })}
                                    {(!tp.commitments.is_empty()).then(|| view! {
                                        <h3>{t("commitment")}</h3>
                                        <ul class="list">{tp.commitments.iter().map(|c| view! {
                                            <li>{c.what.clone()}<small>" · "{c.responsible.clone()}" · "{c.deadline.clone()}</small></li>
                                        }).collect_view()}</ul>
                                    })}
                                </section>
                            }).collect_view()}
                            {(d.history.len() > 1).then(|| view! {
                                <h2>{t("versions")}</h2>
                                <ul class="list versions">{d.history.iter().map(|v| view! {
                                    <li><b>{format!("v{}", v.version)}</b>" · "{crate::pages::ledger::date(v.at)}
                                        {v.reason.clone().map(|r| view! { " · "{t("correction")}{move || crate::i18n::colon()}{r} })}</li>
                                }).collect_view()}</ul>
                            })}
                            {(!m.not_discussed.is_empty()).then(|| view! {
                                <section class="card not-discussed">
                                    <h2>{t("not_discussed")}</h2>
                                    <ul class="list">{m.not_discussed.iter().map(|title| view! { <li>{title.clone()}</li> }).collect_view()}</ul>
                                </section>
                            })}
                            <h2>{t("objections")}</h2>
                            <ol class="list objections">{d.objections.iter().map(|o| view! {
                                <li>{o.name.clone().map(|n| format!("{n}：")).unwrap_or_default()}{o.text.clone()}<br/>
                                    <small>{t("answer")}{move || crate::i18n::colon()}{o.answer.clone().unwrap_or_else(|| t("pending_answer").to_owned())}</small></li>
                            }).collect_view()}</ol>
                            {(d.spam_objections > 0).then(|| view! {
                                <p class="muted spam-count">{t("spam_objections").replace("{n}", &d.spam_objections.to_string())}</p>
                            })}
                            {in_notice.then(|| view! {
                                <form class="form" id="objection" on:submit=object.clone()>
                                    <h2>{t("file_objection")}</h2>
                                    <label>{t("objection_text")}<textarea name="text" rows="3" maxlength="1000" bind:value=text></textarea></label>
                                    <label>{t("objector_name")}<input name="name" maxlength="40" bind:value=name/></label>
                                    <button type="submit" class="primary big">{t("submit")}</button>
                                    {move || message.get().map(|m| view! { <p class="notice">{m}</p> })}
                                </form>
                            })}
                        }.into_any()
                    }
                })}
            </Suspense>
        </main>
    }
}
