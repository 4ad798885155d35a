//! Makes sure the web client's folder exists so the server always compiles,
//! and compresses the client's files once, here, at build time: brotli (for a
//! browser that takes it) and gzip (for one that does not), kept beside each
//! other in `$OUT_DIR/compressed` and embedded with the files themselves. The
//! server then never compresses a file while a courtyard of phones waits.
//!
//! The real client is built by `./x` (cargo + wasm-bindgen) into `client/dist`
//! before the server; without it the server serves a page saying so.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Files worth compressing (text and WebAssembly).
const COMPRESSIBLE: [&str; 6] = ["js", "css", "html", "wasm", "svg", "json"];

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
    // Re-embed (and compress again) when the client is rebuilt.
    println!("cargo:rerun-if-changed=../client/dist");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("compressed");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).expect("create the compressed folder");
    for file in files(&dist) {
        println!("cargo:rerun-if-changed={}", file.display());
        let rel = file.strip_prefix(&dist).expect("under dist");
        let compressible = file
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| COMPRESSIBLE.contains(&e));
        if !compressible {
            continue;
        }
        let data = std::fs::read(&file).expect("read a client file");
        let target = out.join(rel);
        std::fs::create_dir_all(target.parent().expect("a folder")).expect("create a folder");
        std::fs::write(with_suffix(&target, "br"), brotli(&data)).expect("write .br");
        std::fs::write(with_suffix(&target, "gz"), gzip(&data)).expect("write .gz");
    }
}

/// Every file under `dir`.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                found.extend(files(&path));
            } else {
                found.push(path);
            }
        }
    }
    found
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

fn brotli(data: &[u8]) -> Vec<u8> {
    let params = brotli::enc::BrotliEncoderParams {
        // The best there is: compressed once per build, sent to every phone.
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    let mut out = Vec::new();
    brotli::BrotliCompress(&mut &data[..], &mut out, &params).expect("brotli");
    out
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(data).expect("gzip");
    enc.finish().expect("gzip")
}
