//! The organiser key on this device: where it is kept, and how the organiser
//! link hands it over. The organiser page creates meetings with it; the ledger
//! pages write entries with it.

use crate::storage;
use leptos::prelude::window;

/// Where this device keeps the organiser key.
pub const KEY_STORAGE: &str = "bbh:organiser-key";

/// The organiser link (`/#k=KEY`, printed by the server at start) hands this
/// device the key: it is kept here and taken out of the address bar, so it is
/// neither shown on screen nor left in a screenshot or a shared link.
pub fn take_key_from_link() {
    let location = window().location();
    let hash = location.hash().unwrap_or_default();
    if let Some(key) = hash.strip_prefix("#k=").filter(|k| !k.is_empty()) {
        storage::set(KEY_STORAGE, key);
        if let Ok(history) = window().history() {
            let path = location.pathname().unwrap_or_else(|_| "/".into());
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path));
        }
    }
}
