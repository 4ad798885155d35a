//! The house rules, read from the source (`docs/architecture.md`): layers import one
//! way, so no two files import each other directly or through a loop; the transports
//! (`http/`, `ws/`) never reach the store; files and functions stay short enough to
//! read.

use std::path::Path;
use tests::structure::{circles, read_crate, SourceFile};

const CRATES: [&str; 3] = ["server/src", "shared/src", "client/src"];

/// Non-test lines above which a file is long; at most [`LONG_FILES_ALLOWED`] may be.
const LONG_FILE: usize = 600;
const LONG_FILES_ALLOWED: usize = 2;
/// Lines above which a function is too long to read at once.
const LONG_FUNCTION: usize = 150;

fn workspace() -> Vec<SourceFile> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace root");
    CRATES.iter().flat_map(|src| read_crate(root, src)).collect()
}

#[test]
fn no_two_files_import_each_other_directly_or_through_a_loop() {
    let files = workspace();
    let found = circles(&files);
    for circle in &found {
        eprintln!("circle:");
        for file in circle {
            let f = files.iter().find(|f| &f.path == file).expect("a file");
            let inside: Vec<&String> = f.imports.iter().filter(|t| circle.contains(t)).collect();
            eprintln!("  {file} -> {inside:?}");
        }
    }
    assert!(found.is_empty(), "{} import circle(s), listed above", found.len());
}

#[test]
fn the_transports_never_reach_the_store() {
    let files = workspace();
    let offenders: Vec<String> = files
        .iter()
        .filter(|f| f.path.starts_with("server/src/http/") || f.path.starts_with("server/src/ws/"))
        .flat_map(|f| {
            f.imports
                .iter()
                .filter(|t| t.starts_with("server/src/store"))
                .map(move |t| format!("{} -> {t}", f.path))
        })
        .collect();
    assert!(offenders.is_empty(), "transports importing the store: {offenders:#?}");
}

#[test]
fn files_and_functions_stay_short() {
    let files = workspace();
    let mut long_files: Vec<(usize, &str)> = files
        .iter()
        .filter(|f| f.code_lines > LONG_FILE)
        .map(|f| (f.code_lines, f.path.as_str()))
        .collect();
    long_files.sort_unstable_by(|a, b| b.cmp(a));
    let mut long_functions: Vec<String> = files
        .iter()
        .flat_map(|f| {
            f.functions
                .iter()
                .filter(|(_, _, len)| *len > LONG_FUNCTION)
                .map(move |(name, line, len)| format!("{}:{line} {name} ({len} lines)", f.path))
        })
        .collect();
    long_functions.sort();
    // The figures, for whoever reads the test's output (`-- --nocapture`).
    let mut by_length: Vec<(usize, &str)> = files.iter().map(|f| (f.code_lines, f.path.as_str())).collect();
    by_length.sort_unstable_by(|a, b| b.cmp(a));
    let mut functions: Vec<(usize, String)> = files
        .iter()
        .flat_map(|f| {
            f.functions
                .iter()
                .map(move |(name, _, len)| (*len, format!("{}::{name}", f.path)))
        })
        .collect();
    functions.sort_unstable_by(|a, b| b.cmp(a));
    eprintln!("longest files: {:?}", &by_length[..by_length.len().min(6)]);
    eprintln!("longest functions: {:?}", &functions[..functions.len().min(6)]);
    eprintln!("files over {LONG_FILE} lines: {long_files:?}");
    eprintln!("functions over {LONG_FUNCTION} lines: {long_functions:#?}");
    assert!(
        long_files.len() <= LONG_FILES_ALLOWED,
        "{} files over {LONG_FILE} non-test lines (at most {LONG_FILES_ALLOWED}): {long_files:?}",
        long_files.len()
    );
    assert!(
        long_functions.is_empty(),
        "functions over {LONG_FUNCTION} lines: {long_functions:#?}"
    );
}

/// The reader itself: it must see a circle, braces in `use`, and ignore strings.
#[test]
fn the_reader_finds_a_planted_circle_and_ignores_text_in_strings() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let src = dir.path().join("src");
    std::fs::create_dir_all(src.join("hub")).expect("dirs");
    std::fs::write(src.join("lib.rs"), "pub mod hub;\npub mod store;\n").expect("write");
    std::fs::write(
        src.join("hub/mod.rs"),
        "mod task;\npub use task::Task;\npub struct Frame;\n",
    )
    .expect("write");
    std::fs::write(
        src.join("hub/task.rs"),
        "use super::{Frame, other};\nfn f() { let s = \"crate::store::X {\"; }\n",
    )
    .expect("write");
    std::fs::write(src.join("store.rs"), "fn g() {\n    let c = '{';\n}\n").expect("write");
    let files = read_crate(dir.path(), "src");
    let found = circles(&files);
    assert_eq!(
        found,
        vec![vec!["src/hub/mod.rs".to_string(), "src/hub/task.rs".to_string()]]
    );
    let task = files.iter().find(|f| f.path == "src/hub/task.rs").expect("task");
    assert!(
        !task.imports.contains("src/store.rs"),
        "a path inside a string is not an import"
    );
    let store = files.iter().find(|f| f.path == "src/store.rs").expect("store");
    assert_eq!(store.functions, vec![("g".to_string(), 1, 3)]);
}
