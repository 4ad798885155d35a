//! The moderator's tablet: agenda, stages, the queue and the floor, the timer,
//! opinions, roles, attendance, and ending the meeting.

use crate::components::{mmss, name_of, server_clock, StatusBar};
use crate::i18n::{self, t};
use crate::live::Live;
use crate::storage;
use babahui_shared::views::{attendance_by_category, floor_remaining_ms};
use babahui_shared::*;
use leptos::prelude::*;

/// The moderator page for meeting `id`.
#[component]
pub fn ModeratorPage(id: String) -> impl IntoView {
    match storage::token_from_fragment(&id, "moderator") {
        None => view! { <main class="page"><p class="notice">{move || t("no_token")}</p></main> }
            .into_any(),
        Some(token) => view! { <ModeratorLive id=id token=token/> }.into_any(),
    }
}

#[component]
fn ModeratorLive(id: String, token: String) -> impl IntoView {
    let live = Live::start(&id, &token);
    let now = server_clock(live);
    let send = move |c: Command| live.send(c);
    let phase = move || live.state.with(|s| s.as_ref().map(|s| s.phase));
    view! {
        <main class="page moderator">
            <StatusBar live=live/>
            <header class="mod-head">
                <h1>{move || live.state.with(|s| s.as_ref().map(|s| s.title.clone()))}</h1>
                <span class="phase">{move || phase().map(i18n::phase)}</span>
                {move || match phase() {
                    Some(Phase::NotStarted) => Some(view! { <button class="primary" on:click=move |_| send(Command::StartMeeting)>{t("start_meeting")}</button> }.into_any()),
                    Some(Phase::Running) => Some(view! { <button class="danger" on:click=move |_| send(Command::EndMeeting)>{t("end_meeting")}</button> }.into_any()),
                    _ => None,
                }}
            </header>
            <div class="mod-grid">
                <section class="card">
                    <h2>{move || t("agenda")}</h2>
                    <ol class="agenda">
                        {move || live.state.with(|s| s.as_ref().map(|s| s.agenda.iter().map(|topic| {
                            let id = topic.id;
                            let open = topic.status == TopicStatus::Open;
                            view! {
                                <li class="topic" class:open=open class:closed=topic.status == TopicStatus::Closed>
                                    <span>{topic.title.clone()}</span>
                                    {(!open).then(|| view! { <button on:click=move |_| send(Command::OpenTopic { topic: id })>{t("open_topic")}</button> })}
                                </li>
                            }
                        }).collect_view()))}
                    </ol>
                    <div class="row">
                        {[Stage::Intro, Stage::Questions, Stage::Discussion, Stage::Conclusion].into_iter().map(|st| view! {
                            <button class="chip" class:selected=move || live.state.with(|s| s.as_ref().and_then(|s| s.open_topic()).and_then(|t| t.stage) == Some(st))
                                on:click=move |_| send(Command::SetStage { stage: st })>{move || i18n::stage(st)}</button>
                        }).collect_view()}
                    </div>
                    <button on:click=move |_| send(Command::CloseTopic)>{move || t("close_topic")}</button>
                </section>
                <section class="card">
                    <h2>{move || t("speaking")}</h2>
                    {move || live.state.with(|s| {
                        let s = s.as_ref()?;
                        let f = s.floor.as_ref()?;
                        let left = floor_remaining_ms(f, now.get() as u64);
                        let running = f.running_since.is_some();
                        Some(view! {
                            <div class="floor">
                                <div class="floor-kind">{i18n::floor_kind(f.kind)}</div>
                                <div class="floor-name">{name_of(s, f.participant)}</div>
                                <div class="countdown" class:over=left < 0>{mmss(left)}</div>
                                <div class="row">
                                    {if running {
                                        view! { <button on:click=move |_| send(Command::PauseTimer)>{t("pause")}</button> }.into_any()
                                    } else {
                                        view! { <button on:click=move |_| send(Command::StartTimer)>{t("resume")}</button> }.into_any()
                                    }}
                                    <button on:click=move |_| send(Command::AdjustTimer { delta_secs: 60 })>{t("add_minute")}</button>
                                    <button on:click=move |_| send(Command::EndFloor)>{t("end_floor")}</button>
                                </div>
                            </div>
                        })
                    })}
                    <button class="primary big" on:click=move |_| send(Command::CallNext)>{move || t("call_next")}</button>
                    <h2>{move || t("queue")}</h2>
                    <ol class="queue">
                        {move || live.state.with(|s| s.as_ref().map(|s| s.queue.iter().enumerate().map(|(i, p)| {
                            let p = *p;
                            view! {
                                <li>
                                    <span class="who">{name_of(s, p)}</span>
                                    <button on:click=move |_| send(Command::GiveFloor { participant: p, kind: FloorKind::Speak, limit_secs: None })>{t("give_floor")}</button>
                                    {(i > 0).then(|| view! { <button aria-label=t("up") on:click=move |_| send(Command::MoveInQueue { participant: p, position: (i - 1) as u32 })>"↑"</button> })}
                                    <button on:click=move |_| send(Command::LowerHand { who: Some(p) })>{t("remove")}</button>
                                </li>
                            }
                        }).collect_view()))}
                    </ol>
                    <h2>{move || t("attendance")}</h2>
                    <ul class="attendance">
                        {move || live.state.with(|s| s.as_ref().map(|s| attendance_by_category(s).into_iter().filter(|(_, n)| *n > 0).map(|(c, n)| view! { <li>{c}" "{n}</li> }).collect_view()))}
                    </ul>
                </section>
                <section class="card">
                    <h2>{move || t("opinion")}</h2>
                    <ul class="opinions">
                        {move || live.state.with(|s| s.as_ref().map(|s| s.opinions.iter().rev().filter(|o| o.merged_into.is_none()).map(|o| {
                            let id = o.id;
                            let hidden = o.hidden.is_some();
                            view! {
                                <li class="opinion" class:hidden-op=hidden>
                                    <div class="meta"><span class="tag">{o.category.clone()}</span><span class="count">{t("second")}" "{o.seconds.len()}</span></div>
                                    <p class="text">{o.text.clone()}</p>
                                    {(!hidden).then(|| view! { <button on:click=move |_| send(Command::Hide { opinion: id, reason: "主持人隐藏".into() })>{t("hide")}</button> })}
                                </li>
                            }
                        }).collect_view()))}
                    </ul>
                </section>
            </div>
        </main>
    }
}
