//! On a courtyard laptop's organiser page: sending its finished meetings and
//! ledger to the district when the laptop is online, and taking the
//! community's open matters back (the same as `babahui sync`). The
//! district's address, the community and its token are remembered here.

use crate::api;
use crate::i18n::t;
use crate::storage;
use leptos::prelude::*;
use serde_json::{json, Value};

const TO: &str = "bbh:sync-to";
const COMMUNITY: &str = "bbh:sync-community";
const TOKEN: &str = "bbh:sync-token";

/// A sync's outcome in a sentence.
fn said(r: &Value) -> String {
    t("sync_done")
        .replace("{m}", &r["meetings"].to_string())
        .replace("{e}", &r["events_added"].to_string())
        .replace("{c}", &r["pushed"]["created"].to_string())
        .replace("{u}", &r["pushed"]["updated"].to_string())
        .replace("{pc}", &r["pulled"]["created"].to_string())
        .replace("{pu}", &r["pulled"]["updated"].to_string())
}

/// A refusal in the person's words, with the server's after it.
fn failure(f: &api::ApiFailure) -> String {
    use babahui_shared::ErrorCode;
    let words = match f.code {
        Some(ErrorCode::Unauthenticated) => t("sync_bad_token"),
        Some(ErrorCode::Forbidden) if f.message.contains("sync token is for") => t("sync_wrong_community"),
        Some(ErrorCode::Conflict) if f.message.contains("history") => t("sync_changed"),
        Some(ErrorCode::Overloaded) | None => t("sync_unreachable"),
        _ => "",
    };
    format!("{words} ({})", f.message).trim().to_owned()
}

/// The panel: three fields, one button, what the last sync did.
#[component]
pub fn SyncPanel(key: RwSignal<String>) -> impl IntoView {
    let to = RwSignal::new(storage::get(TO).unwrap_or_default());
    let community = RwSignal::new(storage::get(COMMUNITY).unwrap_or_default());
    let token = RwSignal::new(storage::get(TOKEN).unwrap_or_default());
    let busy = RwSignal::new(false);
    // (done, words)
    let outcome = RwSignal::new(None::<(bool, String)>);
    leptos::task::spawn_local(async move {
        let k = key.get_untracked();
        let last = if k.is_empty() {
            api::get::<Value>("/api/sync/last").await
        } else {
            api::get_as::<Value>("/api/sync/last", &k).await
        };
        if let Some(r) = last.ok().filter(|r| !r.is_null()) {
            outcome.set(Some((true, format!("{}：{}", t("sync_last"), said(&r)))));
        }
    });
    let run = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        for (k, v) in [(TO, to), (COMMUNITY, community), (TOKEN, token)] {
            storage::set(k, v.get_untracked().trim());
        }
        let body = json!({"to": to.get().trim(), "community": community.get().trim(), "token": token.get().trim()});
        let k = key.get();
        busy.set(true);
        outcome.set(None);
        leptos::task::spawn_local(async move {
            let bearer = (!k.is_empty()).then_some(k.as_str());
            match api::post::<Value>("/api/sync/run", &body, bearer).await {
                Ok(r) => outcome.set(Some((true, said(&r)))),
                Err(f) => outcome.set(Some((false, failure(&f)))),
            }
            busy.set(false);
        });
    };
    view! {
        <details class="card sync-panel">
            <summary>{move || t("sync_title")}</summary>
            <p class="muted">{move || t("sync_hint")}</p>
            <form class="form" id="sync-form" on:submit=run>
                <label>{move || t("sync_to")}<input name="to" type="url" required placeholder="https://district.example" bind:value=to/></label>
                <label>{move || t("sync_community")}<input name="community" required bind:value=community/></label>
                <label>{move || t("sync_token")}<input name="token" type="password" required autocomplete="off" bind:value=token/></label>
                <button type="submit" class="primary big" disabled=move || busy.get()>
                    {move || if busy.get() { t("sync_busy") } else { t("sync_now") }}
                </button>
            </form>
            {move || outcome.get().map(|(done, words)| if done {
                view! { <p class="sent" role="status">{words}</p> }.into_any()
            } else {
                view! { <p class="notice" role="alert">{words}</p> }.into_any()
            })}
        </details>
    }
}
