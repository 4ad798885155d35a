//! The minutes after the meeting: publishing them (and corrections), the
//! objections to what was published with the moderator's answers, and feeding
//! the issue ledger.

use crate::components::{FormAnswer, FormError};
use crate::i18n::t;
use crate::live::Live;
use crate::storage;
use babahui_shared::*;
use leptos::prelude::*;

/// Publishing the minutes (after the end), corrections, objections and the
/// ledger feed: the tablet's 纪要 section.
#[component]
pub fn PublishForm(live: Live, meeting: String) -> impl IntoView {
    // The summary being written is kept on this device until it is published:
    // a reload or a flat tablet battery does not lose it.
    let draft_key = format!("bbh:summary-draft:{meeting}");
    let summary = RwSignal::new(storage::get(&draft_key).unwrap_or_default());
    Effect::new({
        let key = draft_key.clone();
        move |_| storage::set(&key, &summary.get())
    });
    let days = RwSignal::new(String::from("5"));
    let reason = RwSignal::new(String::new());
    let correcting = RwSignal::new(false);
    let imported = RwSignal::new(None::<String>);
    let minutes_href = format!("/m/{meeting}/minutes");
    // The latest published version: (number, published at, notice until, its summary).
    let latest = move || {
        live.state.with(|s| {
            s.as_ref()?
                .publications
                .last()
                .map(|p| (p.version, p.at, p.notice_until(), p.minutes.summary.clone()))
        })
    };
    let answer = FormAnswer::new(live, move || {
        correcting.set(false);
        reason.set(String::new());
        storage::remove(&draft_key);
    });
    let publish = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let correction = latest().map(|_| reason.get());
        let question = if correction.is_some() {
            t("confirm_correction")
        } else {
            t("confirm_publish")
        };
        if !window().confirm_with_message(question).unwrap_or(false) {
            return;
        }
        answer.send(Command::PublishMinutes {
            summary: summary.get(),
            notice_days: days.get().trim().parse().ok(),
            correction,
        });
    };
    view! {
        <Show when=move || live.ended()>
            <section class="publish-state">
                <h2>{move || t("minutes")}</h2>
                {move || latest().map(|(v, at, until, _)| view! {
                    <p class="published" role="status">
                        {t("published_version").replace("{v}", &v.to_string())}"（"{crate::pages::ledger::date(at)}"）· "
                        {t("notice_until")}" "{crate::pages::ledger::date(until)}
                    </p>
                })}
                <Show when=move || latest().is_none() || correcting.get()
                    fallback=move || view! {
                        <button type="button" id="start-correction" on:click=move |_| {
                            // A correction starts from what was published, not from an empty box.
                            summary.set(latest().map(|l| l.3).unwrap_or_default());
                            correcting.set(true);
                        }>{move || t("publish_correction")}</button>
                    }>
                    <form class="form" id="publish" on:submit=publish>
                        // The name the minutes print for 主持人: given at creation, corrected here.
                        <label>{move || t("moderator_name")}
                            <input name="moderator-name" maxlength="40" placeholder=move || t("moderator_name_hint")
                                prop:value=move || live.state.with(|s| s.as_ref().and_then(|s| s.moderator_name.clone()).unwrap_or_default())
                                on:change=move |ev| live.send(Command::SetModeratorName { name: event_target_value(&ev) })/>
                        </label>
                        <label>{move || t("summary")}<textarea name="summary" rows="3" bind:value=summary></textarea></label>
                        <Show when=move || latest().is_some()>
                            <label>{move || t("correction_reason")}<input name="correction" required maxlength="200" bind:value=reason/></label>
                        </Show>
                        <label class="inline">{move || t("notice_days")}<input class="minutes" type="number" min="0" max="60" bind:value=days/></label>
                        <button type="submit" class="primary" disabled=move || answer.waiting()>
                            {move || if latest().is_some() { t("publish_correction") } else { t("publish") }}
                        </button>
                        <FormError answer=answer/>
                    </form>
                </Show>
            </section>
        </Show>
        <Objections live=live/>
        <p><a href=minutes_href.clone() target="_blank">{move || t("minutes")}</a>" · "<a href="/ledger" target="_blank">{move || t("ledger")}</a></p>
        {
            let meeting = meeting.clone();
            move || {
                let meeting = meeting.clone();
                let published = live.state.with(|s| s.as_ref().is_some_and(|s| !s.publications.is_empty()));
                published.then(|| view! {
                    <button id="to-ledger" on:click=move |_| {
                        let meeting = meeting.clone();
                        let key = storage::get(&storage::token_key(&meeting, "moderator"));
                        leptos::task::spawn_local(async move {
                            let r = crate::api::post::<Vec<serde::de::IgnoredAny>>(&format!("/api/meetings/{meeting}/ledger"), &serde_json::json!({}), key.as_deref()).await;
                            imported.set(Some(match r {
                                Ok(v) => match v.len() {
                                    0 => t("ledger_up_to_date").to_owned(),
                                    n => t("fed_ledger").replace("{n}", &n.to_string()),
                                },
                                Err(f) => f.message,
                            }));
                        });
                    }>{t("to_ledger")}</button>
                    <span class="muted">{move || imported.get()}</span>
                })
            }
        }
    }
}

/// Objections to the published minutes, each with a box for the moderator's answer.
#[component]
fn Objections(live: Live) -> impl IntoView {
    move || {
        live.state.with(|s| {
            let s = s.as_ref()?;
            (!s.objections.is_empty()).then(|| {
                view! {
                    <h2>{t("objections")}</h2>
                    <ol class="list objections">
                        {s.objections.iter().map(|o| {
                            let id = o.id;
                            let spam = o.spam;
                            let answer = RwSignal::new(String::new());
                            view! {
                                <li data-objection=id class:spam=spam>
                                    {spam.then(|| view! { <b class="tag">{t("marked_spam")}</b>" " })}
                                    {o.name.clone().map(|n| format!("{n}：")).unwrap_or_default()}{o.text.clone()}
                                    // An answered objection was taken seriously: it is not spam.
                                    {(o.answer.is_none()).then(|| view! {
                                        <button class="mark-spam small" on:click=move |_| {
                                            live.send(Command::MarkObjectionSpam { objection: id, spam: !spam });
                                        }>{if spam { t("unmark_spam") } else { t("mark_spam") }}</button>
                                    })}
                                    {match o.answer.clone() {
                                        Some(a) => view! { <p class="muted">{t("answer")}{move || crate::i18n::colon()}{a}</p> }.into_any(),
                                        None if spam => ().into_any(),
                                        None => view! {
                                            <div class="row">
                                                <input class="answer" aria-label=t("answer") bind:value=answer/>
                                                <button class="answer-objection" on:click=move |_| {
                                                    live.send(Command::AnswerObjection { objection: id, answer: answer.get() });
                                                }>{t("answer")}</button>
                                            </div>
                                        }.into_any(),
                                    }}
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                }
            })
        })
    }
}
