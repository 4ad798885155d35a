//! Commitments (承诺): what, who, by when, and which opinions each answers.

use crate::components::{FormAnswer, FormError};
use crate::i18n::t;
use crate::live::Live;
use babahui_shared::*;
use leptos::prelude::*;

/// Today on this device, `YYYY-MM-DD` (what a date control holds).
fn today() -> String {
    let d = js_sys::Date::new_0();
    format!("{}-{:02}-{:02}", d.get_full_year(), d.get_month() + 1, d.get_date())
}

/// A commitment (承诺): what, who, by when, and which opinions it answers —
/// on the moderator's tablet, and on an official's own phone.
#[component]
pub fn CommitmentForm(live: Live) -> impl IntoView {
    let what = RwSignal::new(String::new());
    let who = RwSignal::new(String::new());
    let deadline = RwSignal::new(String::new());
    // The opinions the commitment answers, picked from the open topic's.
    let answers = RwSignal::new(Vec::<OpinionId>::new());
    let topic_opinions = move || {
        live.state.with(|s| {
            s.as_ref()
                .map(|s| {
                    s.opinions
                        .iter()
                        // The open topic's opinions, and those given before or
                        // between topics (the first to raise a matter is often early).
                        .filter(|o| {
                            (o.topic.is_none() || o.topic == s.current_topic)
                                && o.hidden.is_none()
                                && o.merged_into.is_none()
                                && !o.held
                        })
                        .map(|o| (o.id, o.text.chars().take(24).collect::<String>()))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    // What was typed stays until the server has the commitment: a refusal
    // (a date, a missing owner) is shown here and nothing has to be typed again.
    let answer = FormAnswer::new(live, move || {
        what.set(String::new());
        who.set(String::new());
        deadline.set(String::new());
        answers.set(Vec::new());
    });
    view! {
        <form class="form" id="commitment" on:submit=move |ev| {
            ev.prevent_default();
            // A deadline already past is usually a slip of the finger: ask.
            let filled = !what.get().trim().is_empty() && !who.get().trim().is_empty();
            if filled
                && deadline.get().as_str() < today().as_str()
                && !window().confirm_with_message(t("past_deadline")).unwrap_or(false)
            {
                return;
            }
            answer.send(Command::AddCommitment { topic: None, what: what.get(), responsible: who.get(), deadline: deadline.get(), opinions: answers.get() });
        }>
            <h2>{move || t("commitment")}</h2>
            <input name="what" placeholder=move || t("commitment") aria-label=move || t("commitment") bind:value=what/>
            <div class="row">
                <input name="responsible" placeholder=move || t("responsible") aria-label=move || t("responsible") bind:value=who/>
                <label class="inline">{move || t("deadline")}<input name="deadline" type="date" required bind:value=deadline/></label>
            </div>
            <Show when=move || !topic_opinions().is_empty()>
                <p class="muted">{move || t("answers_opinions")}</p>
                <div class="row answers">
                    {move || topic_opinions().into_iter().map(|(id, text)| view! {
                        <button type="button" class="chip" data-opinion=id.0
                            class:selected=move || answers.get().contains(&id)
                            on:click=move |_| answers.update(|a| if let Some(i) = a.iter().position(|x| *x == id) { a.remove(i); } else { a.push(id); })>
                            "#"{id.0}" "{text}
                        </button>
                    }).collect_view()}
                </div>
            </Show>
            <button type="submit" disabled=move || answer.waiting()>{move || t("record")}</button>
            <FormError answer=answer/>
            <ul class="list">
                {move || live.state.with(|s| s.as_ref().map(|s| s.commitments.iter().map(|c| view! {
                    <li>{c.what.clone()}" · "{c.responsible.clone()}" · "{c.deadline.clone()}</li>
                }).collect_view()))}
            </ul>
        </form>
    }
}
