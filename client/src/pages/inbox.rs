//! The organiser's inbox (待处理) on the ledger page: matters residents sent
//! from the "反映问题" page, with their photos and the contact they left.
//! Each is accepted into the ledger (待议), merged into an entry already
//! there, declined with a reason the resident reads, or hidden. The links to
//! the resident's page and its printable notice are here too.

use crate::api;
use crate::components::date;
use crate::i18n::t;
use babahui_shared::matters::{photo_url, Matter, MatterStatus};
use leptos::prelude::*;

/// On the organiser page: how many residents' reports wait, one tap from the
/// inbox (on the ledger page). Nothing when none wait or this device may not see them.
#[component]
pub fn Waiting(key: RwSignal<String>) -> impl IntoView {
    let count = LocalResource::new(move || {
        let k = key.get();
        async move {
            let got = if k.is_empty() {
                api::get::<Vec<Matter>>("/api/matters").await
            } else {
                api::get_as::<Vec<Matter>>("/api/matters", &k).await
            };
            got.map(|all| all.iter().filter(|m| m.status == MatterStatus::New).count())
                .unwrap_or(0)
        }
    });
    move || {
        count.get().filter(|n| *n > 0).map(|n| {
            view! {
                <p class="notice info reports-waiting" role="status">
                    {crate::i18n::count("reports_waiting", n)}" "
                    <a class="button" href="/ledger#inbox-title">{t("handle_reports")}</a>
                </p>
            }
        })
    }
}

/// The inbox, for a device that may write the ledger.
#[component]
pub fn Inbox(reload: RwSignal<u32>, community: RwSignal<String>) -> impl IntoView {
    let matters = LocalResource::new(move || {
        reload.get();
        let c = community.get();
        async move {
            let key = crate::storage::get(crate::credentials::KEY_STORAGE);
            let path = if c.is_empty() {
                "/api/matters".to_owned()
            } else {
                format!("/api/matters?community={c}")
            };
            match key {
                Some(k) => api::get_as::<Vec<Matter>>(&path, &k).await,
                None => api::get::<Vec<Matter>>(&path).await,
            }
            .unwrap_or_default()
        }
    });
    let waiting = move || {
        matters
            .get()
            .unwrap_or_default()
            .into_iter()
            .filter(|m| m.status == MatterStatus::New)
            .collect::<Vec<_>>()
    };
    let query = move || match community.get() {
        c if c.is_empty() => String::new(),
        c => format!("?c={c}"),
    };
    view! {
        <section class="card inbox no-print" aria-labelledby="inbox-title">
            <h2 id="inbox-title">{move || t("inbox")}" "<span class="count">{move || waiting().len()}</span></h2>
            <p class="row">
                <a class="button" href=move || format!("/report{}", query())>{move || t("report_page")}</a>
                <a class="button" href=move || format!("/report/poster{}", query())>{move || t("report_poster")}</a>
                <a class="button" href=move || format!("/public/ledger{}", query())>{move || t("public_ledger")}</a>
            </p>
            <Show when=move || waiting().is_empty()>
                <p class="muted">{move || t("inbox_empty")}</p>
            </Show>
            // Keyed by number: deciding one must not leave another's open panel in its place.
            <ul class="inbox-list">
                <For each=waiting key=|m| m.id let:m>
                    <InboxItem matter=m reload=reload/>
                </For>
            </ul>
        </section>
    }
}

/// One matter and what the organiser may do with it.
#[component]
fn InboxItem(matter: Matter, reload: RwSignal<u32>) -> impl IntoView {
    let id = matter.id;
    // The resident's first line makes a good title; the organiser shortens it.
    let first: String = matter
        .text
        .lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(40)
        .collect();
    let title = RwSignal::new(first);
    let entry = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let send = move |decision: serde_json::Value| {
        let key = crate::storage::get(crate::credentials::KEY_STORAGE);
        leptos::task::spawn_local(async move {
            let path = format!("/api/matters/{id}/decision");
            match api::post::<serde::de::IgnoredAny>(&path, &decision, key.as_deref()).await {
                Ok(_) => reload.update(|n| *n += 1),
                Err(f) => error.set(Some(f.message)),
            }
        });
    };
    let by = || crate::storage::get("bbh:writer-name");
    let contact = [matter.contact_name.clone(), matter.contact_phone.clone()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    view! {
        <li class="inbox-item" data-matter=id>
            <p class="meta"><b>{t("matter_no").replace("{n}", &id.to_string())}</b>" · "{date(matter.at)}" · "
                <span class="tag">{matter.category.clone()}</span>" "{matter.place.clone()}</p>
            <p class="matter-text">{matter.text.clone()}</p>
            <div class="photos">
                {matter.photos.iter().map(|p| view! {
                    <a href=photo_url(p) target="_blank"><img src=photo_url(p) alt=t("photo") loading="lazy"/></a>
                }).collect_view()}
            </div>
            {(!contact.is_empty()).then(|| view! { <p class="contact">{t("contact_left")}" "{contact}</p> })}
            <form class="form row" on:submit=move |ev| {
                ev.prevent_default();
                send(serde_json::json!({"action": "accept", "title": title.get(), "by": by()}));
            }>
                <label>{move || t("matter_title")}<input name="title" required maxlength="100" bind:value=title/></label>
                <button type="submit" class="primary">{move || t("accept_matter")}</button>
            </form>
            <details>
                <summary>{move || t("more_choices")}</summary>
                <form class="form row" on:submit=move |ev| {
                    ev.prevent_default();
                    let n: u32 = entry.get().trim().trim_start_matches('#').parse().unwrap_or(0);
                    send(serde_json::json!({"action": "merge", "entry": n, "by": by()}));
                }>
                    <label>{move || t("merge_report_into")}<input name="entry" inputmode="numeric" required placeholder="#" bind:value=entry/></label>
                    <button type="submit">{move || t("merge_matter")}</button>
                </form>
                <form class="form row" on:submit=move |ev| {
                    ev.prevent_default();
                    send(serde_json::json!({"action": "decline", "reason": reason.get(), "by": by()}));
                }>
                    <label>{move || t("decline_reason")}<input name="reason" required maxlength="200" bind:value=reason/></label>
                    <button type="submit">{move || t("decline_matter")}</button>
                </form>
                <button class="quiet" on:click=move |_| {
                    let sure = window().confirm_with_message(t("confirm_hide")).unwrap_or(false);
                    if sure {
                        send(serde_json::json!({"action": "hide", "by": by()}));
                    }
                }>{move || t("hide_matter")}</button>
            </details>
            {move || error.get().map(|e| view! { <p class="notice" role="alert">{e}</p> })}
        </li>
    }
}
