//! The moderator's decisions panel: open a vote (question, options, secret or
//! named, pass rule, quorum), count hands and close each open vote, with the
//! outcome and commitment forms beneath.

use super::commitments::CommitmentForm;
use super::outcome::OutcomeForm;
use super::votes::{labels, VoteBars};
use crate::components::{FormAnswer, FormError};
use crate::i18n::t;
use crate::live::Live;
use babahui_shared::votes::tally;
use babahui_shared::*;
use leptos::prelude::*;

/// The moderator's decisions panel.
#[component]
pub fn DecisionsPanel(live: Live) -> impl IntoView {
    let question = RwSignal::new(String::new());
    let options = RwSignal::new(String::new());
    let secret = RwSignal::new(true);
    let rule = RwSignal::new(String::from("majority"));
    let quorum = RwSignal::new(String::new());
    let vote_answer = FormAnswer::new(live, move || {
        question.set(String::new());
        options.set(String::new());
    });
    let vote_problem = RwSignal::new(None::<&'static str>);
    let open_vote = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let opts = crate::pages::organiser::parse_categories(&options.get());
        // Never turn what was typed into something else: one option is not a
        // choice, and a quorum must be a whole number.
        let q = quorum.get();
        vote_problem.set(if opts.len() == 1 {
            Some(t("one_option"))
        } else if !q.trim().is_empty() && q.trim().parse::<u32>().is_err() {
            Some(t("bad_quorum"))
        } else {
            None
        });
        if vote_problem.get_untracked().is_some() {
            return;
        }
        let kind = if opts.len() >= 2 {
            VoteKind::Choice(opts)
        } else {
            VoteKind::YesNo
        };
        let rule = match rule.get().as_str() {
            "two_thirds" => PassRule::TwoThirds,
            "majority" => PassRule::Majority,
            other => PassRule::Share(other.parse().unwrap_or(90)),
        };
        let quorum = quorum.get().trim().parse().ok();
        vote_answer.send(Command::OpenVote {
            question: question.get(),
            kind,
            secret: secret.get(),
            rule,
            quorum,
        });
    };
    let votes = move || {
        live.state.with(|s| {
            s.as_ref()
                .map(|s| {
                    s.votes
                        .iter()
                        .rev()
                        .map(|v| (v.id, v.open, labels(v)))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    view! {
        <section class="card decisions">
            <h2>{move || t("vote")}</h2>
            // A vote is opened while the meeting runs (refused after its end);
            // the results stay shown.
            <Show when=move || !live.ended()>
                <form class="form" id="open-vote" on:submit=open_vote>
                    <label>{move || t("question")}<input name="question" maxlength="200" bind:value=question/></label>
                    <label>{move || t("options_hint")}<input name="options" bind:value=options/></label>
                    <div class="row">
                        <label class="check"><input type="checkbox" name="secret" bind:checked=secret/>{move || t("secret_vote")}</label>
                        <label class="inline">{move || t("rule")}
                            <select name="rule" on:change=move |ev| rule.set(event_target_value(&ev))>
                                <option value="majority">{move || t("majority")}</option>
                                <option value="two_thirds">{move || t("two_thirds")}</option>
                                <option value="90">"90%"</option>
                            </select>
                        </label>
                        <input class="minutes" name="quorum" type="number" min="0" placeholder=move || t("quorum") aria-label=move || t("quorum") bind:value=quorum/>
                    </div>
                    <button type="submit" class="primary" disabled=move || vote_answer.waiting()>{move || t("open_vote")}</button>
                    <FormError answer=vote_answer/>
                    {move || vote_problem.get().map(|p| view! { <p class="notice form-error" role="alert">{p}</p> })}
                </form>
            </Show>
            <VotesExceedAttendance live=live/>
            {move || votes().into_iter().map(|(id, open, choice_labels)| {
                let hands: Vec<RwSignal<String>> = choice_labels.iter().map(|_| RwSignal::new(String::new())).collect();
                let hands2 = hands.clone();
                view! {
                    <VoteBars live=live vote=id/>
                    {open.then(|| view! {
                        <div class="row hands">
                            <span>{t("hands")}</span>
                            // Each box says which choice it counts: outdoors, a count typed into the wrong box is a wrong record.
                            {hands.iter().zip(choice_labels).map(|(h, label)| { let h = *h; view! {
                                <label class="inline hand-count">{label}<input class="minutes" type="number" min="0" inputmode="numeric" bind:value=h/></label>
                            } }).collect_view()}
                            <button class="save-hands" on:click=move |_| {
                                let counts = hands2.iter().map(|h| h.get().trim().parse().unwrap_or(0)).collect();
                                live.send(Command::CountHands { vote: id, counts });
                            }>{t("save_hands")}</button>
                            <button class="close-vote danger" on:click=move |_| {
                                if window().confirm_with_message(t("confirm_close_vote")).unwrap_or(false) {
                                    live.send(Command::CloseVote { vote: id });
                                }
                            }>{t("close_vote")}</button>
                        </div>
                    })}
                }
            }).collect_view()}
            <OutcomeForm live=live/>
            <CommitmentForm live=live/>
        </section>
    }
}

/// A warning on the tablet when a vote has more votes than people are
/// recorded present (hands counted for people without a phone, who were not
/// counted in): the minutes would otherwise say 3 present beside 6 votes.
#[component]
pub fn VotesExceedAttendance(live: Live) -> impl IntoView {
    move || {
        live.state.with(|s| {
            let s = s.as_ref()?;
            let present = s.participants.iter().filter(|p| !p.removed).count() + s.without_phone as usize;
            let most = s.votes.iter().map(|v| tally(v).cast as usize).max()?;
            (most > present).then(|| {
                view! {
                    <p class="notice form-error votes-exceed" role="alert">
                        {t("votes_exceed_attendance").replace("{v}", &most.to_string()).replace("{n}", &present.to_string())}
                    </p>
                }
            })
        })
    }
}
