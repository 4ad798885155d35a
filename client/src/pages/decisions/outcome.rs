//! A topic's outcome (结论): its kind, its text, any dissent, and the vote it
//! rests on, recorded by the moderator for the open topic or one already closed.

use crate::components::{FormAnswer, FormError};
use crate::i18n::{self, t};
use crate::live::Live;
use babahui_shared::*;
use leptos::prelude::*;

/// The outcome form: the topic it is for (the open one, or the last closed one
/// until another is chosen), its kind and text, dissent, and the vote it rests on.
#[component]
pub fn OutcomeForm(live: Live) -> impl IntoView {
    let kind = RwSignal::new(String::from("consensus"));
    let text = RwSignal::new(String::new());
    let dissent = RwSignal::new(String::new());
    // The topic chosen in the list; until one is chosen, the open topic or the last closed one.
    let chosen = RwSignal::new(None::<TopicId>);
    let discussed = move || {
        live.state.with(|s| {
            s.as_ref()
                .map(|s| {
                    s.agenda
                        .iter()
                        .filter(|t| t.status != TopicStatus::Pending)
                        .map(|t| (t.id, t.title.clone(), t.outcome.as_ref().map(|o| o.kind)))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let default_topic = move || {
        live.state.with(|s| {
            s.as_ref().and_then(|s| {
                s.current_topic.or_else(|| {
                    s.agenda
                        .iter()
                        .rev()
                        .find(|t| t.status == TopicStatus::Closed)
                        .map(|t| t.id)
                })
            })
        })
    };
    let topic = move || chosen.get().or_else(default_topic);
    // The vote an outcome rests on: the topic's votes, the latest first.
    let vote = RwSignal::new(String::new());
    let topic_votes = move || {
        let t = topic();
        live.state.with(|s| {
            s.as_ref()
                .map(|s| {
                    s.votes
                        .iter()
                        .rev()
                        .filter(|v| t.is_some() && v.topic == t)
                        .map(|v| (v.id, v.question.clone(), v.open))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let answer = FormAnswer::new(live, move || {
        text.set(String::new());
        dissent.set(String::new());
    });
    view! {
        <form class="form" id="outcome" on:submit=move |ev| {
            ev.prevent_default();
            let Some(topic) = topic() else { return };
            let kind = serde_json::from_value(serde_json::Value::String(kind.get())).unwrap_or(OutcomeKind::Consensus);
            let d = dissent.get();
            let vote = vote.get().parse().ok().map(VoteId);
            answer.send(Command::SetOutcome { topic, kind, text: text.get(), dissent: (!d.trim().is_empty()).then_some(d), vote });
        }>
            <h2>{move || t("outcome")}</h2>
            <label class="inline">{move || t("topic")}
                <select name="topic" on:change=move |ev| { chosen.set(event_target_value(&ev).parse().ok().map(TopicId)); vote.set(String::new()); }>
                    {move || discussed().into_iter().map(|(id, title, done)| view! {
                        <option value=id.0 selected=move || topic() == Some(id)>
                            {title}{done.map(|k| format!(" ✓ {}", minutes::outcome_zh(k)))}
                        </option>
                    }).collect_view()}
                </select>
            </label>
            <select name="kind" on:change=move |ev| { kind.set(event_target_value(&ev)); vote.set(String::new()); }>
                {move || [("consensus", OutcomeKind::Consensus), ("passed", OutcomeKind::Passed), ("failed", OutcomeKind::Failed),
                    ("dissent", OutcomeKind::Dissent), ("another_round", OutcomeKind::AnotherRound), ("to_assembly", OutcomeKind::ToAssembly)]
                    .into_iter().map(|(v, k)| view! { <option value=v selected=move || kind.get() == v>{i18n::outcome_kind(k)}</option> }).collect_view()}
            </select>
            <textarea name="text" rows="2" aria-label=move || t("outcome_text") placeholder=move || t("outcome_text") bind:value=text></textarea>
            <label>{move || t("dissent")}<input name="dissent" bind:value=dissent/></label>
            <Show when=move || !topic_votes().is_empty()>
                <label class="inline">{move || t("rests_on_vote")}
                    <select name="vote" prop:value=move || vote.get() on:change=move |ev| vote.set(event_target_value(&ev))>
                        <option value="">{move || t("no_vote")}</option>
                        {move || topic_votes().into_iter().map(|(id, q, open)| view! {
                            <option value=id.0.to_string()>{q}{open.then(|| format!(" ({})", t("voting")))}</option>
                        }).collect_view()}
                    </select>
                </label>
            </Show>
            <button type="submit" disabled=move || answer.waiting()>{move || t("record")}</button>
            <FormError answer=answer/>
        </form>
    }
}
