//! `/ledger` and `/ledger/{n}`: the issue ledger (问题台账), filtered by status
//! and category, overdue matters flagged, with Excel/CSV export; and one
//! matter's whole history (一事一档).

use crate::api;
use crate::components::LangSwitch;
use crate::i18n::t;
use babahui_shared::api::EntryView;
use babahui_shared::directory::Me;
use babahui_shared::ledger::{LedgerEntry, LedgerSource, LedgerStatus};
use babahui_shared::matters::photo_url;
use leptos::prelude::*;

/// An entry as the server lists it (with whether it is overdue).
type View = EntryView;

pub use crate::components::date;

/// The ledger list, as a street-office clerk works it: counts per status (a
/// tap filters), filters by category, responsible unit and overdue, a search
/// box, and a printable progress notice for the notice board.
#[component]
pub fn LedgerPage() -> impl IntoView {
    let status = RwSignal::new(None::<LedgerStatus>);
    let category = RwSignal::new(String::new());
    let responsible = RwSignal::new(String::new());
    let overdue_only = RwSignal::new(false);
    let search = RwSignal::new(String::new());
    let reload = RwSignal::new(0u32);
    // On a district server: whose ledger (the communities this login acts
    // for, by name), and whether a login is needed at all.
    let community = RwSignal::new(String::new());
    let needs_login = RwSignal::new(false);
    let me = LocalResource::new(|| async { api::get::<Me>("/api/me").await.ok() });
    let communities = move || me.get().flatten().map(|m| m.communities).unwrap_or_default();
    let name_of = move |id: &Option<String>| {
        let id = id.as_deref()?;
        communities().into_iter().find(|c| c.id == id).map(|c| c.name)
    };
    let rows = LocalResource::new(move || {
        reload.get();
        async move {
            match api::get::<Vec<View>>("/api/ledger").await {
                Ok(rows) => rows,
                Err(f) => {
                    needs_login.set(f.status == 401);
                    Vec::new()
                }
            }
        }
    });
    let all = move || {
        let rows = rows.get().unwrap_or_default();
        let c = community.get();
        rows.into_iter()
            .filter(|v| c.is_empty() || v.entry.community.as_deref() == Some(c.as_str()))
            .collect::<Vec<_>>()
    };
    let export = move |kind: &str| match community.get() {
        c if c.is_empty() => format!("/api/ledger.{kind}"),
        c => format!("/api/ledger.{kind}?community={c}"),
    };
    let distinct = move |f: fn(&LedgerEntry) -> String| {
        let mut v: Vec<String> = all().iter().map(|r| f(&r.entry)).filter(|x| !x.is_empty()).collect();
        v.sort();
        v.dedup();
        v
    };
    let shown = move || {
        let words = search.get().trim().to_lowercase();
        all()
            .into_iter()
            .filter(|v| status.get().is_none_or(|s| v.entry.status == s))
            .filter(|v| category.with(|c| c.is_empty() || v.entry.category == *c))
            .filter(|v| responsible.with(|r| r.is_empty() || v.entry.responsible == *r))
            .filter(|v| !overdue_only.get() || v.overdue)
            .filter(|v| {
                words.is_empty()
                    || [
                        &v.entry.title,
                        &v.entry.description,
                        &v.entry.responsible,
                        &v.entry.category,
                    ]
                    .iter()
                    .any(|f| f.to_lowercase().contains(&words))
            })
            .collect::<Vec<_>>()
    };
    view! {
        <main class="page ledger-page" class:locked=move || needs_login.get()>
            // The way back to the organiser page is for the device that holds the key;
            // a resident reading the ledger has no use for it.
            <div class="statusbar"><span class="brand">{move || t("ledger")}</span>
                {move || (crate::storage::get(crate::credentials::KEY_STORAGE).is_some() || me.get().flatten().is_some())
                    .then(|| view! { <a class="no-print" href="/">{move || t("organiser_page")}</a> })}
                <LangSwitch/></div>
            <h1>{move || t("ledger")}</h1>
            <Show when=move || needs_login.get()>
                <p class="notice info" role="status">{move || t("ledger_login_needed")}" "<a href="/login">{move || t("log_in")}</a></p>
            </Show>
            <div class="chips status-counts no-print" role="group" aria-label=move || t("status")>
                <button class="chip" class:selected=move || status.get().is_none() on:click=move |_| status.set(None)>
                    {move || t("all")}" "{move || all().len()}
                </button>
                {LedgerStatus::ALL.into_iter().map(|s| view! {
                    <button class="chip" data-status=s.zh() class:selected=move || status.get() == Some(s)
                        on:click=move |_| status.update(|v| *v = if *v == Some(s) { None } else { Some(s) })>
                        {move || crate::i18n::ledger_status(s)}" "{move || all().iter().filter(|v| v.entry.status == s).count()}
                    </button>
                }).collect_view()}
                <button class="chip overdue-chip" class:selected=move || overdue_only.get() on:click=move |_| overdue_only.update(|v| *v = !*v)>
                    {move || t("overdue")}" "{move || all().iter().filter(|v| v.overdue).count()}
                </button>
            </div>
            <div class="row filters no-print">
                <CommunityFilter me=me community=community/>
                <input type="search" name="search" placeholder=move || t("search") aria-label=move || t("search") bind:value=search/>
                <label class="inline">{move || t("category")}
                    <select name="category" on:change=move |ev| category.set(event_target_value(&ev))>
                        <option value="">{move || t("all")}</option>
                        {move || distinct(|e| e.category.clone()).into_iter().map(|c| view! { <option value=c.clone()>{c.clone()}</option> }).collect_view()}
                    </select>
                </label>
                <label class="inline">{move || t("responsible")}
                    <select name="responsible" on:change=move |ev| responsible.set(event_target_value(&ev))>
                        <option value="">{move || t("all")}</option>
                        {move || distinct(|e| e.responsible.clone()).into_iter().map(|c| view! { <option value=c.clone()>{c.clone()}</option> }).collect_view()}
                    </select>
                </label>
            </div>
            <div class="row no-print">
                <a class="button" href=move || export("xlsx")>{move || t("export_xlsx")}</a>
                <a class="button" href=move || export("csv")>{move || t("export_csv")}</a>
                <button class="print" on:click=move |_| { let _ = window().print(); }>{move || t("print_notice")}</button>
            </div>
            <p class="print-only">{move || t("progress_notice")}" · "{move || date(js_sys::Date::now() as u64)}</p>
            <WhenWritable><WriterTools reload=reload community=community/></WhenWritable>
            <Suspense fallback=|| ()>
                {move || {
                    let rows = shown();
                    let n = rows.len();
                    view! {
                        <p class="muted shown-count">{crate::i18n::count("shown_count", n)}</p>
                        <ul class="ledger-list">
                            {rows.into_iter().map(|v| {
                                let e = v.entry;
                                view! {
                                    <li class="ledger-row" class:overdue=v.overdue>
                                        <a href=format!("/ledger/{}", e.id)><b>"#"{e.id}" "{e.title.clone()}</b></a>
                                        <div class="meta">
                                            {(communities().len() > 1).then(|| name_of(&e.community)).flatten().map(|n| view! { <span class="tag community-tag">{n}</span> })}
                                            <span class="tag">{crate::i18n::ledger_status(e.status)}</span>
                                            <span class="tag">{e.category.clone()}</span>
                                            <span>{e.responsible.clone()}</span>
                                            <span>{e.deadline.clone()}</span>
                                            {v.overdue.then(|| view! { <span class="tag overdue-tag">{t("overdue")}</span> })}
                                            {(e.seconds > 0).then(|| view! { <span class="tag seconds-tag">{t("seconds")}" "{e.seconds}</span> })}
                                        </div>
                                        {e.history.last().filter(|h| !h.note.is_empty()).map(|h| view! {
                                            <p class="latest">{date(h.at)}" "{h.note.clone()}</p>
                                        })}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }
                }}
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
            <div class="statusbar"><a class="brand" href="/ledger">{move || t("ledger")}</a>
                <button class="print no-print" on:click=move |_| { let _ = window().print(); }>{move || t("print_file")}</button>
                <LangSwitch/></div>
            <Suspense fallback=|| ()>
                {move || entry.get().map(|v| match v {
                    None => view! { <p class="notice">{t("not_found")}</p> }.into_any(),
                    Some(v) => {
                        let e = v.entry;
                        view! {
                            <h1>"#"{e.id}" "{e.title.clone()}</h1>
                            <p class="no-print"><a class="button" href=format!("/public/ledger/{}", e.id)>{t("public_page")}</a></p>
                            <p><span class="tag">{crate::i18n::ledger_status(e.status)}</span>" "{v.overdue.then(|| view! { <span class="tag overdue-tag">{t("overdue")}</span> })}</p>
                            <p>{e.description.clone()}</p>
                            <table class="facts">
                                <tr><th>{t("category")}</th><td>{e.category.clone()}</td></tr>
                                <tr><th>{t("responsible")}</th><td>{e.responsible.clone()}</td></tr>
                                <tr><th>{t("deadline")}</th><td>{e.deadline.clone()}</td></tr>
                                <tr><th>{t("source")}</th><td>{source_view(&e.source)}</td></tr>
                                <tr><th>{t("seconds")}</th><td class="seconds">{e.seconds}</td></tr>
                                <tr><th>{t("ratings")}</th><td class="ratings">
                                    <span>{t("satisfied")}" "<b>{e.ratings.satisfied}</b></span>
                                    <span>{t("fair")}" "<b>{e.ratings.fair}</b></span>
                                    <span>{t("unsatisfied")}" "<b>{e.ratings.unsatisfied}</b></span>
                                </td></tr>
                            </table>
                            <WhenWritable><div class="no-print">
                                <ProgressForm id=id current=e.status responsible=e.responsible.clone() deadline=e.deadline.clone().unwrap_or_default() reload=reload/>
                            </div></WhenWritable>
                            <h2>{t("history")}</h2>
                            <ol class="history">
                                {e.history.iter().map(|h| view! {
                                    <li>
                                        <b>{date(h.at)}</b>" "{h.status.map(crate::i18n::ledger_status)}" "{h.note.clone()}
                                        <small class="writer">" "{h.by.clone()}{h.credential.as_ref().map(|c| format!("（{}）", c.zh()))}</small>
                                        {h.meeting.clone().map(|m| view! { " "<a href=format!("/m/{m}/minutes")>{t("minutes")}</a> })}
                                        <div class="photos">
                                            {h.photos.iter().map(|p| view! {
                                                <a href=photo_url(p) target="_blank"><img src=photo_url(p) alt=t("photo") loading="lazy"/></a>
                                            }).collect_view()}
                                        </div>
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
        LedgerSource::Reported { matter } => {
            view! { {t("reported")}" · "{t("matter_no").replace("{n}", &matter.to_string())} }.into_any()
        }
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
        let key = crate::storage::get(crate::credentials::KEY_STORAGE);
        let probe = match key {
            Some(k) => api::get_as::<serde::de::IgnoredAny>("/api/meetings", &k).await,
            None => api::get::<serde::de::IgnoredAny>("/api/meetings").await,
        };
        probe.is_ok()
    });
    move || match may.get() {
        None => ().into_any(),
        Some(true) => children().into_any(),
        Some(false) => view! { <p class="muted read-only">{t("ledger_read_only")}</p> }.into_any(),
    }
}

/// What a device that writes the ledger has above the list: the residents'
/// reports waiting (待处理), and the form for a matter collected by hand.
#[component]
fn WriterTools(reload: RwSignal<u32>, community: RwSignal<String>) -> impl IntoView {
    view! {
        <div class="no-print">
            <crate::pages::inbox::Inbox reload=reload community=community/>
            <NewEntryForm reload=reload community=community/>
        </div>
    }
}

/// On a server with several communities this login acts for: which one's
/// matters to list (and export, and add to).
#[component]
fn CommunityFilter(me: LocalResource<Option<Me>>, community: RwSignal<String>) -> impl IntoView {
    let communities = move || me.get().flatten().map(|m| m.communities).unwrap_or_default();
    view! {
        <Show when=move || { communities().len() > 1 }>
            <label class="inline">{move || t("community")}
                <select name="community" on:change=move |ev| community.set(event_target_value(&ev))>
                    <option value="">{move || t("all_communities")}</option>
                    {move || communities().into_iter().map(|c| view! { <option value=c.id.clone()>{c.name.clone()}</option> }).collect_view()}
                </select>
            </label>
        </Show>
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
fn NewEntryForm(reload: RwSignal<u32>, community: RwSignal<String>) -> impl IntoView {
    let title = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let category = RwSignal::new(String::new());
    let responsible = RwSignal::new(String::new());
    let deadline = RwSignal::new(String::new());
    let collected_by = RwSignal::new(String::new());
    // (done, what): success in green, a refusal as a refusal.
    let message = RwSignal::new(None::<(bool, String)>);
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
                    "community": Some(community.get()).filter(|c| !c.is_empty()),
                });
                crate::storage::set(WRITER_KEY, &writer.get());
                let key = crate::storage::get(crate::credentials::KEY_STORAGE);
                leptos::task::spawn_local(async move {
                    match api::post::<serde_json::Value>("/api/ledger", &body, key.as_deref()).await {
                        Ok(v) => {
                            message.set(Some((true, format!("{} #{}", t("entry_added"), v["id"]))));
                            title.set(String::new());
                            description.set(String::new());
                            reload.update(|n| *n += 1);
                        }
                        Err(f) => message.set(Some((false, refusal(&f)))),
                    }
                });
            }>
                <WriterField writer=writer/>
                <label>{move || t("matter_title")}<input name="title" required maxlength="100" bind:value=title/></label>
                <label>{move || t("description")}<textarea name="description" rows="2" bind:value=description></textarea></label>
                <div class="row">
                    <label>{move || t("category")}<input name="category" maxlength="20" list="ledger-categories" bind:value=category/></label>
                    // The usual categories to pick from (a new one can still be typed).
                    <datalist id="ledger-categories">
                        {babahui_shared::DEFAULT_OPINION_CATEGORIES.iter().map(|c| view! { <option value=*c></option> }).collect_view()}
                    </datalist>
                    <label>{move || t("collected_by")}<input name="collected_by" maxlength="40" bind:value=collected_by/></label>
                </div>
                <div class="row">
                    <label>{move || t("responsible")}<input name="responsible" maxlength="100" bind:value=responsible/></label>
                    <label>{move || t("deadline")}<input name="deadline" type="date" bind:value=deadline/></label>
                </div>
                <button type="submit" class="primary">{move || t("new_entry")}</button>
                {move || message.get().map(|(done, m)| if done {
                    view! { <p class="sent" role="status">{m}</p> }.into_any()
                } else {
                    view! { <p class="notice" role="alert">{m}</p> }.into_any()
                })}
            </form>
        </details>
    }
}

/// Record progress on a matter: a note, optionally a new status. Uses the
/// organiser key remembered on this device, if the server needs one.
#[component]
fn ProgressForm(
    id: u32,
    current: LedgerStatus,
    responsible: String,
    deadline: String,
    reload: RwSignal<u32>,
) -> impl IntoView {
    let note = RwSignal::new(String::new());
    // 责任人 and 时限 can be changed here too (a matter handed to another unit, a
    // new date agreed); only what differs from the file is sent.
    let (was_responsible, was_deadline) = (responsible.clone(), deadline.clone());
    let new_responsible = RwSignal::new(responsible);
    let new_deadline = RwSignal::new(deadline);
    let status = RwSignal::new(current.zh().to_owned());
    let error = RwSignal::new(None::<String>);
    let writer = RwSignal::new(crate::storage::get(WRITER_KEY).unwrap_or_default());
    let files = NodeRef::<leptos::html::Input>::new();
    let sending = RwSignal::new(false);
    view! {
        <form class="form progress" on:submit=move |ev| {
            ev.prevent_default();
            let chosen = chosen_files(files.get().and_then(|i| i.files()));
            let new_status = LedgerStatus::parse(&status.get());
            let mut body = serde_json::json!({"note": note.get(), "status": new_status, "by": writer.get()});
            if new_responsible.get() != was_responsible {
                body["responsible"] = new_responsible.get().into();
            }
            if new_deadline.get() != was_deadline && !new_deadline.get().is_empty() {
                body["deadline"] = new_deadline.get().into();
            }
            crate::storage::set(WRITER_KEY, &writer.get());
            let key = crate::storage::get(crate::credentials::KEY_STORAGE);
            sending.set(true);
            leptos::task::spawn_local(async move {
                // Photos go first, each on its own (a phone's photo is megabytes);
                // the line names what the server kept.
                match upload_photos(chosen, key.as_deref()).await {
                    Ok(ids) => body["photos"] = ids.into(),
                    Err(f) => {
                        error.set(Some(refusal(&f)));
                        sending.set(false);
                        return;
                    }
                }
                match api::post::<serde::de::IgnoredAny>(&format!("/api/ledger/{id}/updates"), &body, key.as_deref()).await {
                    Ok(_) => {
                        note.set(String::new());
                        error.set(None);
                        if let Some(i) = files.get_untracked() {
                            i.set_value("");
                        }
                        reload.update(|n| *n += 1);
                    }
                    Err(f) => error.set(Some(refusal(&f))),
                }
                sending.set(false);
            });
        }>
            <h2>{t("record")}</h2>
            <WriterField writer=writer/>
            <select name="status" aria-label=t("status") on:change=move |ev| status.set(event_target_value(&ev))>
                {LedgerStatus::ALL.into_iter().map(|s| view! { <option value=s.zh() selected=s == current>{crate::i18n::ledger_status(s)}</option> }).collect_view()}
            </select>
            <textarea name="note" rows="2" aria-label=t("record") bind:value=note></textarea>
            <label>{t("responsible")}<input name="responsible" maxlength="40" bind:value=new_responsible/></label>
            <label>{t("deadline")}<input name="deadline" type="date" bind:value=new_deadline/></label>
            <label>{t("add_photos")}<input name="photo" type="file" accept="image/*" multiple node_ref=files/></label>
            <button type="submit" class="primary" disabled=move || sending.get()>{move || if sending.get() { t("sending") } else { t("record") }}</button>
            {move || error.get().map(|e| view! { <p class="notice">{e}</p> })}
        </form>
    }
}

/// Uploads the photos chosen (at most three); their ids, in order.
pub(crate) async fn upload_photos(
    chosen: Vec<web_sys::File>,
    key: Option<&str>,
) -> Result<Vec<String>, api::ApiFailure> {
    let mut ids = Vec::new();
    for file in chosen.iter().take(babahui_shared::limits::PHOTOS_MAX) {
        let receipt: babahui_shared::matters::PhotoReceipt = api::upload("/api/photos", file, key).await?;
        ids.push(receipt.id);
    }
    Ok(ids)
}

/// The files chosen in a file input, taken out of its list: the list is live,
/// and empties when the input is cleared for the next choice.
pub(crate) fn chosen_files(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    list.map(|l| (0..l.length()).filter_map(|i| l.get(i)).collect())
        .unwrap_or_default()
}
