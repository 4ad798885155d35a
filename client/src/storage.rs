//! What this device remembers, in `localStorage`: tokens (so a refresh keeps
//! the same identity), the language, the outbox of unsent commands, and the
//! meetings created here. Every access tolerates storage being unavailable
//! (private mode in some in-app browsers): the page then still works for the session.

use leptos::prelude::window;

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

/// Reads a key.
pub fn get(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

/// Writes a key (best effort).
pub fn set(key: &str, value: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(key, value);
    }
}

/// Removes a key (best effort).
pub fn remove(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
    }
}

/// Reads a JSON value.
pub fn get_json<T: serde::de::DeserializeOwned>(key: &str) -> Option<T> {
    serde_json::from_str(&get(key)?).ok()
}

/// Writes a JSON value.
pub fn set_json<T: serde::Serialize>(key: &str, value: &T) {
    if let Ok(text) = serde_json::to_string(value) {
        set(key, &text);
    }
}

/// The key under which a role's token for a meeting is kept.
pub fn token_key(meeting: &str, role: &str) -> String {
    format!("bbh:{role}:{meeting}")
}

/// A token from the page's fragment (`#k=…`), remembered and then removed from
/// the address bar so it is not shown on a projected screen or shared by accident.
pub fn token_from_fragment(meeting: &str, role: &str) -> Option<String> {
    let key = token_key(meeting, role);
    let hash = window().location().hash().unwrap_or_default();
    if let Some(token) = hash.strip_prefix("#k=").filter(|t| !t.is_empty()) {
        set(&key, token);
        if let Ok(history) = window().history() {
            let path = window().location().pathname().unwrap_or_default();
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path));
        }
        return Some(token.to_owned());
    }
    get(&key)
}
