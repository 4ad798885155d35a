//! Votes, outcomes and commitments: the attendee's ballot, the projector's
//! bars, and the moderator's controls (open a vote, count hands, close it,
//! record the outcome and commitments, publish the minutes, fill the ledger).

use crate::components::{FormAnswer, FormError};
use crate::i18n::{self, t};
use crate::live::Live;
use crate::storage;
use babahui_shared::votes::tally;
use babahui_shared::*;
use leptos::prelude::*;

/// Today on this device, `YYYY-MM-DD` (what a date control holds).
fn today() -> String {
    let d = js_sys::Date::new_0();
    format!("{}-{:02}-{:02}", d.get_full_year(), d.get_month() + 1, d.get_date())
}

/// Labels of a vote's choices.
pub fn labels(v: &Vote) -> Vec<String> {
    match &v.kind {
        VoteKind::YesNo => vec![t("yes").into(), t("no").into(), t("abstain").into()],
        VoteKind::Choice(options) => options.clone(),
    }
}

/// The result line of a closed vote.
pub fn result_text(v: &Vote) -> &'static str {
    let r = tally(v);
    if v.open {
        t("voting")
    } else if !r.quorum_met {
        t("no_quorum")
    } else if r.passed {
        t("passed")
    } else {
        t("failed")
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

#[component]
fn OutcomeForm(live: Live) -> impl IntoView {
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
                            let r = crate::api::post(&format!("/api/meetings/{meeting}/ledger"), &serde_json::json!({}), key.as_deref()).await;
                            imported.set(Some(match r {
                                Ok(v) => match v.as_array().map(|a| a.len()).unwrap_or(0) {
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
                                        Some(a) => view! { <p class="muted">{t("answer")}": "{a}</p> }.into_any(),
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
