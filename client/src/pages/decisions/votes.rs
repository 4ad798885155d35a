//! Votes as phones and screens see them: the choices' labels and the result
//! line, the bars per choice (projector and moderator), the attendee's ballot
//! for each open vote, and the results of the votes closed on the open topic.

use crate::components::{FormAnswer, FormError};
use crate::i18n::t;
use crate::live::Live;
use crate::storage;
use babahui_shared::votes::tally;
use babahui_shared::*;
use leptos::prelude::*;

/// Labels of a vote's choices.
pub fn labels(v: &Vote) -> Vec<String> {
    match &v.kind {
        VoteKind::YesNo => vec![t("yes").into(), t("no").into(), t("abstain").into()],
        VoteKind::Choice(options) => options.clone(),
    }
}

/// The result line of a vote. A choice between options says which option
/// passed, which led without reaching the rule, or that it was a tie: "not
/// passed" would misreport a choice where no option was rejected.
pub fn result_text(v: &Vote) -> String {
    let r = tally(v);
    if v.open {
        t("voting").into()
    } else if !r.quorum_met {
        t("no_quorum").into()
    } else if let VoteKind::Choice(options) = &v.kind {
        match r.leader.and_then(|i| options.get(i)) {
            Some(option) if r.passed => format!("{}{}{option}", t("passed"), crate::i18n::colon()),
            Some(option) => format!("{option}{}", t("most_votes_short_of_rule")),
            None => t("tied").into(),
        }
    } else if r.passed {
        t("passed").into()
    } else {
        t("failed").into()
    }
}

/// Bars per choice (phones + hands), for the projector and the moderator.
#[component]
pub fn VoteBars(live: Live, vote: VoteId) -> impl IntoView {
    move || {
        live.state.with(|s| {
            let v = s.as_ref()?.vote(vote)?;
            let r = tally(v);
            // A secret vote shows only how many have voted until it closes: with
            // a handful of voters, live counts would tell a neighbour's choice.
            if v.open && v.secret {
                return Some(view! {
                    <div class="vote-card" data-vote=vote.0>
                        <div class="vote-q">{v.question.clone()}<small>" · "{t("secret_vote")}</small></div>
                        <div class="vote-result">{t("voting")}" · "{r.cast}" "{t("votes_cast")}</div>
                    </div>
                }.into_any());
            }
            let max = r.total.iter().copied().max().unwrap_or(0).max(1);
            let rows = labels(v)
                .into_iter()
                .enumerate()
                .map(|(i, label)| {
                    let width = format!("width:{}%", r.total[i] * 100 / max);
                    view! { <div class="bar"><span class="bar-label">{label}</span><span class="bar-fill" style=width></span><b>{r.total[i]}</b></div> }
                })
                .collect_view();
            Some(view! {
                <div class="vote-card" data-vote=vote.0>
                    <div class="vote-q">{v.question.clone()}<small>" · "{if v.secret { t("secret_vote") } else { t("named_vote") }}</small></div>
                    <div class="bars">{rows}</div>
                    <div class="vote-result" class:passed=!v.open && r.passed>{result_text(v)}" · "{r.cast}" "{t("votes_cast")}</div>
                </div>
            }.into_any())
        })
    }
}

/// The attendee's ballot for every open vote: a card of its own (请投票),
/// unlike the opinion form's stance chips, its buttons saying 投：赞成. A
/// secret ballot cannot be read back from the state (nothing there says who
/// voted what), so the phone remembers its own choice locally — once the
/// server has it: 已投票 ✓ only then, 正在投票… before.
#[component]
pub fn Ballots(live: Live, meeting: String) -> impl IntoView {
    // One card per open vote, kept across state changes (a keyed list), so a
    // choice being sent is not forgotten when the next event arrives.
    let open = move || {
        live.state
            .with(|s| {
                s.as_ref()
                    .map(|s| s.votes.iter().filter(|v| v.open).map(|v| v.id).collect::<Vec<_>>())
            })
            .unwrap_or_default()
    };
    view! {
        <For each=open key=|id| *id let:vote>
            <Ballot live=live meeting=meeting.clone() vote=vote/>
        </For>
    }
}

/// One open vote's card.
#[component]
fn Ballot(live: Live, meeting: String, vote: VoteId) -> impl IntoView {
    let key = format!("bbh:ballot:{meeting}:{}", vote.0);
    let me = live.me.get_untracked().and_then(|a| a.participant());
    let named = live.state.with_untracked(|s| {
        s.as_ref()
            .and_then(|s| s.vote(vote))
            .and_then(|v| me.and_then(|p| v.named.iter().find(|b| b.participant == p).map(|b| b.choice)))
    });
    let confirmed = RwSignal::new(named.or_else(|| storage::get(&key).and_then(|c| c.parse().ok())));
    let chosen = RwSignal::new(confirmed.get_untracked());
    let answer = FormAnswer::new(live, move || {
        let c = chosen.get_untracked();
        confirmed.set(c);
        if let Some(c) = c {
            storage::set(&key, &c.to_string());
        }
    });
    // A vote just opened comes into view (and the phone vibrates once): a
    // resident scrolled down to the opinions would otherwise never see it.
    let card = NodeRef::<leptos::html::Section>::new();
    Effect::new(move |done: Option<bool>| {
        if done == Some(true) {
            return true;
        }
        match card.get() {
            Some(el) => {
                // After layout, or the page may still be growing beneath it.
                set_timeout(
                    move || el.scroll_into_view_with_bool(true),
                    std::time::Duration::from_millis(150),
                );
                let _ = window().navigator().vibrate_with_duration(200);
                true
            }
            None => false,
        }
    });
    move || {
        let v = live.state.with(|s| s.as_ref().and_then(|s| s.vote(vote)).cloned())?;
        Some(view! {
            <section class="card ballot" data-vote=vote.0 node_ref=card>
                <p class="ballot-title">{t("ballot_title")}</p>
                <h2>{v.question.clone()}</h2>
                <p class="muted">{if v.secret { t("secret_vote") } else { t("named_vote") }}</p>
                <div class="choices">
                    {labels(&v).into_iter().enumerate().map(|(i, label)| {
                        let i = i as u32;
                        view! {
                            <button class="choice big" class:selected=move || chosen.get() == Some(i)
                                aria-pressed=move || (chosen.get() == Some(i)).to_string()
                                on:click=move |_| {
                                    chosen.set(Some(i));
                                    answer.send(Command::CastVote { vote, choice: i, ballot_key: None });
                                }>{t("vote_for")}{label}</button>
                        }
                    }).collect_view()}
                </div>
                {move || if answer.waiting() {
                    Some(view! { <p class="muted">{t("ballot_sending")}</p> }.into_any())
                } else if confirmed.get().is_some() && confirmed.get() == chosen.get() {
                    Some(view! { <p class="voted">{t("ballot_sent")}</p> }.into_any())
                } else {
                    None
                }}
                <FormError answer=answer/>
            </section>
        })
    }
}

/// Results of the votes closed on the open topic (the latest first), for phones.
#[component]
pub fn ClosedVotes(live: Live) -> impl IntoView {
    move || {
        let closed: Vec<VoteId> = live.state.with(|s| {
            s.as_ref()
                .map(|s| {
                    s.votes
                        .iter()
                        .rev()
                        .filter(|v| !v.open && v.topic.is_some() && v.topic == s.current_topic)
                        .map(|v| v.id)
                        .collect()
                })
                .unwrap_or_default()
        });
        (!closed.is_empty()).then(|| {
            view! {
                <section class="card vote-results">
                    <h2>{t("vote_results")}</h2>
                    {closed.into_iter().map(|v| view! { <VoteBars live=live vote=v/> }).collect_view()}
                </section>
            }
        })
    }
}
