//! `/m/{id}/sheet`: the one-page join sheet to print and post in the courtyard
//! beforehand: title, time, place, a big QR code, the address to type.

use crate::api;
use crate::i18n::t;
use babahui_shared::MeetingState;
use leptos::prelude::*;

/// The join link and its QR code, as the server hands them to the meeting's screens.
type Links = babahui_shared::api::PublicLinks;

/// The printable join sheet.
#[component]
pub fn SheetPage(id: String) -> impl IntoView {
    // The join link is shown to the meeting's own screens only: the organiser
    // page links here with the projector's read-only token in the fragment.
    let token = crate::storage::token_from_fragment(&id, "projector").unwrap_or_default();
    let data = LocalResource::new(move || {
        let (id, token) = (id.clone(), token.clone());
        async move {
            let state = api::get::<MeetingState>(&format!("/api/meetings/{id}")).await.ok()?;
            let links = api::get_as::<Links>(&format!("/api/meetings/{id}/links"), &token)
                .await
                .ok()?;
            Some((state, links))
        }
    });
    view! {
        <main class="sheet">
            <Suspense fallback=|| ()>
                {move || data.get().map(|d| match d {
                    None => view! { <p class="notice">{t("not_found")}</p> }.into_any(),
                    Some((s, l)) => view! {
                        <h1>{s.title.clone()}</h1>
                        <p class="sheet-when">{s.starts_at.clone()}" · "{s.place.clone()}</p>
                        <img class="sheet-qr" src=crate::pages::qr_src(&l.join_url) alt=t("scan_to_join")/>
                        <p class="sheet-scan">{t("scan_to_join")}</p>
                        <p class="sheet-hint">{t("sheet_hint")}</p>
                        <p class="sheet-url">{t("or_type")}{move || crate::i18n::colon()}<b>{l.join_url.clone()}</b></p>
                        <button class="no-print primary big" on:click=move |_| { let _ = window().print(); }>{t("print")}</button>
                    }.into_any(),
                })}
            </Suspense>
        </main>
    }
}
