//! The server's decoder for what a client sends: any bytes are either refused
//! or decode to a message that survives a round trip. Never a panic.

#![no_main]

use babahui_shared::ClientMsg;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(msg) = serde_json::from_str::<ClientMsg>(text) {
        let again = serde_json::to_string(&msg).expect("a decoded message encodes");
        let back: ClientMsg = serde_json::from_str(&again).expect("and decodes again");
        // Server-filled fields (ballot and rating keys, filing time) are never
        // taken from a client: they are skipped on the wire both ways.
        assert_eq!(serde_json::to_string(&back).unwrap(), again);
    }
});
