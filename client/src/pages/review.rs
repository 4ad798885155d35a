//! The review of earlier commitments (回顾): the moderator puts an issue-ledger
//! entry up, attendees rate it 满意 / 基本满意 / 不满意 from their phones, the
//! projector shows the counts live, and closing it writes the ratings onto the entry.

use crate::api;
use crate::i18n::t;
use crate::live::Live;
use crate::storage;
use babahui_shared::api::EntryView;
use babahui_shared::ledger::LedgerStatus;
use babahui_shared::*;
use leptos::prelude::*;

/// 满意 / 基本满意 / 不满意 in the current language.
fn rating_label(r: Rating) -> &'static str {
    t(match r {
        Rating::Satisfied => "satisfied",
        Rating::Fair => "fair",
        Rating::Unsatisfied => "unsatisfied",
    })
}

/// What is reviewed: the promise, who owns it, by when, where it stands.
#[component]
fn Subject(subject: ReviewSubject) -> impl IntoView {
    view! {
        <div class="review-subject">
            <div class="review-title">"#"{subject.entry}" "{subject.title.clone()}</div>
            <p class="muted">
                {(!subject.responsible.is_empty()).then(|| format!("{}：{} · ", t("responsible"), subject.responsible))}
                {subject.deadline.clone().map(|d| format!("{}：{d} · ", t("deadline")))}
                {format!("{}：{}", t("status"), subject.status)}
            </p>
            {(!subject.progress.is_empty()).then(|| view! { <p class="review-progress">{subject.progress.clone()}</p> })}
        </div>
    }
}

/// Bars of one review's ratings, for the projector and the moderator.
#[component]
pub fn ReviewBars(live: Live, review: ReviewId) -> impl IntoView {
    move || {
        live.state.with(|s| {
            let r = s.as_ref()?.review(review)?;
            let counts = r.counts();
            let max = counts.iter().copied().max().unwrap_or(0).max(1);
            let rows = Rating::ALL
                .into_iter()
                .zip(counts)
                .map(|(rating, n)| {
                    let width = format!("width:{}%", n * 100 / max);
                    view! { <div class="bar"><span class="bar-label">{rating_label(rating)}</span><span class="bar-fill" style=width></span><b>{n}</b></div> }
                })
                .collect_view();
            Some(view! {
                <div class="vote-card review-card" data-review=review.0>
                    <div class="vote-q">{t("review")}{move || crate::i18n::colon()}{r.subject.title.clone()}</div>
                    <div class="bars">{rows}</div>
                    <div class="vote-result">{if r.open { t("rating_open") } else { t("rating_closed") }}" · "{r.ratings.len()}" "{t("raters")}</div>
                </div>
            })
        })
    }
}

/// The attendee's rating card for every open review. Ratings are unlinkable, so
/// the phone remembers its own choice locally.
#[component]
pub fn RatingCards(live: Live, meeting: String) -> impl IntoView {
    move || {
        let meeting = meeting.clone();
        live.state.with(|s| {
            let s = s.as_ref()?;
            let open: Vec<Review> = s.reviews.iter().filter(|r| r.open).cloned().collect();
            Some(
                open.into_iter()
                    .map(|r| {
                        let id = r.id;
                        let key = format!("bbh:rating:{meeting}:{}", id.0);
                        let chosen = RwSignal::new(storage::get(&key));
                        view! {
                            <section class="card ballot review" data-review=id.0>
                                <h2>{t("review_rate")}</h2>
                                <Subject subject=r.subject.clone()/>
                                <div class="choices">
                                    {Rating::ALL.into_iter().map(|rating| {
                                        let key = key.clone();
                                        let wire = serde_json::to_string(&rating).unwrap_or_default();
                                        let wire2 = wire.clone();
                                        view! {
                                            <button class="choice big" data-rating=wire.trim_matches('"').to_owned()
                                                class:selected=move || chosen.get().as_deref() == Some(wire2.as_str())
                                                on:click=move |_| {
                                                    chosen.set(Some(wire.clone()));
                                                    storage::set(&key, &wire);
                                                    live.send(Command::RateReview { review: id, rating, key: None });
                                                }>{rating_label(rating)}</button>
                                        }
                                    }).collect_view()}
                                </div>
                                {move || chosen.get().map(|_| view! { <p class="voted">{t("rated")}</p> })}
                            </section>
                        }
                    })
                    .collect_view(),
            )
        })
    }
}

/// The moderator's review controls: pick a ledger entry with a commitment being
/// followed up, watch the ratings, close it.
#[component]
pub fn ReviewPanel(live: Live) -> impl IntoView {
    let rows = LocalResource::new(|| async { api::get::<Vec<EntryView>>("/api/ledger").await.unwrap_or_default() });
    let reviewable = move || {
        let reviewed: Vec<u32> = live.state.with(|s| {
            s.as_ref()
                .map(|s| s.reviews.iter().map(|r| r.subject.entry).collect())
                .unwrap_or_default()
        });
        rows.get()
            .unwrap_or_default()
            .into_iter()
            .filter(|r| r.entry.status != LedgerStatus::Pending && !reviewed.contains(&r.entry.id))
            .collect::<Vec<_>>()
    };
    let running = move || {
        live.state
            .with(|s| s.as_ref().is_some_and(|s| s.phase == Phase::Running))
    };
    let reviews = move || {
        live.state.with(|s| {
            s.as_ref()
                .map(|s| s.reviews.iter().rev().map(|r| (r.id, r.open)).collect::<Vec<_>>())
                .unwrap_or_default()
        })
    };
    // After the end a meeting that reviewed nothing has nothing to show here.
    let shown = move || !live.ended() || live.state.with(|s| s.as_ref().is_some_and(|s| !s.reviews.is_empty()));
    view! {
        <Show when=shown>
        <section class="card review-panel">
            <h2>{move || t("review")}</h2>
            <Show when=running fallback=move || view! {
                <p class="muted">{move || if live.ended() { t("review_after_end") } else { t("review_when_running") }}</p>
            }>
                <div class="review-picker">
                    {move || reviewable().into_iter().map(|r| {
                        let entry = r.entry.id;
                        view! {
                            <button type="button" class="chip open-review" class:overdue-chip=r.overdue data-entry=entry
                                on:click=move |_| live.send(Command::OpenReview { entry, subject: None })>
                                "#"{entry}" "{r.entry.title.clone()}
                                {(!r.entry.responsible.is_empty()).then(|| format!(" · {}", r.entry.responsible))}
                                {r.overdue.then(|| format!(" ({})", t("overdue")))}
                            </button>
                        }
                    }).collect_view()}
                </div>
            </Show>
            {move || reviews().into_iter().map(|(id, open)| view! {
                <ReviewBars live=live review=id/>
                {open.then(|| view! {
                    <button class="close-review danger" data-review=id.0 on:click=move |_| if window().confirm_with_message(t("confirm_close_review")).unwrap_or(false) { live.send(Command::CloseReview { review: id }) }>
                        {t("close_review")}
                    </button>
                })}
            }).collect_view()}
        </section>
        </Show>
    }
}
