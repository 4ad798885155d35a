//! A reading of the source tree for the house rules (`tests/tests/e2e/structure.rs`):
//! which file imports which, the circles among them, and how long files and functions
//! are. It reads the text, not the compiler's view, which is enough for a tree that
//! follows plain conventions: modules are files, test modules sit at the end of a file
//! behind `#[cfg(test)]`.
//!
//! An edge is a path that names another file's module: a `use` line (braces expanded),
//! a `pub use` re-export, or a path written inline (`crate::hub::frame::Frame`). A
//! `mod child;` declaration is not an edge: declaring a child is not depending on it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One source file of a crate, read and measured.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the workspace root, e.g. `server/src/hub/meeting.rs`.
    pub path: String,
    /// Its module path in the crate (`["hub", "meeting"]`; empty for `lib.rs`).
    pub module: Vec<String>,
    /// Lines before the file's test module.
    pub code_lines: usize,
    /// The files this one imports (workspace-relative paths).
    pub imports: BTreeSet<String>,
    /// Every function: its name, first line (1-based) and length in lines.
    pub functions: Vec<(String, usize, usize)>,
}

/// Reads every `.rs` file under `src_dir` (a crate's `src/`), with paths shown
/// relative to `root`.
pub fn read_crate(root: &Path, src_dir: &str) -> Vec<SourceFile> {
    let base = root.join(src_dir);
    let mut files = Vec::new();
    collect(&base, &mut files);
    files.sort();
    let modules: Vec<(PathBuf, Vec<String>)> = files
        .iter()
        .map(|file| (file.clone(), module_of(&base, file)))
        .collect();
    let known: BTreeMap<Vec<String>, String> = modules
        .iter()
        .map(|(file, module)| (module.clone(), relative(root, file)))
        .collect();
    modules
        .iter()
        .map(|(file, module)| {
            let text = std::fs::read_to_string(file).expect("read a source file");
            let code = strip_test_module(&blank_comments_and_strings(&text));
            let is_dir_module = file.file_name().is_some_and(|n| n == "mod.rs" || n == "lib.rs");
            let me = relative(root, file);
            let imports = paths_in(&code)
                .into_iter()
                .filter_map(|path| resolve(&path, module, is_dir_module, &known))
                .filter(|target| *target != me)
                .collect();
            SourceFile {
                path: me,
                module: module.clone(),
                code_lines: code.lines().count(),
                imports,
                functions: functions_in(&code),
            }
        })
        .collect()
}

/// The groups of files that import each other, directly or through a loop
/// (strongly connected components with more than one file).
pub fn circles(files: &[SourceFile]) -> Vec<Vec<String>> {
    let index: BTreeMap<&str, usize> = files.iter().enumerate().map(|(i, f)| (f.path.as_str(), i)).collect();
    let edges: Vec<Vec<usize>> = files
        .iter()
        .map(|f| {
            f.imports
                .iter()
                .filter_map(|t| index.get(t.as_str()).copied())
                .collect()
        })
        .collect();
    // Tarjan's algorithm, iterative enough for a tree of a hundred files.
    struct Walk<'a> {
        edges: &'a [Vec<usize>],
        next: usize,
        order: Vec<Option<usize>>,
        low: Vec<usize>,
        stack: Vec<usize>,
        on_stack: Vec<bool>,
        found: Vec<Vec<usize>>,
    }
    fn visit(w: &mut Walk, v: usize) {
        w.order[v] = Some(w.next);
        w.low[v] = w.next;
        w.next += 1;
        w.stack.push(v);
        w.on_stack[v] = true;
        for i in 0..w.edges[v].len() {
            let u = w.edges[v][i];
            match w.order[u] {
                None => {
                    visit(w, u);
                    w.low[v] = w.low[v].min(w.low[u]);
                }
                Some(order) if w.on_stack[u] => w.low[v] = w.low[v].min(order),
                Some(_) => {}
            }
        }
        if Some(w.low[v]) == w.order[v] {
            let mut group = Vec::new();
            while let Some(u) = w.stack.pop() {
                w.on_stack[u] = false;
                group.push(u);
                if u == v {
                    break;
                }
            }
            if group.len() > 1 {
                w.found.push(group);
            }
        }
    }
    let mut walk = Walk {
        edges: &edges,
        next: 0,
        order: vec![None; files.len()],
        low: vec![0; files.len()],
        stack: Vec::new(),
        on_stack: vec![false; files.len()],
        found: Vec::new(),
    };
    for v in 0..files.len() {
        if walk.order[v].is_none() {
            visit(&mut walk, v);
        }
    }
    walk.found
        .into_iter()
        .map(|group| {
            let mut names: Vec<String> = group.into_iter().map(|i| files[i].path.clone()).collect();
            names.sort();
            names
        })
        .collect()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn relative(root: &Path, file: &Path) -> String {
    file.strip_prefix(root).unwrap_or(file).to_string_lossy().into_owned()
}

fn module_of(base: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(base).unwrap_or(file);
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let last = parts.pop().unwrap_or_default();
    match last.as_str() {
        "lib.rs" | "main.rs" | "mod.rs" => {}
        other => parts.push(other.trim_end_matches(".rs").to_string()),
    }
    if parts.first().is_some_and(|p| p == "bin") {
        // A binary is a crate of its own: it reaches the library by name.
        return vec![format!("<bin {}>", parts.join("/"))];
    }
    parts
}

/// Replaces comments, string literals and char literals with spaces (keeping line
/// breaks), so braces and paths inside them are not read as code.
pub fn blank_comments_and_strings(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if c == 'r'
            && (next == Some('"') || next == Some('#'))
            && !chars
                .get(i.wrapping_sub(1))
                .is_some_and(|p| p.is_alphanumeric() || *p == '_')
        {
            // A raw string: r"..." or r#"..."#.
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= chars.len() {
                    break;
                }
                if chars[j] == '"' && (1..=hashes).all(|k| chars.get(j + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            for &ch in &chars[i..j.min(chars.len())] {
                out.push(blank(ch));
            }
            i = j;
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < chars.len() {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{..}') or a lifetime ('a).
            let close = if next == Some('\\') {
                (i + 2..chars.len().min(i + 12)).find(|&j| chars[j] == '\'')
            } else if chars.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            match close {
                Some(end) => {
                    for _ in i..=end {
                        out.push(' ');
                    }
                    i = end + 1;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// Drops a trailing `#[cfg(test)] mod … { … }` (the file's unit tests).
fn strip_test_module(code: &str) -> String {
    let lines: Vec<&str> = code.lines().collect();
    for (n, line) in lines.iter().enumerate() {
        if line.trim() == "#[cfg(test)]" {
            let following = lines[n + 1..].iter().find(|l| !l.trim().is_empty());
            if following.is_some_and(|l| {
                let l = l.trim_start();
                l.starts_with("mod ") || l.starts_with("pub mod ") || l.starts_with("pub(crate) mod ")
            }) && line.len() == line.trim_start().len()
            {
                return lines[..n].join("\n");
            }
        }
    }
    code.to_string()
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Every path the code names that starts at `crate`, `super` or `self`, or at a
/// plain name inside a `use` (which may be a child module); `use` braces expanded.
fn paths_in(code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let bytes: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        if !is_ident(bytes[i]) || (i > 0 && (is_ident(bytes[i - 1]) || bytes[i - 1] == ':')) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_ident(bytes[i]) {
            i += 1;
        }
        let word: String = bytes[start..i].iter().collect();
        if word == "use" {
            let end = (i..bytes.len()).find(|&j| bytes[j] == ';').unwrap_or(bytes.len());
            let text: String = bytes[i..end].iter().collect();
            // Drop renames (`X as Y`), then the spaces.
            let mut words = text.split_whitespace();
            let mut tree = String::new();
            while let Some(w) = words.next() {
                if w == "as" {
                    let renamed = words.next().unwrap_or_default();
                    tree.extend(renamed.chars().filter(|c| matches!(c, ',' | '}')));
                } else {
                    tree.push_str(w);
                }
            }
            expand_use(&tree, &mut Vec::new(), &mut out);
            i = end;
        } else if matches!(word.as_str(), "crate" | "super" | "self") {
            let mut path = vec![word];
            let mut j = i;
            while bytes.get(j) == Some(&':') && bytes.get(j + 1) == Some(&':') {
                let s = j + 2;
                let mut e = s;
                while e < bytes.len() && is_ident(bytes[e]) {
                    e += 1;
                }
                if e == s {
                    break;
                }
                path.push(bytes[s..e].iter().collect());
                j = e;
            }
            if path.len() > 1 {
                out.push(path);
            }
            i = j;
        }
    }
    out
}

/// Expands a `use` tree (whitespace removed) into full paths.
fn expand_use(tree: &str, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    let tree = tree.strip_prefix("::").unwrap_or(tree);
    // Split at the first top-level `{`.
    if let Some(open) = tree.find('{') {
        let head = &tree[..open];
        let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
        let head_parts: Vec<String> = head.split("::").filter(|s| !s.is_empty()).map(str::to_string).collect();
        let depth = prefix.len();
        prefix.extend(head_parts);
        let mut level = 0;
        let mut from = 0;
        let items: Vec<char> = inner.chars().collect();
        for (k, ch) in items.iter().enumerate() {
            match ch {
                '{' => level += 1,
                '}' => level -= 1,
                ',' if level == 0 => {
                    let part: String = items[from..k].iter().collect();
                    expand_use(&part, prefix, out);
                    from = k + 1;
                }
                _ => {}
            }
        }
        let part: String = items[from..].iter().collect();
        if !part.is_empty() {
            expand_use(&part, prefix, out);
        }
        prefix.truncate(depth);
    } else {
        let mut path = prefix.clone();
        path.extend(
            tree.split("::")
                .filter(|s| !s.is_empty() && *s != "self")
                .map(str::to_string),
        );
        if !path.is_empty() {
            out.push(path);
        }
    }
}

/// The file a path lands in, when it names a module of this crate.
fn resolve(
    path: &[String],
    module: &[String],
    is_dir_module: bool,
    known: &BTreeMap<Vec<String>, String>,
) -> Option<String> {
    // The module a file's `self` is, and its parent for `super`.
    let mut at: Vec<String> = module.to_vec();
    let mut rest = path;
    match path.first().map(String::as_str) {
        Some("crate") => {
            at.clear();
            rest = &path[1..];
        }
        Some("self") => rest = &path[1..],
        Some("super") => {
            while rest.first().map(String::as_str) == Some("super") {
                at.pop();
                rest = &rest[1..];
            }
            let _ = is_dir_module;
        }
        Some(first) => {
            let mut child = at.clone();
            child.push(first.to_string());
            if !known.contains_key(&child) {
                return None; // another crate, or an item in scope
            }
        }
        None => return None,
    }
    let mut full = at;
    full.extend(rest.iter().cloned());
    // The longest prefix that is a module file.
    (0..=full.len()).rev().find_map(|n| known.get(&full[..n]).cloned())
}

/// Every `fn` with a body: its name, first line and length in lines.
fn functions_in(code: &str) -> Vec<(String, usize, usize)> {
    let lines: Vec<&str> = code.lines().collect();
    let mut found = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        let Some(at) = find_fn_keyword(line) else { continue };
        let name: String = line[at + 3..].chars().take_while(|c| is_ident(*c)).collect();
        if name.is_empty() {
            continue;
        }
        // Walk to the body's opening brace (or a `;` for a declaration), then to its end.
        let mut depth = 0i32;
        let mut opened = false;
        let mut end = None;
        'walk: for (m, l) in lines.iter().enumerate().skip(n) {
            let from = if m == n { at } else { 0 };
            for ch in l[from..].chars() {
                match ch {
                    '{' => {
                        depth += 1;
                        opened = true;
                    }
                    '}' => {
                        depth -= 1;
                        if opened && depth == 0 {
                            end = Some(m);
                            break 'walk;
                        }
                    }
                    ';' if !opened && depth == 0 => break 'walk,
                    _ => {}
                }
            }
        }
        if let Some(end) = end {
            found.push((name, n + 1, end - n + 1));
        }
    }
    found
}

fn find_fn_keyword(line: &str) -> Option<usize> {
    let mut search = 0;
    while let Some(pos) = line[search..].find("fn ") {
        let at = search + pos;
        let before = line[..at].chars().last();
        if before.is_none_or(|c| c == ' ' || c == '\t') {
            let head = line[..at].trim();
            let allowed = head
                .split_whitespace()
                .all(|w| matches!(w, "pub" | "async" | "const" | "unsafe" | "extern") || w.starts_with("pub("));
            if allowed {
                return Some(at);
            }
        }
        search = at + 3;
    }
    None
}
