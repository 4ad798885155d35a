//! What a meeting decided, for everyone after it ends: each topic's outcome
//! and any dissent, the commitments with who and by when, and the minutes once
//! published. Phones show it in place of their controls (and to anyone who
//! scans the posted sheet afterwards, instead of a join form); the projector
//! shows it large.

use crate::i18n::{self, t};
use babahui_shared::{MeetingState, TopicStatus};
use leptos::prelude::*;

/// The closing summary of `s`; `minutes_href` links to the public minutes.
pub fn closing_view(s: &MeetingState, minutes_href: String) -> impl IntoView {
    let topics: Vec<_> = s
        .agenda
        .iter()
        .filter(|t| t.status != TopicStatus::Pending || t.outcome.is_some())
        .map(|topic| {
            let outcome = topic.outcome.clone();
            // The votes held on it, with their result, whatever the outcome says.
            let votes: Vec<_> = s
                .votes
                .iter()
                .filter(|v| v.topic == Some(topic.id) && !v.open)
                .map(|v| {
                    let r = babahui_shared::votes::tally(v);
                    let counts = crate::pages::decisions::labels(v)
                        .into_iter()
                        .zip(r.total.iter())
                        .map(|(l, n)| format!("{l} {n}"))
                        .collect::<Vec<_>>()
                        .join(crate::i18n::comma());
                    view! { <p class="closing-vote">{t("vote")}{i18n::colon()}{v.question.clone()}" — "{counts}" — "<b>{crate::pages::decisions::result_text(v)}</b></p> }
                })
                .collect();
            view! {
                <li class="closing-topic">
                    <b>{topic.title.clone()}</b>
                    {votes}
                    {match outcome {
                        Some(o) => view! {
                            <p><span class="tag outcome-kind">{i18n::outcome_kind(o.kind)}</span>" "{o.text.clone()}</p>
                            {o.dissent.clone().map(|d| view! { <p class="dissent">{t("dissent")}{i18n::colon()}{d}</p> })}
                        }.into_any(),
                        None => view! { <p class="muted">{t("no_outcome")}</p> }.into_any(),
                    }}
                </li>
            }
        })
        .collect();
    let commitments: Vec<_> = s
        .commitments
        .iter()
        .map(|c| {
            view! {
                <li class="closing-commitment">
                    <b>{c.what.clone()}</b>
                    <p>{t("responsible")}{i18n::colon()}{c.responsible.clone()}" · "{t("deadline")}{i18n::colon()}{c.deadline.clone()}</p>
                </li>
            }
        })
        .collect();
    let published = !s.publications.is_empty();
    view! {
        <section class="card closing" aria-live="polite">
            <h2>{t("meeting_closed_title")}</h2>
            <h3>{t("decisions")}</h3>
            {if topics.is_empty() {
                view! { <p class="muted">{t("no_outcome")}</p> }.into_any()
            } else {
                view! { <ol class="list">{topics}</ol> }.into_any()
            }}
            <h3>{t("commitments")}</h3>
            {if commitments.is_empty() {
                view! { <p class="muted">{t("no_commitments")}</p> }.into_any()
            } else {
                view! { <ul class="list">{commitments}</ul> }.into_any()
            }}
            {if published {
                view! { <p><a class="button primary big" href=minutes_href>{t("read_minutes")}</a></p> }.into_any()
            } else {
                view! { <p class="muted">{t("minutes_to_come")}</p> }.into_any()
            }}
        </section>
    }
}
