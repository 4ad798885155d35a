//! The attendee's phone: join once (name, category), then follow the meeting,
//! raise a hand, write opinions and second others'.

use crate::api;
use crate::components::{server_clock, AgendaList, CurrentTopic, FloorView, FormAnswer, StatusBar, TopicClock};
use crate::i18n::{self, t};
use crate::live::Live;
use crate::storage;
use babahui_shared::api::JoinResponse;
use babahui_shared::views::queue_position;
use babahui_shared::*;
use leptos::prelude::*;
use serde_json::json;

/// The attendee page for meeting `id`.
#[component]
pub fn AttendeePage(id: String) -> impl IntoView {
    let key = storage::token_key(&id, "attendee");
    // Joined through the page's plain form: the application carries on as them.
    if let Some(joined) = crate::components::first_paint_attendee() {
        storage::set(&key, &joined);
    }
    let token = RwSignal::new(storage::get(&key));
    let meeting = id.clone();
    move || match token.get() {
        Some(tok) => view! { <AttendeeLive id=meeting.clone() token=tok/> }.into_any(),
        None => view! { <JoinForm id=meeting.clone() token=token/> }.into_any(),
    }
}

/// The one-screen join form.
#[component]
fn JoinForm(id: String, token: RwSignal<Option<String>>) -> impl IntoView {
    let invite = invite_from_url();
    let name = RwSignal::new(String::new());
    let category = RwSignal::new(String::new());
    let publish = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let info = LocalResource::new({
        let id = id.clone();
        move || {
            let id = id.clone();
            async move { api::get::<MeetingState>(&format!("/api/meetings/{id}")).await }
        }
    });
    // Whether the link's code is still the one in force, asked before anyone
    // types: an old or mistyped link is said at the top, not after the form.
    let link_dead = LocalResource::new({
        let (id, invite) = (id.clone(), invite.clone());
        move || {
            let url = format!("/api/meetings/{id}/invite?i={}", js_sys::encode_uri_component(&invite));
            async move {
                matches!(
                    api::get_status(&url).await,
                    Err(api::ApiFailure {
                        code: Some(ErrorCode::InviteInvalid),
                        ..
                    })
                )
            }
        }
    });
    Effect::new(move |_| {
        if info.get().is_some() {
            // Whatever was typed into the page's plain form comes along.
            let (typed, picked, ticked) = crate::components::first_paint_join_fields();
            if !typed.is_empty() && name.get_untracked().is_empty() {
                name.set(typed);
            }
            if let Some(picked) = picked {
                category.set(picked);
            }
            if ticked {
                publish.set(true);
            }
            crate::components::first_paint_done();
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let previous = storage::get(&format!("{}:previous", storage::token_key(&id, "attendee")));
        let body = json!({"invite": invite, "name": name.get(), "category": category.get(),
            "publish_name": publish.get(), "previous_token": previous});
        let id = id.clone();
        leptos::task::spawn_local(async move {
            match api::post::<JoinResponse>(&format!("/api/meetings/{id}/join"), &body, None).await {
                Ok(joined) => {
                    storage::set(&storage::token_key(&id, "attendee"), &joined.token);
                    token.set(Some(joined.token));
                }
                Err(f) => error.set(Some(match f.code {
                    Some(code @ (ErrorCode::InviteInvalid | ErrorCode::MeetingEnded)) => i18n::error(code).to_owned(),
                    Some(ErrorCode::Forbidden) => t("banned").to_owned(),
                    _ => i18n::reason(&f.message).unwrap_or(f.message),
                })),
            }
        });
    };
    view! {
        <main class="page attendee">
            <div class="statusbar"><span class="brand">{move || t("app")}</span><crate::components::LangSwitch/></div>
            <Suspense fallback=|| view! { <p>{t("connecting")}</p> }>
                {move || info.get().map(|r| match r {
                    Err(_) => view! { <p class="notice">{t("not_found")}</p> }.into_any(),
                    // Scanned after the end (the posted sheet): what was decided, not a join form.
                    Ok(s) if s.phase == Phase::Ended => view! {
                        <h1>{s.title.clone()}</h1>
                        {crate::pages::closing::closing_view(&s, format!("/m/{}/minutes", s.id))}
                    }.into_any(),
                    Ok(s) => {
                        if category.get_untracked().is_empty() {
                            category.set(s.attendee_categories.first().cloned().unwrap_or_default());
                        }
                        let cats = s.attendee_categories.clone();
                        view! {
                            <h1>{s.title.clone()}</h1>
                            <p class="muted">{s.place.clone()}" "{s.starts_at.clone()}</p>
                            // What is being discussed, before joining: as the first bytes showed it.
                            {s.open_topic().map(|topic| view! { <p class="now">{t("now_discussing")}{i18n::colon()}<b>{topic.title.clone()}</b></p> })}
                            {move || (link_dead.get() == Some(true)).then(|| view! {
                                <p class="notice form-error link-dead" role="alert">{i18n::error(ErrorCode::InviteInvalid)}</p>
                            })}
                            // A dead link offers no form that could only fail: it says what to do.
                            <form class="form" on:submit=submit.clone() class:hidden=move || link_dead.get() == Some(true)>
                                <h2>{move || t("join_title")}</h2>
                                <label>{move || t("your_name")}<input maxlength="40" bind:value=name autocomplete="name"/></label>
                                <fieldset class="chips" aria-label=move || t("your_category")>
                                    <legend>{move || t("your_category")}</legend>
                                    {cats.into_iter().map(|c| {
                                        let value = c.clone();
                                        let is = c.clone();
                                        view! {
                                            <button type="button" class="chip"
                                                class:selected=move || category.get() == is
                                                aria-pressed=move || (category.get() == value).to_string()
                                                on:click=move |_| category.set(c.clone())>{c.clone()}</button>
                                        }
                                    }).collect_view()}
                                </fieldset>
                                <label class="check"><input type="checkbox" bind:checked=publish/>{move || t("publish_name")}</label>
                                <button type="submit" class="primary big">{move || t("join")}</button>
                                {move || error.get().map(|e| view! { <p class="notice" role="alert">{e}</p> })}
                            </form>
                        }.into_any()
                    }
                })}
            </Suspense>
        </main>
    }
}

fn invite_from_url() -> String {
    let search = window().location().search().unwrap_or_default();
    search
        .trim_start_matches('?')
        .split('&')
        .find_map(|kv| kv.strip_prefix("i="))
        .unwrap_or_default()
        .to_owned()
}

/// The live view once joined.
#[component]
fn AttendeeLive(id: String, token: String) -> impl IntoView {
    let live = Live::start(&id, &token);
    Effect::new(move |_| {
        if live.state.with(|s| s.is_some()) {
            crate::components::first_paint_done();
        }
    });
    let now = server_clock(live);
    let me = move || live.me.get().and_then(|a| a.participant());
    let position = move || {
        live.state
            .with(|s| s.as_ref().zip(me()).and_then(|(s, p)| queue_position(s, p)))
    };
    // A hand belongs to the topic on this screen: raised offline and arriving
    // after that topic closed, it is refused and the phone says so here.
    let hand_answer = FormAnswer::new(live, || {});
    let hand = move |_| match position() {
        Some(_) => live.send(Command::LowerHand { who: None }),
        None => {
            let topic = live.state.with_untracked(|s| s.as_ref().and_then(|s| s.current_topic));
            hand_answer.send(Command::RaiseHand { topic, who: None });
        }
    };
    let started = move || {
        live.state
            .with(|s| s.as_ref().is_some_and(|s| s.phase != Phase::NotStarted))
    };
    // A new topic clears the queue: a person who was waiting is told so, not
    // left waiting to be called.
    let hand_cleared = RwSignal::new(false);
    let last = StoredValue::new((None::<usize>, None::<TopicId>));
    Effect::new(move |_| {
        let now = (
            position(),
            live.state.with(|s| s.as_ref().and_then(|s| s.current_topic)),
        );
        let (was, was_topic) = last.get_value();
        if now.0.is_some() {
            hand_cleared.set(false);
        } else if was.is_some() && now.1 != was_topic {
            hand_cleared.set(true);
        }
        last.set_value(now);
    });
    let speaking_now = move || {
        live.state.with(|s| {
            s.as_ref()
                .and_then(|s| s.floor.as_ref())
                .is_some_and(|f| Some(f.participant) == me())
        })
    };
    let my = move || {
        live.state
            .with(|s| s.as_ref().zip(me()).and_then(|(s, p)| s.participant(p).cloned()))
    };
    forget_refused_token(live, &id);
    let recorder_href = format!("/m/{id}/recorder");
    view! {
        <main class="page attendee">
            <StatusBar live=live/>
            <h1 class="meeting-title">{move || live.state.with(|s| s.as_ref().map(|s| s.title.clone()))}</h1>
            {move || my().map(|p| view! {
                <p class="me">
                    {p.name.clone().unwrap_or_else(|| t("anonymous").to_owned())}" · "{p.category.clone()}
                    {live.state.with(|s| s.as_ref().and_then(|s| crate::components::shown_as(s, p.id)))
                        .map(|a| view! { <br/><small class="muted">{a}</small> })}
                    {p.official.then(|| view! { " · "<b>{t("you_are_official")}</b> })}
                    {p.recorder.then(|| view! { " · "<a class="recorder-link" href=recorder_href.clone()>{t("recorder_page")}</a> })}
                    // A recorder learns here that opinions wait for them.
                    {p.recorder.then(|| live.state.with(|s| s.as_ref().map(babahui_shared::views::held_count)))
                        .flatten().filter(|n| *n > 0)
                        .map(|n| view! { <a class="button primary held-alert" href=recorder_href.clone()>{crate::i18n::count("held_waiting", n)}</a> })}
                </p>
            })}
            // After the end the controls give way to what the meeting decided.
            {
                let id = id.clone();
                move || live.ended().then(|| live.state.with(|s| {
                    s.as_ref().map(|s| crate::pages::closing::closing_view(s, format!("/m/{id}/minutes")))
                }))
            }
            <YourTurn live=live me=Signal::derive(me) position=Signal::derive(position)/>
            <CurrentTopic live=live/>
            <TopicClock live=live now=now/>
            <FloorView live=live now=now/>
            <crate::voice::SpeakNow live=live/>
            // After the end nothing new is said: no hand, no opinion box (what was
            // typed would only be refused).
            // Not while speaking either: the floor is theirs already.
            <Show when=move || !live.ended() && !speaking_now()>
            // Before the start a hand cannot be raised: the button says so rather than fail.
            // Waiting in the queue, the place is news and the button is only a way out:
            // so the place is shown large, and 放下举手 is a plain button beneath it.
            {move || position().map(|n| view! {
                <p class="queue-place" role="status">{t("your_place_n").replace("{n}", &n.to_string())}</p>
            })}
            {move || hand_cleared.get().then(|| view! {
                <p class="notice info hand-cleared" role="status">{t("hand_cleared")}</p>
            })}
            <button class="hand" class:big=move || position().is_none() class:raised=move || position().is_some() on:click=hand
                disabled=move || !started()>
                {move || match position() {
                    // Until the meeting's state has arrived nothing is known yet: not
                    // "after the start" while the meeting is running.
                    _ if live.state.with(|s| s.is_none()) => t("connecting").to_owned(),
                    _ if !started() => t("hand_after_start").to_owned(),
                    Some(_) => t("lower_hand").to_owned(),
                    None => t("raise_hand").to_owned(),
                }}
            </button>
            {move || hand_answer.error.get().map(|n| view! {
                <p class="notice form-error hand-refused" role="alert">
                    {if n.code == ErrorCode::TopicClosed { t("hand_topic_closed") } else { i18n::error(n.code) }}
                </p>
            })}
            </Show>
            <crate::pages::review::RatingCards live=live meeting=id.clone()/>
            <crate::pages::decisions::Ballots live=live meeting=id.clone()/>
            <Show when=move || !live.ended()>
                <crate::pages::decisions::ClosedVotes live=live/>
            </Show>
            <Show when=move || !live.ended()>
                <OpinionForm live=live/>
            </Show>
            // An official answers on the spot and may commit to something there and then.
            <Show when=move || my().is_some_and(|p| p.official)>
                <MyCommitments live=live me=Signal::derive(me)/>
                <Show when=move || !live.ended()>
                    <section class="card official-commitment">
                        <crate::pages::decisions::CommitmentForm live=live/>
                    </section>
                </Show>
            </Show>
            <OpinionList live=live me=Signal::derive(me)/>
            <h2>{move || t("agenda")}</h2>
            <ol class="agenda"><AgendaList live=live/></ol>
        </main>
    }
}

/// A token the server no longer knows (data reset): forget it and offer the join form.
fn forget_refused_token(live: Live, id: &str) {
    let key = storage::token_key(id, "attendee");
    Effect::new(move |_| {
        if live.status.get() == crate::live::Status::Refused {
            // Kept aside: a join from this device says which token it held, so
            // a person removed with a ban cannot come back by joining again.
            if let Some(old) = storage::get(&key) {
                storage::set(&format!("{key}:previous"), &old);
            }
            storage::remove(&key);
            let _ = window().location().reload();
        }
    });
}

/// What concerns this person now: 轮到您发言了 when given the floor (the phone
/// vibrates once, where it can), 下一位就是您 at the head of the queue.
#[component]
fn YourTurn(live: Live, me: Signal<Option<ParticipantId>>, position: Signal<Option<usize>>) -> impl IntoView {
    let speaking = move || {
        live.state.with(|s| {
            s.as_ref()
                .and_then(|s| s.floor.as_ref())
                .is_some_and(|f| Some(f.participant) == me.get())
        })
    };
    Effect::new(move |was: Option<bool>| {
        let now = speaking();
        if now && was == Some(false) {
            let _ = window().navigator().vibrate_with_duration(400);
        }
        now
    });
    move || {
        if speaking() {
            Some(view! { <p class="your-turn" role="alert">{t("your_turn")}</p> }.into_any())
        } else if position.get() == Some(1) {
            Some(view! { <p class="next-is-you" role="status">{t("next_is_you")}</p> }.into_any())
        } else {
            None
        }
    }
}

/// 我的承诺: what this official has committed to, with the deadlines.
#[component]
fn MyCommitments(live: Live, me: Signal<Option<ParticipantId>>) -> impl IntoView {
    move || {
        live.state.with(|s| {
            let s = s.as_ref()?;
            let mine: Vec<_> = s.commitments.iter().filter(|c| c.official.is_some() && c.official == me.get()).cloned().collect();
            (!mine.is_empty()).then(|| view! {
                <section class="card my-commitments">
                    <h2>{t("my_commitments")}</h2>
                    <ul class="list">{mine.into_iter().map(|c| view! {
                        <li><b>{c.what.clone()}</b><br/><small>{t("deadline")}{i18n::colon()}{c.deadline.clone()}</small></li>
                    }).collect_view()}</ul>
                </section>
            })
        })
    }
}

/// Write an opinion: text, optional category and stance.
#[component]
pub fn OpinionForm(live: Live) -> impl IntoView {
    // What was being typed into the page's plain form when the application
    // took over: the text, and the keyboard if it was up.
    let (typed, typing) = crate::components::first_paint_opinion();
    let text = RwSignal::new(typed);
    let area = NodeRef::<leptos::html::Textarea>::new();
    if typing {
        Effect::new(move |_| {
            if let Some(area) = area.get() {
                let _ = area.focus();
                let end = area.value().encode_utf16().count() as u32;
                let _ = area.set_selection_range(end, end);
            }
        });
    }
    let category = RwSignal::new(None::<String>);
    let stance = RwSignal::new(None::<Stance>);
    // 已提交 ✓ once the server has it (not when the button is pressed: the
    // phone may be offline, and then the status bar lists it as waiting).
    let sent = RwSignal::new(false);
    // 已提交 ✓ stays a few seconds, then the form is simply ready again.
    let answer = FormAnswer::new(live, move || {
        sent.set(true);
        set_timeout(move || sent.set(false), std::time::Duration::from_secs(5));
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = text.get();
        if body.trim().is_empty() {
            return;
        }
        // The opinion belongs to the topic on this screen now, even if it is
        // sent later (offline) when another topic is open.
        let topic = live.state.with_untracked(|s| s.as_ref().map(|s| s.current_topic));
        sent.set(false);
        answer.send(Command::SubmitOpinion {
            topic,
            text: body,
            category: category.get(),
            stance: stance.get(),
            author: OpinionAuthor::Me,
            voice: None,
        });
        text.set(String::new());
        category.set(None);
        stance.set(None);
    };
    let categories = move || {
        live.state
            .with(|s| s.as_ref().map(|s| s.opinion_categories.clone()).unwrap_or_default())
    };
    view! {
        <form class="form opinion-form" on:submit=submit>
            <label>{move || t("write_opinion")}
                <textarea rows="3" maxlength=limits::OPINION_MAX_CHARS node_ref=area bind:value=text on:input=move |_| sent.set(false)></textarea>
            </label>
            // Next to the text box; a recording waits for 发送语音, so the chips below go with it.
            <crate::voice::VoiceButton live=live category=category stance=stance/>
            // Each row of choices says what it is (both are optional).
            <p class="chips-label">{move || t("stance_optional")}</p>
            <div class="chips" role="group" aria-label=move || t("stance")>
                {[Stance::Support, Stance::Oppose, Stance::Suggest, Stance::Question].into_iter().map(|s| view! {
                    <button type="button" class="chip" class:selected=move || stance.get() == Some(s)
                        aria-pressed=move || (stance.get() == Some(s)).to_string()
                        on:click=move |_| stance.update(|v| *v = if *v == Some(s) { None } else { Some(s) })>
                        {move || i18n::stance(s)}
                    </button>
                }).collect_view()}
            </div>
            <p class="chips-label">{move || t("category_optional")}</p>
            <div class="chips" role="group" aria-label=move || t("category")>
                {move || categories().into_iter().map(|c| {
                    let (a, b, d) = (c.clone(), c.clone(), c.clone());
                    view! {
                        <button type="button" class="chip" class:selected=move || category.get().as_deref() == Some(a.as_str())
                            aria-pressed=move || (category.get().as_deref() == Some(b.as_str())).to_string()
                            on:click=move |_| category.update(|v| *v = if v.as_deref() == Some(d.as_str()) { None } else { Some(d.clone()) })>
                            {c}
                        </button>
                    }
                }).collect_view()}
            </div>
            // Said just above the button the finger is on (below it, on a phone,
            // it is under the fold).
            {move || if answer.waiting() {
                Some(view! { <p class="muted sending" role="status">{t("sending")}</p> }.into_any())
            } else if sent.get() {
                Some(view! { <p class="sent" role="status">{t("opinion_sent")}</p> }.into_any())
            } else {
                None
            }}
            <button type="submit" class="primary big">{move || t("submit")}</button>
            <crate::components::FormError answer=answer/>
        </form>
    }
}

/// Visible opinions, newest first, with 附议: the open topic's first; the
/// others (earlier topics, before any topic) folded beneath. `read_only`
/// (the follow view from home): the counts without the 附议 buttons.
#[component]
pub fn OpinionList(live: Live, me: Signal<Option<ParticipantId>>, #[prop(optional)] read_only: bool) -> impl IntoView {
    let item = move |s: &MeetingState, o: &Opinion| {
        let id = o.id;
        let mine = o.author.is_some() && o.author == me.get();
        let seconded = me.get().is_some_and(|p| o.seconds.contains(&p));
        let seen_open = o
            .topic
            .and_then(|t| s.topic(t))
            .is_some_and(|t| t.status == TopicStatus::Open);
        let author = o
            .author
            .map(|a| crate::components::public_name_of(s, a))
            .unwrap_or_else(|| t("anonymous").to_owned());
        let seconds = o.seconds.len();
        let late = mine && o.late;
        let held = mine && o.held;
        let held_text = if s.phase == Phase::Ended {
            t("my_held_after_end")
        } else {
            t("my_held")
        };
        let ended = s.phase == Phase::Ended;
        view! {
            <li class="opinion" class:mine=mine>
                <div class="meta">
                    <span class="tag">{o.category.clone()}</span>
                    <span class="tag">{o.stance.map(i18n::stance)}</span>
                    <span class="who">{author}</span>
                    {o.channel.map(|c| view! { <span class="tag channel">{i18n::channel(c)}</span> })}
                </div>
                {crate::voice::voice_line(o)}
                <p class="text">{o.text.clone()}</p>
                {late.then(|| view! { <p class="muted late">{t("my_late")}</p> })}
                {held.then(|| view! { <p class="muted held-line">{held_text}</p> })}
                <div class="actions">
                    <crate::voice::SpeakButton class="small" words=Signal::stored(crate::voice::opinion_words(o))/>
                    <span class="count">{move || t("second")}" "{seconds}</span>
                    {(!mine && !ended && !read_only).then(|| view! {
                        <button class="second" disabled=seconded
                            on:click=move |_| live.send(Command::Second { seen_open, opinion: id, who: None })>
                            {if seconded { t("seconded") } else { t("second") }}
                        </button>
                    })}
                </div>
            </li>
        }
    };
    move || {
        live.state.with(|s| {
            let s = s.as_ref()?;
            let visible = s
                .opinions
                .iter()
                .rev()
                // Held opinions wait for a recorder: only their author sees them meanwhile.
                .filter(|o| {
                    o.hidden.is_none()
                        && o.merged_into.is_none()
                        && (!o.held || (o.author.is_some() && o.author == me.get()))
                });
            let (now, earlier): (Vec<&Opinion>, Vec<&Opinion>) = match s.current_topic {
                Some(topic) => visible.partition(|o| o.topic == Some(topic)),
                None => (visible.collect(), Vec::new()),
            };
            let folded = (!earlier.is_empty()).then(|| {
                let n = earlier.len();
                let items = earlier.into_iter().map(|o| item(s, o)).collect_view();
                view! {
                    <details class="earlier-opinions">
                        <summary>{t("earlier_opinions")}" ("{n}")"</summary>
                        <ul class="opinions">{items}</ul>
                    </details>
                }
            });
            Some(view! {
                <h2>{t("opinion")}</h2>
                <ul class="opinions">{now.into_iter().map(|o| item(s, o)).collect_view()}</ul>
                {folded}
            })
        })
    }
}
