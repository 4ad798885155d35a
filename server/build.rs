//! Makes sure the web client's folder exists so the server always compiles.
//! The real client is built by `./x` (cargo + wasm-bindgen) into `client/dist`
//! before the server; without it the server serves a page saying so.

use std::path::Path;

fn main() {
    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("../client/dist");
    if !dist.join("index.html").exists() {
        std::fs::create_dir_all(&dist).expect("create client/dist");
        std::fs::write(
            dist.join("index.html"),
            "<!doctype html><meta charset=utf-8><title>Babahui</title>\
             <p>The web client is not built. Run <code>./x serve</code>.</p>",
        )
        .expect("write placeholder index.html");
    }
    // Re-embed when the client is rebuilt.
    println!("cargo:rerun-if-changed=../client/dist");
    if let Ok(entries) = std::fs::read_dir(&dist) {
        for entry in entries.flatten() {
            println!("cargo:rerun-if-changed={}", entry.path().display());
        }
    }
}
