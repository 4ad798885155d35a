//! The moderator's tablet (landscape): agenda and stages, the queue and the
//! floor with its countdown, officials' responses and follow-ups, settings,
//! speaking time by group, participants and roles, the opinion wall, and
//! ending the meeting.

use crate::components::{
    enable_sound, mmss, name_of, server_clock, shown_as, OpinionWall, StatusBar, TimeUpChime, TopicClock,
};
use crate::i18n::{self, t};
use crate::live::Live;
use crate::storage;
use babahui_shared::views::{attendance_by_category, floor_remaining_ms, speaking_time_by_category};
use babahui_shared::*;
use leptos::prelude::*;

/// The moderator page for meeting `id`.
#[component]
pub fn ModeratorPage(id: String) -> impl IntoView {
    match storage::token_from_fragment(&id, "moderator") {
        None => view! { <main class="page"><p class="notice">{move || t("no_token")}</p></main> }.into_any(),
        Some(token) => view! { <ModeratorLive id=id token=token/> }.into_any(),
    }
}

/// The question before ending the meeting, naming the topics discussed
/// without an outcome recorded (they would go into the minutes as 未形成结论).
fn end_question(live: Live) -> String {
    let missing: Vec<String> = live.state.with_untracked(|s| {
        s.as_ref()
            .map(|s| {
                s.agenda
                    .iter()
                    .filter(|t| t.status != TopicStatus::Pending && t.outcome.is_none())
                    .map(|t| format!("「{}」", t.title))
                    .collect()
            })
            .unwrap_or_default()
    });
    if missing.is_empty() {
        t("confirm_end").to_owned()
    } else {
        format!(
            "{}\n\n{}{}",
            t("confirm_end"),
            t("topics_without_outcome"),
            missing.join("、")
        )
    }
}

fn confirm(message: &str) -> bool {
    window().confirm_with_message(message).unwrap_or(false)
}

#[component]
fn ModeratorLive(id: String, token: String) -> impl IntoView {
    let live = Live::start(&id, &token);
    let now = server_clock(live);
    let phase = move || live.state.with(|s| s.as_ref().map(|s| s.phase));
    let follow_id = id.clone();
    view! {
        // Any touch enables the time-up chime (browsers need a gesture first).
        <main class="page moderator" on:pointerdown=move |_| { enable_sound(); }>
            <StatusBar live=live/>
            <TimeUpChime live=live now=now/>
            <header class="mod-head">
                <h1>{move || live.state.with(|s| s.as_ref().map(|s| s.title.clone()))}</h1>
                <span class="phase">{move || phase().map(i18n::phase)}</span>
                {move || match phase() {
                    Some(Phase::NotStarted) => Some(view! { <button class="primary" id="start-meeting" on:click=move |_| live.send(Command::StartMeeting)>{t("start_meeting")}</button> }.into_any()),
                    Some(Phase::Running) => Some(view! { <button class="danger" id="end-meeting" on:click=move |_| if confirm(&end_question(live)) { live.send(Command::EndMeeting) }>{t("end_meeting")}</button> }.into_any()),
                    _ => None,
                }}
            </header>
            <Show when=move || phase() == Some(Phase::NotStarted)>
                <EditDetails live=live/>
            </Show>
            // The live controls never scroll away: who has the floor, the
            // countdown, 请下一位, 请回应, 追问, pause and +1 min — and one tap
            // to every part of the page below.
            <LiveBar live=live now=now/>
            <div class="mod-grid" class:ended=move || live.ended() id="sec-meeting">
                <section class="card col">
                    <Agenda live=live/>
                    <TopicClock live=live now=now/>
                    // Settings are for the meeting as it runs: refused after its end.
                    <Show when=move || !live.ended()>
                        <Settings live=live/>
                        <crate::pages::follow::FollowersLine id=follow_id.clone()/>
                    </Show>
                    <SpeakingTime live=live now=now/>
                </section>
                // The queue is the meeting as it runs.
                <Show when=move || !live.ended()>
                    <section class="card col">
                        <Queue live=live/>
                    </section>
                </Show>
                <section class="card col">
                    <h2>{move || t("opinion")}</h2>
                    <OpinionWall live=live/>
                </section>
            </div>
            <div id="sec-review"><crate::pages::review::ReviewPanel live=live/></div>
            <div id="sec-decisions"><crate::pages::decisions::DecisionsPanel live=live/></div>
            <section class="card" id="sec-minutes"><crate::pages::decisions::PublishForm live=live meeting=id.clone()/></section>
            <div id="sec-people"><Participants live=live/></div>
        </main>
    }
}

/// Before the start: correct the title, place and time (the agenda is edited
/// in place, below).
#[component]
fn EditDetails(live: Live) -> impl IntoView {
    let get =
        move |f: fn(&MeetingState) -> String| live.state.with_untracked(|s| s.as_ref().map(f).unwrap_or_default());
    let title = RwSignal::new(get(|s| s.title.clone()));
    let place = RwSignal::new(get(|s| s.place.clone()));
    let time = RwSignal::new(get(|s| s.starts_at.clone().unwrap_or_default()));
    let answer = crate::components::FormAnswer::new(live, || {});
    view! {
        <details class="card edit-details">
            <summary>{move || t("edit_details")}</summary>
            <form class="form" id="edit-details" on:submit=move |ev| {
                ev.prevent_default();
                let time = time.get();
                answer.send(Command::EditDetails { title: title.get(), place: place.get(), starts_at: (!time.trim().is_empty()).then_some(time) });
            }>
                <label>{move || t("title")}<input name="title" maxlength="100" bind:value=title/></label>
                <label>{move || t("place")}<input name="place" maxlength="100" bind:value=place/></label>
                <label>{move || t("time")}<input name="time" maxlength="100" bind:value=time/></label>
                <button type="submit" class="primary">{move || t("save")}</button>
                <crate::components::FormError answer=answer/>
            </form>
        </details>
    }
}

#[component]
fn Agenda(live: Live) -> impl IntoView {
    let title = RwSignal::new(String::new());
    let minutes = RwSignal::new(String::from("10"));
    let next_pending = move || {
        live.state.with(|s| {
            s.as_ref()
                .and_then(|s| s.agenda.iter().find(|t| t.status == TopicStatus::Pending).map(|t| t.id))
        })
    };
    // Topics are opened, staged and closed only while the meeting runs; the buttons
    // are not offered before the start or after the end, where they would be refused.
    // The agenda itself can be prepared before the start, but not changed after the end.
    let running = move || {
        live.state
            .with(|s| s.as_ref().is_some_and(|s| s.phase == Phase::Running))
    };
    view! {
        <h2>{move || t("agenda")}</h2>
        <ol class="agenda">
            {move || live.state.with(|s| s.as_ref().map(|s| {
                let n = s.agenda.len();
                let running = s.phase == Phase::Running;
                let movable = s.phase != Phase::Ended;
                s.agenda.iter().enumerate().map(|(i, topic)| {
                    let id = topic.id;
                    let open = topic.status == TopicStatus::Open;
                    let closed = topic.status == TopicStatus::Closed;
                    let minutes = (topic.minutes > 0).then(|| format!(" · {}{}", topic.minutes, t("minutes_short")));
                    view! {
                        <li class="topic" class:open=open class:closed=closed>
                            <span class="topic-title">{topic.title.clone()}{minutes}</span>
                            {(running && !open).then(|| view! {
                                <button class="open-topic" on:click=move |_| live.send(Command::OpenTopic { topic: id })>
                                    {if closed { t("reopen_topic") } else { t("open_topic") }}
                                </button>
                            })}
                            // Before the start a topic can still be renamed or taken off.
                            {(topic.status == TopicStatus::Pending && s.phase == Phase::NotStarted).then(|| {
                                let old = topic.title.clone();
                                let minutes = topic.minutes;
                                view! {
                                    <button class="small edit-topic" aria-label=t("edit") on:click=move |_| {
                                        if let Ok(Some(title)) = window().prompt_with_message_and_default(t("edit_topic"), &old) {
                                            if !title.trim().is_empty() {
                                                live.send(Command::EditTopic { topic: id, title, minutes });
                                            }
                                        }
                                    }>"✎"</button>
                                    <button class="small remove-topic" aria-label=t("remove") on:click=move |_| {
                                        if confirm(t("confirm_remove_topic")) {
                                            live.send(Command::RemoveTopic { topic: id });
                                        }
                                    }>"✕"</button>
                                }
                            })}
                            {(movable && i > 0).then(|| view! { <button class="small" aria-label=t("up") on:click=move |_| live.send(Command::MoveTopic { topic: id, position: (i - 1) as u32 })>"↑"</button> })}
                            {(movable && i + 1 < n).then(|| view! { <button class="small" aria-label=t("down") on:click=move |_| live.send(Command::MoveTopic { topic: id, position: (i + 1) as u32 })>"↓"</button> })}
                        </li>
                    }
                }).collect_view()
            }))}
        </ol>
        <Show when=running>
            {move || next_pending().map(|id| view! {
                <button class="primary" id="next-topic" on:click=move |_| live.send(Command::OpenTopic { topic: id })>{t("next_topic")}</button>
            })}
            <div class="row stages">
                {[Stage::Intro, Stage::Questions, Stage::Discussion, Stage::Conclusion].into_iter().map(|st| view! {
                    <button class="chip" class:selected=move || live.state.with(|s| s.as_ref().and_then(|s| s.open_topic()).and_then(|t| t.stage) == Some(st))
                        on:click=move |_| live.send(Command::SetStage { stage: st })>{move || i18n::stage(st)}</button>
                }).collect_view()}
            </div>
            <button on:click=move |_| {
                // A topic closed without an outcome is recorded as 未形成结论: say so first.
                let has_outcome = live.state.with_untracked(|s| s.as_ref().and_then(|s| s.open_topic()).is_some_and(|t| t.outcome.is_some()));
                if has_outcome || confirm(t("confirm_close_without_outcome")) {
                    live.send(Command::CloseTopic);
                }
            }>{move || t("close_topic")}</button>
        </Show>
        <Show when=move || !live.ended()>
            <form class="row add-topic" on:submit=move |ev| {
                ev.prevent_default();
                if title.get().trim().is_empty() { return; }
                live.send(Command::AddTopic { title: title.get(), minutes: minutes.get().parse().unwrap_or(0), position: None });
                title.set(String::new());
            }>
                <input placeholder=move || t("add_topic") aria-label=move || t("add_topic") maxlength="100" bind:value=title/>
                <input class="minutes" type="number" min="0" max="600" aria-label=move || t("minutes_short") bind:value=minutes/>
                <button type="submit">{move || t("add_topic")}</button>
            </form>
        </Show>
    }
}

/// The bar at the top of the tablet that never scrolls away.
#[component]
fn LiveBar(live: Live, now: RwSignal<f64>) -> impl IntoView {
    let jump = |target: &'static str| {
        move |_| {
            if let Some(e) = document().get_element_by_id(target) {
                e.scroll_into_view();
            }
        }
    };
    view! {
        <div class="live-bar">
            <Show when=move || !live.ended()>
                <div class="live-row">
                    <Floor live=live now=now/>
                    <button class="primary" id="call-next" on:click=move |_| live.send(Command::CallNext)>
                        {move || t("call_next")}
                        {move || live.state.with(|s| s.as_ref().map(|s| s.queue.len()).filter(|n| *n > 0)
                            .map(|n| format!("（{}{}）", n, t("waiting_people"))))}
                    </button>
                </div>
                <Officials live=live/>
            </Show>
            // Opinions held for approval wait here, one tap from the wall.
            {move || live.state.with(|s| s.as_ref().map(babahui_shared::views::held_count))
                .filter(|n| *n > 0)
                .map(|n| view! { <button class="chip held-chip" on:click=jump("sec-meeting")>{crate::i18n::count("held_waiting", n)}</button> })}
            <nav class="jump" aria-label=move || t("sections")>
                <button class="chip" on:click=jump("sec-meeting")>{move || t("sec_meeting")}</button>
                <button class="chip" on:click=jump("sec-decisions")>{move || t("sec_decisions")}</button>
                <button class="chip" on:click=jump("sec-review")>{move || t("sec_review")}</button>
                <button class="chip" on:click=jump("sec-minutes")>{move || t("sec_minutes")}</button>
                <button class="chip" on:click=jump("sec-people")>{move || t("sec_people")}</button>
            </nav>
        </div>
    }
}

/// Who has the floor, the countdown (已暂停 when paused) and its controls.
#[component]
fn Floor(live: Live, now: RwSignal<f64>) -> impl IntoView {
    move || {
        live.state.with(|s| {
            let s = s.as_ref()?;
            let Some(f) = s.floor.as_ref() else {
                return Some(view! { <div class="floor empty muted">{t("nobody_speaking")}</div> }.into_any());
            };
            let left = floor_remaining_ms(f, now.get() as u64);
            let running = f.running_since.is_some();
            Some(view! {
                <div class="floor" id="floor" class:paused=!running>
                    <div class="floor-who">
                        <span class="floor-kind">{i18n::floor_kind(f.kind)}</span>
                        <span class="floor-name">{name_of(s, f.participant)}</span>
                        {shown_as(s, f.participant).map(|a| view! { <span class="shown-as">{a}</span> })}
                    </div>
                    <div class="countdown" class:over=left < 0 role="timer">{mmss(left)}</div>
                    {(!running).then(|| view! { <span class="paused-tag">{t("paused")}</span> })}
                    {if running {
                        view! { <button id="pause" on:click=move |_| live.send(Command::PauseTimer)>{t("pause")}</button> }.into_any()
                    } else {
                        view! { <button id="resume" on:click=move |_| live.send(Command::StartTimer)>{t("resume")}</button> }.into_any()
                    }}
                    <button id="add-minute" on:click=move |_| live.send(Command::AdjustTimer { delta_secs: 60 })>{t("add_minute")}</button>
                    <button id="end-floor" on:click=move |_| live.send(Command::EndFloor)>{t("end_floor")}</button>
                </div>
            }.into_any())
        })
    }
}

#[component]
fn Queue(live: Live) -> impl IntoView {
    view! {
        <h2>{move || t("queue")}</h2>
        <ol class="queue" id="queue">
            {move || live.state.with(|s| s.as_ref().map(|s| {
                let n = s.queue.len();
                if n == 0 {
                    return view! { <li class="muted">{t("queue_empty")}</li> }.into_any();
                }
                s.queue.iter().enumerate().map(|(i, p)| {
                    let p = *p;
                    let category = s.participant(p).map(|x| x.category.clone());
                    view! {
                        <li>
                            <span class="who">{name_of(s, p)}<small>" "{category}</small>
                                {shown_as(s, p).map(|a| view! { <small class="shown-as">" · "{a}</small> })}</span>
                            <span class="actions">
                                <button on:click=move |_| live.send(Command::GiveFloor { participant: p, kind: FloorKind::Speak, limit_secs: None })>{t("give_floor")}</button>
                                // Both arrows always, greyed at the ends, so every row's buttons line up.
                                <button class="small" aria-label=t("up") disabled={i == 0} on:click=move |_| live.send(Command::MoveInQueue { participant: p, position: i.saturating_sub(1) as u32 })>"↑"</button>
                                <button class="small" aria-label=t("down") disabled={i + 1 >= n} on:click=move |_| live.send(Command::MoveInQueue { participant: p, position: (i + 1) as u32 })>"↓"</button>
                                <button class="small" on:click=move |_| live.send(Command::LowerHand { who: Some(p) })>{t("remove")}</button>
                            </span>
                        </li>
                    }
                }).collect_view().into_any()
            }))}
        </ol>
    }
}

/// Officials' responses, and the last speaker's follow-up.
#[component]
fn Officials(live: Live) -> impl IntoView {
    let last_speaker = move || {
        live.state.with(|s| {
            let s = s.as_ref()?;
            let from_floor = s
                .floor
                .as_ref()
                .filter(|f| f.kind == FloorKind::Speak)
                .map(|f| f.participant);
            from_floor.or_else(|| {
                s.open_topic()?
                    .speeches
                    .iter()
                    .rev()
                    .find(|sp| sp.kind == FloorKind::Speak)
                    .map(|sp| sp.participant)
            })
        })
    };
    view! {
        <div class="live-row officials">
            {move || live.state.with(|s| s.as_ref().map(|s| s.participants.iter().filter(|p| p.official && !p.removed).map(|p| {
                let id = p.id;
                view! {
                    <button class="respond" on:click=move |_| live.send(Command::GiveFloor { participant: id, kind: FloorKind::Response, limit_secs: None })>
                        {t("give_response")}{move || crate::i18n::colon()}{name_of(s, id)}
                    </button>
                }
            }).collect_view()))}
            {move || last_speaker().map(|p| view! {
                <button class="follow-up" on:click=move |_| live.send(Command::GiveFloor { participant: p, kind: FloorKind::FollowUp, limit_secs: None })>
                    {t("follow_up_btn")}{move || crate::i18n::colon()}{live.state.with(|s| s.as_ref().map(|s| name_of(s, p)))}
                </button>
            })}
        </div>
    }
}

#[component]
fn Settings(live: Live) -> impl IntoView {
    let settings = move || {
        live.state
            .with(|s| s.as_ref().map(|s| s.settings.clone()).unwrap_or_default())
    };
    view! {
        <h2>{move || t("settings")}</h2>
        <label class="check">
            <input type="checkbox" prop:checked=move || settings().first_timers_first
                on:change=move |ev| live.send(Command::ChangeSettings { speaking_limit_secs: None, first_timers_first: Some(event_target_checked(&ev)), online_opinions: None, read_aloud: None })/>
            {move || t("first_timers")}
        </label>
        <label class="check">
            <input type="checkbox" name="online-opinions" prop:checked=move || settings().online_opinions
                on:change=move |ev| live.send(Command::ChangeSettings { speaking_limit_secs: None, first_timers_first: None, online_opinions: Some(event_target_checked(&ev)), read_aloud: None })/>
            {move || t("online_opinions")}
        </label>
        <label class="check">
            <input type="checkbox" name="read-aloud" prop:checked=move || settings().read_aloud
                on:change=move |ev| live.send(Command::ChangeSettings { speaking_limit_secs: None, first_timers_first: None, online_opinions: None, read_aloud: Some(event_target_checked(&ev)) })/>
            {move || t("read_aloud_setting")}
        </label>
        {move || settings().read_aloud.then(|| view! { <p class="muted read-aloud-note">{t("read_aloud_needs_sound")}</p> })}
        <label class="check">
            <input type="checkbox" name="hold-opinions" prop:checked=move || settings().hold_opinions
                on:change=move |ev| live.send(Command::HoldOpinions { on: event_target_checked(&ev) })/>
            {move || t("hold_opinions")}
        </label>
        <label class="inline">{move || t("limit")}
            <select on:change=move |ev| {
                if let Ok(secs) = event_target_value(&ev).parse::<u32>() {
                    live.send(Command::ChangeSettings { speaking_limit_secs: Some(secs), first_timers_first: None, online_opinions: None, read_aloud: None });
                }
            }>
                {[60u32, 120, 180, 300].into_iter().map(|secs| view! {
                    <option value=secs.to_string() selected=move || settings().speaking_limit_secs == secs>{mmss(i64::from(secs) * 1000)}</option>
                }).collect_view()}
            </select>
        </label>
    }
}

/// Speaking time per group, so the moderator sees whether one group dominates.
#[component]
fn SpeakingTime(live: Live, now: RwSignal<f64>) -> impl IntoView {
    view! {
        <h2>{move || t("speaking_time")}</h2>
        <div class="bars small-bars">
            {move || live.state.with(|s| s.as_ref().map(|s| {
                let rows = speaking_time_by_category(s, now.get() as u64);
                if rows.is_empty() {
                    return view! { <p class="muted">{t("no_speech_yet")}</p> }.into_any();
                }
                let max = rows.iter().map(|(_, ms)| *ms).max().unwrap_or(0).max(1);
                rows.into_iter().map(|(c, ms)| {
                    let width = format!("width:{}%", ms * 100 / max);
                    view! { <div class="bar"><span class="bar-label">{c}</span><span class="bar-fill" style=width></span><b>{mmss(ms as i64)}</b></div> }
                }).collect_view().into_any()
            }))}
        </div>
        <h2>{move || t("attendance")}</h2>
        <ul class="attendance">
            {move || live.state.with(|s| s.as_ref().map(|s| attendance_by_category(s).into_iter().filter(|(_, n)| *n > 0).map(|(c, n)| view! { <li>{c}" "<b>{n}</b></li> }).collect_view()))}
        </ul>
        <Headcount live=live/>
    }
}

/// People present without a phone, counted in the courtyard: the minutes'
/// attendance includes them.
#[component]
fn Headcount(live: Live) -> impl IntoView {
    // The field shows the number in force, not a grey hint that looks unsaved.
    let count = RwSignal::new(
        live.state
            .with_untracked(|s| s.as_ref().map(|s| s.without_phone.to_string()).unwrap_or_default()),
    );
    let answer = crate::components::FormAnswer::new(live, || {});
    view! {
        <form class="row headcount" id="headcount" on:submit=move |ev| {
            ev.prevent_default();
            if let Ok(n) = count.get().trim().parse::<u32>() {
                answer.send(Command::SetHeadcount { without_phone: n });
            }
        }>
            <label class="inline">{move || t("without_phone")}
                <input class="minutes" type="number" min="0" inputmode="numeric" name="without-phone"
                    bind:value=count/>
            </label>
            <button type="submit">{move || t("save")}</button>
            <crate::components::FormError answer=answer/>
        </form>
        <crate::pages::decisions::VotesExceedAttendance live=live/>
        {move || live.state.with(|s| s.as_ref().filter(|s| s.without_phone > 0).map(|s| view! {
            <p class="muted">{t("total_present").replace("{n}", &(s.participants.iter().filter(|p| !p.removed).count() + s.without_phone as usize).to_string())}</p>
        }))}
    }
}

/// Everyone present: call a named person, appoint recorders and officials, remove.
#[component]
fn Participants(live: Live) -> impl IntoView {
    view! {
        <section class="card">
            <h2>{move || t("participants")}</h2>
            // After the end the list stays (who came) but its actions go: the
            // server refuses them then.
            <Show when=move || !live.ended()>
                <button id="rotate-invite" class="small" on:click=move |_| if confirm(t("confirm_rotate")) { live.send(Command::RotateInvite) }>
                    {move || t("rotate_invite")}
                </button>
            </Show>
            <ul class="participants">
                {move || live.state.with(|s| s.as_ref().map(|s| {
                    let ended = s.phase == Phase::Ended;
                    s.participants.iter().filter(|p| !p.removed).map(|p| view! {
                        <li data-participant=p.id.0>
                            <span class="who">{name_of(s, p.id)}<small>" "{p.category.clone()}</small>
                                {shown_as(s, p.id).map(|a| view! { <small class="shown-as">" · "{a}</small> })}</span>
                            {(!ended).then(|| participant_actions(live, p))}
                        </li>
                    }).collect_view()
                }))}
            </ul>
        </section>
    }
}

/// The moderator's buttons for one person: give the floor, appoint, remove.
/// Walk-ins (typed in by the recorder) have no phone, so they cannot be
/// made recorders or banned by address.
fn participant_actions(live: Live, p: &Participant) -> impl IntoView + use<> {
    let id = p.id;
    let (recorder, official, walk_in) = (p.recorder, p.official, p.walk_in);
    view! {
        <button class="small" on:click=move |_| live.send(Command::GiveFloor { participant: id, kind: FloorKind::Speak, limit_secs: None })>{t("give_floor")}</button>
        {(!walk_in || recorder).then(|| view! {
            <button class="small appoint-recorder" on:click=move |_| live.send(Command::Appoint { participant: id, role: Role::Recorder, on: !recorder })>
                {if recorder { t("unmake_recorder") } else { t("make_recorder") }}
            </button>
        })}
        <button class="small appoint-official" on:click=move |_| live.send(Command::Appoint { participant: id, role: Role::Official, on: !official })>
            {if official { t("unmake_official") } else { t("make_official") }}
        </button>
        <button class="small danger remove" on:click=move |_| if confirm(t("confirm_remove")) { live.send(Command::RemoveParticipant { participant: id, ban: false }) }>{t("remove_person")}</button>
        {(!walk_in).then(|| view! {
            <button class="small danger ban" on:click=move |_| if confirm(t("confirm_ban")) { live.send(Command::RemoveParticipant { participant: id, ban: true }) }>{t("ban_person")}</button>
        })}
    }
}
