//! `/ledger` and `/ledger/{n}`: the issue ledger (问题台账), filtered by status
//! and category, overdue matters flagged, with Excel/CSV export; and one
//! matter's whole history (一事一档).

use crate::api;
use crate::components::LangSwitch;
use crate::i18n::t;
use babahui_shared::ledger::{LedgerEntry, LedgerSource, LedgerStatus};
use leptos::prelude::*;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
struct View {
    #[serde(flatten)]
    entry: LedgerEntry,
    overdue: bool,
}

/// A server time (ms) as a local date, YYYY-MM-DD.
pub fn date(ms: u64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!("{}-{:02}-{:02}", d.get_full_year(), d.get_month() + 1, d.get_date())
}

/// The ledger list.
#[component]
pub fn LedgerPage() -> impl IntoView {
    let status = RwSignal::new(String::new());
    let reload = RwSignal::new(0u32);
    let rows = LocalResource::new(move || {
        reload.get();
        let s = status.get();
        async move {
            api::get::<Vec<View>>(&format!("/api/ledger?status={s}"))
                .await
                .unwrap_or_default()
        }
    });
    view! {
        <main class="page ledger-page">
            <div class="statusbar"><span class="brand">{move || t("ledger")}</span><LangSwitch/></div>
            <h1>{move || t("ledger")}</h1>
            <div class="row">
                <label class="inline">{move || t("status")}
                    <select name="status" on:change=move |ev| status.set(event_target_value(&ev))>
                        <option value="">{move || t("all")}</option>
                        {LedgerStatus::ALL.into_iter().map(|s| view! { <option value=s.zh()>{crate::i18n::ledger_status(s)}</option> }).collect_view()}
                    </select>
                </label>
                <a class="button" href="/api/ledger.xlsx">{move || t("export_xlsx")}</a>
                <a class="button" href="/api/ledger.csv">{move || t("export_csv")}</a>
            </div>
            <WhenWritable><NewEntryForm reload=reload/></WhenWritable>
            <Suspense fallback=|| ()>
                <ul class="ledger-list">
                    {move || rows.get().map(|rows| rows.into_iter().map(|v| {
                        let e = v.entry;
                        view! {
                            <li class="ledger-row" class:overdue=v.overdue>
                                <a href=format!("/ledger/{}", e.id)><b>"#"{e.id}" "{e.title.clone()}</b></a>
                                <div class="meta">
                                    <span class="tag">{crate::i18n::ledger_status(e.status)}</span>
                                    <span class="tag">{e.category.clone()}</span>
                                    <span>{e.responsible.clone()}</span>
                                    <span>{e.deadline.clone()}</span>
                                    {v.overdue.then(|| view! { <span class="tag overdue-tag">{t("overdue")}</span> })}
                                </div>
                            </li>
                        }
                    }).collect_view())}
                </ul>
            </Suspense>
        </main>
    }
}

/// One matter's file (一事一档).
#[component]
pub fn LedgerEntryPage(id: u32) -> impl IntoView {
    let reload = RwSignal::new(0u32);
    let entry = LocalResource::new(move || {
        reload.get();
        async move { api::get::<View>(&format!("/api/ledger/{id}")).await.ok() }
    });
    view! {
        <main class="page ledger-entry">
            <div class="statusbar"><a class="brand" href="/ledger">{move || t("ledger")}</a><LangSwitch/></div>
            <Suspense fallback=|| ()>
                {move || entry.get().map(|v| match v {
                    None => view! { <p class="notice">{t("not_found")}</p> }.into_any(),
                    Some(v) => {
                        let e = v.entry;
                        view! {
                            <h1>"#"{e.id}" "{e.title.clone()}</h1>
                            <p><span class="tag">{crate::i18n::ledger_status(e.status)}</span>" "{v.overdue.then(|| view! { <span class="tag overdue-tag">{t("overdue")}</span> })}</p>
                            <p>{e.description.clone()}</p>
                            <table class="facts">
                                <tr><th>{t("category")}</th><td>{e.category.clone()}</td></tr>
                                <tr><th>{t("responsible")}</th><td>{e.responsible.clone()}</td></tr>
                                <tr><th>{t("deadline")}</th><td>{e.deadline.clone()}</td></tr>
                                <tr><th>{t("source")}</th><td>{source_view(&e.source)}</td></tr>
                                <tr><th>{t("ratings")}</th><td class="ratings">
                                    <span>{t("satisfied")}" "<b>{e.ratings.satisfied}</b></span>
                                    <span>{t("fair")}" "<b>{e.ratings.fair}</b></span>
                                    <span>{t("unsatisfied")}" "<b>{e.ratings.unsatisfied}</b></span>
                                </td></tr>
                            </table>
                            <WhenWritable><ProgressForm id=id current=e.status reload=reload/></WhenWritable>
                            <h2>{t("history")}</h2>
                            <ol class="history">
                                {e.history.iter().map(|h| view! {
                                    <li>
                                        <b>{date(h.at)}</b>" "{h.status.map(crate::i18n::ledger_status)}" "{h.note.clone()}
                                        <small class="writer">" "{h.by.clone()}{h.credential.as_ref().map(|c| format!("（{}）", c.zh()))}</small>
                                        {h.meeting.clone().map(|m| view! { " "<a href=format!("/m/{m}/minutes")>{t("minutes")}</a> })}
                                    </li>
                                }).collect_view()}
                            </ol>
                        }.into_any()
                    }
                })}
            </Suspense>
        </main>
    }
}

/// Where a matter came from, linking to the meeting's minutes.
fn source_view(source: &LedgerSource) -> impl IntoView {
    // The meeting by its title and date (its id for entries made before names were kept).
    let minutes = |m: &babahui_shared::MeetingId, name: &str, what: String| {
        let label = if name.is_empty() {
            t("minutes").to_owned()
        } else {
            name.to_owned()
        };
        view! { <a href=format!("/m/{m}/minutes")>{label}</a>" "{what} }
    };
    match source {
        LedgerSource::Collected { by } => view! { {t("collected")}{by.clone().map(|b| format!("：{b}"))} }.into_any(),
        LedgerSource::Commitment {
            meeting,
            meeting_name,
            commitment,
            ..
        } => minutes(meeting, meeting_name, format!("{} {commitment}", t("commitment"))).into_any(),
        LedgerSource::Opinion {
            meeting,
            meeting_name,
            opinion,
        } => minutes(meeting, meeting_name, format!("{} {opinion}", t("opinion"))).into_any(),
        LedgerSource::Topic {
            meeting,
            meeting_name,
            topic,
        } => minutes(
            meeting,
            meeting_name,
            format!("{} {topic} · {}", t("topic"), t("unsettled")),
        )
        .into_any(),
    }
}

/// Shows its children only on a device that may write the ledger (it holds the
/// organiser key, or the server runs `--open`); elsewhere — a resident's phone
/// that opened the public ledger — a line saying who keeps it, instead of a
/// form that could only be refused.
#[component]
fn WhenWritable(children: ChildrenFn) -> impl IntoView {
    let may = LocalResource::new(|| async {
        let key = crate::storage::get(crate::pages::organiser::KEY_STORAGE);
        let probe = match key {
            Some(k) => api::get_as::<serde_json::Value>("/api/meetings", &k).await,
            None => api::get::<serde_json::Value>("/api/meetings").await,
        };
        probe.is_ok()
    });
    move || match may.get() {
        None => ().into_any(),
        Some(true) => children().into_any(),
        Some(false) => view! { <p class="muted read-only">{t("ledger_read_only")}</p> }.into_any(),
    }
}

/// Where this device keeps the name of the person who writes the ledger on it.
const WRITER_KEY: &str = "bbh:writer-name";

/// Who is writing: typed once on a device and remembered there. The ledger's
/// history shows it beside the key that was used.
#[component]
fn WriterField(writer: RwSignal<String>) -> impl IntoView {
    view! {
        <label class="writer-field">{move || t("writer_name")}
            <input name="by" required maxlength="40" autocomplete="name" placeholder=move || t("writer_hint") bind:value=writer/>
        </label>
    }
}

/// A refused write in plain words: without the organiser key, say where it is.
fn refusal(f: &api::ApiFailure) -> String {
    if f.status == 403 || f.status == 401 {
        t("ledger_key_needed").to_owned()
    } else {
        f.message.clone()
    }
}

/// Type in a matter collected before a meeting (收集问题): door to door, in
/// the WeChat group, at the office. Uses the organiser key remembered on this
/// device, if the server needs one.
#[component]
fn NewEntryForm(reload: RwSignal<u32>) -> impl IntoView {
    let title = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let category = RwSignal::new(String::new());
    let responsible = RwSignal::new(String::new());
    let deadline = RwSignal::new(String::new());
    let collected_by = RwSignal::new(String::new());
    let message = RwSignal::new(None::<String>);
    let writer = RwSignal::new(crate::storage::get(WRITER_KEY).unwrap_or_default());
    view! {
        <details class="card new-entry">
            <summary>{move || t("new_entry")}</summary>
            <form class="form" id="new-entry" on:submit=move |ev| {
                ev.prevent_default();
                let body = serde_json::json!({
                    "title": title.get(),
                    "description": description.get(),
                    "category": category.get(),
                    "responsible": responsible.get(),
                    "deadline": deadline.get(),
                    "collected_by": collected_by.get(),
                    "by": writer.get(),
                });
                crate::storage::set(WRITER_KEY, &writer.get());
                let key = crate::storage::get(crate::pages::organiser::KEY_STORAGE);
                leptos::task::spawn_local(async move {
                    match api::post("/api/ledger", &body, key.as_deref()).await {
                        Ok(v) => {
                            message.set(Some(format!("{} #{}", t("entry_added"), v["id"])));
                            title.set(String::new());
                            description.set(String::new());
                            reload.update(|n| *n += 1);
                        }
                        Err(f) => message.set(Some(refusal(&f))),
                    }
                });
            }>
                <WriterField writer=writer/>
                <label>{move || t("matter_title")}<input name="title" required maxlength="100" bind:value=title/></label>
                <label>{move || t("description")}<textarea name="description" rows="2" bind:value=description></textarea></label>
                <div class="row">
                    <label>{move || t("category")}<input name="category" maxlength="20" bind:value=category/></label>
                    <label>{move || t("collected_by")}<input name="collected_by" maxlength="40" bind:value=collected_by/></label>
                </div>
                <div class="row">
                    <label>{move || t("responsible")}<input name="responsible" maxlength="100" bind:value=responsible/></label>
                    <label>{move || t("deadline")}<input name="deadline" type="date" bind:value=deadline/></label>
                </div>
                <button type="submit" class="primary">{move || t("new_entry")}</button>
                {move || message.get().map(|m| view! { <p class="notice" role="status">{m}</p> })}
            </form>
        </details>
    }
}

/// Record progress on a matter: a note, optionally a new status. Uses the
/// organiser key remembered on this device, if the server needs one.
#[component]
fn ProgressForm(id: u32, current: LedgerStatus, reload: RwSignal<u32>) -> impl IntoView {
    let note = RwSignal::new(String::new());
    let status = RwSignal::new(current.zh().to_owned());
    let error = RwSignal::new(None::<String>);
    let writer = RwSignal::new(crate::storage::get(WRITER_KEY).unwrap_or_default());
    view! {
        <form class="form progress" on:submit=move |ev| {
            ev.prevent_default();
            let new_status = LedgerStatus::parse(&status.get());
            let body = serde_json::json!({"note": note.get(), "status": new_status, "by": writer.get()});
            crate::storage::set(WRITER_KEY, &writer.get());
            let key = crate::storage::get(crate::pages::organiser::KEY_STORAGE);
            leptos::task::spawn_local(async move {
                match api::post(&format!("/api/ledger/{id}/updates"), &body, key.as_deref()).await {
                    Ok(_) => {
                        note.set(String::new());
                        error.set(None);
                        reload.update(|n| *n += 1);
                    }
                    Err(f) => error.set(Some(refusal(&f))),
                }
            });
        }>
            <h2>{t("record")}</h2>
            <WriterField writer=writer/>
            <select name="status" aria-label=t("status") on:change=move |ev| status.set(event_target_value(&ev))>
                {LedgerStatus::ALL.into_iter().map(|s| view! { <option value=s.zh() selected=s == current>{crate::i18n::ledger_status(s)}</option> }).collect_view()}
            </select>
            <textarea name="note" rows="2" aria-label=t("record") bind:value=note></textarea>
            <button type="submit" class="primary">{t("record")}</button>
            {move || error.get().map(|e| view! { <p class="notice">{e}</p> })}
        </form>
    }
}
