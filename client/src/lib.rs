//! Babahui's browser client: one Leptos CSR app compiled to wasm32 and
//! embedded in the server. It routes by path, holds one WebSocket per page
//! ([`live`]), and folds the server's events with the same `apply` as the server.
//!
//! # Layout
//! - [`live`]: the one socket: hello/resume, event folding, a persisted outbox, reconnects.
//! - [`api`]: the HTTP calls; bodies and error codes are the shared contract (`babahui_shared::api`).
//! - [`i18n`]: Chinese (default) and English texts.
//! - [`storage`]: what the device remembers (tokens, language, meetings created here).
//! - [`credentials`]: the organiser key: where it is kept, taken from the organiser link.
//! - [`pages`]: organiser, attendee, moderator, projector, recorder, sheet, minutes,
//!   ledger; and the sections they share: the closing view, the review of earlier
//!   commitments, and [`pages::decisions`] (votes, the moderator's panel, outcomes,
//!   commitments, publishing the minutes).
//! - [`components`]: pieces shared by pages (status bar, countdown, agenda…).

pub mod api;
pub mod components;
pub mod credentials;
pub mod i18n;
pub mod live;
pub mod pages;
pub mod storage;
pub mod views;
pub mod voice;

use leptos::prelude::*;
use wasm_bindgen::prelude::wasm_bindgen;

/// Where the path says we are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `/`
    Organiser,
    /// `/m/{id}` (join link)
    Attendee(String),
    /// `/m/{id}/moderator`
    Moderator(String),
    /// `/m/{id}/projector`
    Projector(String),
    /// `/m/{id}/recorder` (an attendee appointed recorder)
    Recorder(String),
    /// `/m/{id}/sheet` (the printable join sheet)
    Sheet(String),
    /// `/m/{id}/minutes` (the public minutes)
    Minutes(String),
    /// `/m/{id}/follow` (线上旁听: following from home)
    Follow(String),
    /// `/ledger`
    Ledger,
    /// `/ledger/{n}`
    LedgerEntry(u32),
    /// Anything else.
    NotFound,
}

/// Parses a path into a [`Route`].
pub fn route(path: &str) -> Route {
    let parts: Vec<&str> = path.trim_matches('/').split('/').filter(|p| !p.is_empty()).collect();
    match parts.as_slice() {
        [] => Route::Organiser,
        ["m", id] => Route::Attendee((*id).to_owned()),
        ["m", id, "moderator"] => Route::Moderator((*id).to_owned()),
        ["m", id, "projector"] => Route::Projector((*id).to_owned()),
        ["m", id, "recorder"] => Route::Recorder((*id).to_owned()),
        ["m", id, "sheet"] => Route::Sheet((*id).to_owned()),
        ["m", id, "minutes"] => Route::Minutes((*id).to_owned()),
        ["m", id, "follow"] => Route::Follow((*id).to_owned()),
        ["ledger"] => Route::Ledger,
        ["ledger", n] => n.parse().map(Route::LedgerEntry).unwrap_or(Route::NotFound),
        _ => Route::NotFound,
    }
}

/// The app: picks the page from the path.
///
/// Built with the `attendee` feature it is the phone's bundle: only the join
/// link's page (`/m/{id}`), which is what a resident's phone opens from the QR
/// code, and the public minutes it links to after the meeting (`/m/{id}/minutes`);
/// the loader (`boot.js`) gives every other path the whole application.
/// Everything the other pages need is left out of that bundle by the linker.
#[component]
pub fn App() -> impl IntoView {
    i18n::provide();
    let path = window().location().pathname().unwrap_or_default();
    #[cfg(feature = "attendee")]
    return match route(&path) {
        Route::Attendee(id) => view! { <pages::attendee::AttendeePage id=id/> }.into_any(),
        Route::Minutes(id) => view! { <pages::minutes::MinutesPage id=id/> }.into_any(),
        _ => view! { <main class="page"><h1>"404"</h1><p><a href="/">"坝坝会 Babahui"</a></p></main> }.into_any(),
    };
    #[cfg(not(feature = "attendee"))]
    match route(&path) {
        Route::Organiser => pages::organiser::OrganiserPage().into_any(),
        Route::Attendee(id) => view! { <pages::attendee::AttendeePage id=id/> }.into_any(),
        Route::Moderator(id) => view! { <pages::moderator::ModeratorPage id=id/> }.into_any(),
        Route::Projector(id) => view! { <pages::projector::ProjectorPage id=id/> }.into_any(),
        Route::Recorder(id) => view! { <pages::recorder::RecorderPage id=id/> }.into_any(),
        Route::Sheet(id) => view! { <pages::sheet::SheetPage id=id/> }.into_any(),
        Route::Minutes(id) => view! { <pages::minutes::MinutesPage id=id/> }.into_any(),
        Route::Follow(id) => view! { <pages::follow::FollowPage id=id/> }.into_any(),
        Route::Ledger => pages::ledger::LedgerPage().into_any(),
        Route::LedgerEntry(n) => view! { <pages::ledger::LedgerEntryPage id=n/> }.into_any(),
        Route::NotFound => {
            view! { <main class="page"><h1>"404"</h1><p><a href="/">"坝坝会 Babahui"</a></p></main> }.into_any()
        }
    }
}

/// Entry point called by the JS glue.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    views::apply_views();
    mount_to_body(App);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        assert_eq!(route("/"), Route::Organiser);
        assert_eq!(route("/m/k7m2x9qa"), Route::Attendee("k7m2x9qa".into()));
        assert_eq!(route("/m/k7m2x9qa/"), Route::Attendee("k7m2x9qa".into()));
        assert_eq!(route("/m/k7m2x9qa/moderator"), Route::Moderator("k7m2x9qa".into()));
        assert_eq!(route("/m/k7m2x9qa/projector"), Route::Projector("k7m2x9qa".into()));
        assert_eq!(route("/m/k7m2x9qa/recorder"), Route::Recorder("k7m2x9qa".into()));
        assert_eq!(route("/m/k7m2x9qa/sheet"), Route::Sheet("k7m2x9qa".into()));
        assert_eq!(route("/m/k7m2x9qa/follow"), Route::Follow("k7m2x9qa".into()));
        assert_eq!(route("/x/y/z/w"), Route::NotFound);
    }
}
